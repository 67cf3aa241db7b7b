// Clients that attack the proxy's resources rather than its parser: connections that never
// send a byte, a body dripped in single-byte segments, ten thousand idle connections, and a
// flood of connections over max_connections. Each bounded attack must cost what its limit
// says, and a well-behaved client (SteadyClient) must be served within a second all along.
// Slowloris proper (a head a byte at a time) is in slowloris_test.cc.
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/log_file.h"
#include "tests/support/steady_client.h"

namespace ringress::test {
namespace {

// The bound for the well-behaved client's round trips during an attack.
constexpr milliseconds kServedWithin{1000};

constexpr std::string_view k408Body = "request headers not received in time\n";

// Puts the test process's descriptor limit back when the test ends.
class NofileLimitRestorer {
 public:
  NofileLimitRestorer() { ::getrlimit(RLIMIT_NOFILE, &saved_); }
  ~NofileLimitRestorer() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

// Asserts the steady client was served all along: no failure, at least `min_served` good
// responses, none slower than kServedWithin.
::testing::AssertionResult served_all_along(const SteadyClient::Report& r, size_t min_served) {
  if (!r.failures.empty()) return ::testing::AssertionFailure() << r.failures.front();
  if (r.served < min_served)
    return ::testing::AssertionFailure() << "only " << r.served << " requests served";
  if (r.slowest >= kServedWithin)
    return ::testing::AssertionFailure() << "slowest round trip " << r.slowest.count() << " ms";
  return ::testing::AssertionSuccess();
}

milliseconds since(Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t);
}

using AdversaryTest = HttpProxyTest;

// A connection that never sends a byte holds a slot until request_headers_timeout (the first
// request's header clock starts at accept), not the keep-alive idle timeout (60 s): then it is
// closed without a word, as nginx does (there is no request to answer).
TEST_F(AdversaryTest, SilentConnectionIsClosedAtRequestHeadersTimeout) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {R"(request_headers_timeout = "1s")", R"(idle_timeout = "60s")"};
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  Clock::time_point connected = Clock::now();
  IoResult closed = c.wait_closed(deadline_in(stretched(milliseconds(2500))));
  milliseconds after = since(connected);
  EXPECT_EQ(closed.status, IoResult::kEof)
      << closed.describe() << " after " << after.count() << " ms";
  EXPECT_EQ(closed.bytes, 0u) << "a connection that sent nothing gets no reply";
  EXPECT_GE(after, milliseconds(950));
  EXPECT_LE(after, stretched(milliseconds(1500)));
  EXPECT_EQ(upstream.accepted(), 0u);
}

// A connection that sent part of a head gets the 408, timed from the accept: 600 ms of silence
// and then "GET / HT" does not buy another second.
TEST_F(AdversaryTest, PartialHeadGets408AtRequestHeadersTimeoutFromAccept) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {R"(request_headers_timeout = "1s")"};
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  Clock::time_point connected = Clock::now();
  std::this_thread::sleep_for(milliseconds(600));
  ASSERT_TRUE(c.send("GET / HT", soon()).ok());
  HttpMessage r = c.read_response(deadline_in(stretched(seconds(3))));
  milliseconds after = since(connected);
  ASSERT_TRUE(is_local_reply(r, 408));
  EXPECT_EQ(r.body, k408Body);
  EXPECT_TRUE(r.headers.has_token("connection", "close")) << r.describe();
  EXPECT_GE(after, milliseconds(950));
  EXPECT_LE(after, stretched(milliseconds(1400))) << "the header clock started at the first byte";
  IoResult closed = c.wait_closed(soon());
  EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
  EXPECT_EQ(closed.bytes, 0u);
  EXPECT_EQ(upstream.accepted(), 0u);
}

// Between requests of a kept-alive connection the idle timeout applies, not the header
// timeout: a client that paused for three header timeouts is still served.
TEST_F(AdversaryTest, KeptAliveConnectionWaitsForTheIdleTimeout) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {R"(request_headers_timeout = "300ms")", R"(idle_timeout = "60s")"};
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(has_status(c.round_trip(get_request("/first"), soon()), 200));
  IoResult idle = c.wait_closed(deadline_in(milliseconds(1000)));
  EXPECT_EQ(idle.status, IoResult::kTimeout) << "closed while idle: " << idle.describe();
  HttpMessage r = c.round_trip(get_request("/second"), soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "GET /second 0");
}

// Four clients send a 1500-byte body one byte per TCP segment (TCP_NODELAY, a pause after
// each) on a worker with only 64 receive buffers. Each segment may take a whole buffer from the
// kernel; the proxy must not let them pile up: every body arrives intact and the steady client
// is served within a second throughout.
TEST_F(AdversaryTest, BodyDrippedInSingleByteSegmentsDoesNotStallOthers) {
  constexpr size_t kDrippers = 4, kBody = 1500;
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.buffers_per_worker = 64;
  ASSERT_TRUE(start(config));
  SteadyClient steady(listen_port_, described_get(), milliseconds(20), kServedWithin);

  std::vector<std::thread> drippers;
  std::vector<HttpMessage> replies(kDrippers);
  for (size_t k = 0; k < kDrippers; ++k) {
    drippers.emplace_back([&, k] {
      const std::string target = "/drip/" + std::to_string(k);
      const std::string body = pattern_text(k, kBody);
      HttpClient c(listen_port_);
      Deadline deadline = deadline_in(stretched(seconds(20)));
      if (!c.send(request_bytes("POST", target,
                                {{"Host", "d"}, {"Content-Length", std::to_string(kBody)}}),
                  deadline)
               .ok())
        return;
      for (char byte : body) {
        if (!c.send(std::string_view(&byte, 1), deadline).ok()) return;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      replies[k] = c.read_response(deadline);
    });
  }
  for (std::thread& t : drippers) t.join();
  EXPECT_TRUE(served_all_along(steady.stop(), 10));

  for (size_t k = 0; k < kDrippers; ++k) {
    ASSERT_TRUE(has_status(replies[k], 200)) << "dripper " << k;
    EXPECT_EQ(replies[k].body, "POST /drip/" + std::to_string(k) + " " + std::to_string(kBody));
  }
  for (const UpstreamRequest& r : upstream.requests()) {
    if (r.message.method != "POST") continue;
    size_t k = std::stoul(r.message.target.substr(6));
    EXPECT_EQ(r.message.body, pattern_text(k, kBody)) << r.message.target;
  }
}

// 10,000 connections that never send a byte (request_headers_timeout is long here, so they
// stay): the steady client is served within a second while they are opened and held, the
// proxy's memory grows by a bounded amount per connection, and once they close the proxy's
// descriptors come back to what they were.
TEST_F(AdversaryTest, TenThousandIdleConnectionsDoNotSlowOthers) {
  constexpr size_t kIdle = 10000;
  // Each idle connection costs the proxy a coroutine frame and a stream: about 2 KiB measured.
  // A receive buffer (16 KiB) held by each idle connection, which the design forbids, would
  // be four times this bound.
  constexpr long kMaxKibPerConnection = 4;
  NofileLimitRestorer restore;
  ASSERT_GE(set_nofile_limit(kIdle + 1000), kIdle + 200);
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {R"(request_headers_timeout = "60s")"};
  ASSERT_TRUE(start(config));
  SteadyClient steady(listen_port_, described_get(), milliseconds(20), kServedWithin);
  for (Deadline d = soon(); steady.served() == 0 && Clock::now() < d;)
    std::this_thread::sleep_for(milliseconds(5));
  const long fds_before = proxy_.open_fds();
  const long rss_before = proxy_.rss_kib();

  // Spread over four source addresses so ephemeral ports cannot run short.
  const char* sources[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"};
  std::vector<Fd> idle;
  idle.reserve(kIdle);
  Deadline deadline = deadline_in(stretched(seconds(20)));
  for (size_t i = 0; i < kIdle; ++i) {
    idle.push_back(connect_tcp_from(sources[i % 4], listen_port_, deadline));
    ASSERT_TRUE(idle.back().valid()) << "connection " << i << ": " << strerror(errno);
  }
  // Every connection accepted: the proxy holds one descriptor for each.
  long fds = proxy_.open_fds();
  while (fds < fds_before + static_cast<long>(kIdle) && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
    fds = proxy_.open_fds();
  }
  ASSERT_GE(fds, fds_before + static_cast<long>(kIdle));
  std::this_thread::sleep_for(milliseconds(1000));  // held: the steady client goes on
  const long rss_held = proxy_.rss_kib();
  RecordProperty("rss_kib_per_idle_connection",
                 std::to_string((rss_held - rss_before) / static_cast<long>(kIdle)));
  if (!sanitized_build()) {
    EXPECT_LE(rss_held - rss_before, kMaxKibPerConnection * static_cast<long>(kIdle))
        << "VmRSS went from " << rss_before << " KiB to " << rss_held << " KiB";
  }
  size_t closed = 0;
  for (const Fd& fd : idle) {
    char byte;
    if (::recv(fd.get(), &byte, 1, MSG_DONTWAIT) != -1 || errno != EAGAIN) ++closed;
  }
  EXPECT_EQ(closed, 0u) << "idle connections closed (or sent a byte) while held";

  idle.clear();
  for (fds = proxy_.open_fds(); fds != fds_before && Clock::now() < deadline;
       fds = proxy_.open_fds())
    std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(fds, fds_before) << "descriptors after the idle connections closed";
  EXPECT_TRUE(served_all_along(steady.stop(), 20));
}

// With max_connections = 20 taken (the steady client and 19 idle connections), four threads
// open connections as fast as they can for 1.5 s: each is accepted and closed at once without a
// byte, each is counted, the steady client is served within a second all along, and once the
// idle ones leave, new connections are served again.
TEST_F(AdversaryTest, ConnectionFloodOverMaxConnectionsIsRefusedAndCounted) {
  constexpr size_t kLimit = 20, kThreads = 4;
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys = {"max_connections = " + std::to_string(kLimit),
                          R"(request_headers_timeout = "60s")"};
  ASSERT_TRUE(start(config));
  SteadyClient steady(listen_port_, described_get(), milliseconds(20), kServedWithin);
  for (Deadline d = soon(); steady.served() == 0 && Clock::now() < d;)
    std::this_thread::sleep_for(milliseconds(5));
  ASSERT_GT(steady.served(), 0u);
  std::vector<Fd> holders;
  for (size_t i = 1; i < kLimit; ++i) {
    holders.push_back(connect_tcp(listen_port_, soon()));
    ASSERT_TRUE(holders.back().valid()) << strerror(errno);
  }

  std::atomic<size_t> refused{0};
  std::vector<std::string> unexpected(kThreads);
  std::vector<std::thread> flooders;
  const Deadline flood_end = deadline_in(milliseconds(1500));
  for (size_t t = 0; t < kThreads; ++t) {
    flooders.emplace_back([&, t] {
      // Each thread from its own address: the proxy's side of every refused connection waits
      // in TIME_WAIT, and one address has only ~28,000 ephemeral ports.
      const std::string source = "127.0.0." + std::to_string(2 + t);
      for (size_t i = 0; Clock::now() < flood_end; ++i) {
        Fd fd = connect_tcp_from(source.c_str(), listen_port_, soon());
        if (!fd.valid()) {
          unexpected[t] = std::string("connect: ") + strerror(errno);
          return;
        }
        IoResult r = wait_closed(fd.get(), deadline_in(stretched(seconds(1))));
        if (r.status != IoResult::kEof || r.bytes != 0) {
          unexpected[t] = "attempt " + std::to_string(i) + ": " + r.describe();
          return;
        }
        ++refused;
      }
    });
  }
  for (std::thread& f : flooders) f.join();
  for (const std::string& u : unexpected) EXPECT_EQ(u, "");
  RecordProperty("refused", std::to_string(refused.load()));
  EXPECT_GE(refused.load(), 1000u) << "not much of a flood";
  EXPECT_TRUE(served_all_along(steady.stop(), 10));

  holders.clear();
  HttpMessage r;
  for (Deadline d = deadline_in(stretched(seconds(2))); Clock::now() < d;) {
    HttpClient c = client();
    if (c.connected()) r = c.round_trip(get_request("/after-flood"), soon());
    if (r.ok()) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_TRUE(has_status(r, 200)) << "no new connection served after the flood";

  std::optional<ExitStatus> exit = proxy_.terminate(stretched(milliseconds(5000)));
  ASSERT_TRUE(exit && exit->success()) << (exit ? exit->describe() : "still running");
  std::string log = proxy_.log();
  EXPECT_EQ(count_before(log, "connections refused over listeners' max_connections").value_or(0),
            refused.load())
      << log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
}

}  // namespace
}  // namespace ringress::test
