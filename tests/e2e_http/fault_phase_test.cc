// Envoy's disconnect phases, end to end: a client or an upstream that goes away (FIN or RST) at
// each point of an exchange. For each phase: exactly what the client gets (the local reply's
// status and body, or the cut), the access log line (status and response flag), what the
// upstream sees, and no leak: the phase is repeated kRepeats times and the proxy's open file
// descriptors come back to what they were, its resident memory to within kRssSlackKib (not
// checked under AddressSanitizer, whose quarantine holds freed memory on purpose).
//
// The upstream is a ScriptedUpstream: a raw TCP server that reads a head, so many body bytes,
// answers part of a response, and closes with FIN or RST exactly where the phase says.
#include <poll.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/log_file.h"
#include "tests/support/raw_connection.h"
#include "tests/support/temp_dir.h"

namespace ringress::test {
namespace {

// Warm-up runs fill the proxy's pools (request contexts, receive buffers, allocator arenas)
// before the baseline is taken; then the phase runs kRepeats more times.
constexpr size_t kWarmup = 20;
constexpr size_t kRepeats = 200;
// Resident memory may grow this much over kRepeats runs: allocator noise, not a leak. A leak of
// one request context (~12 KiB) or one receive buffer (16 KiB) per run would show as 2.4 MiB
// or more.
constexpr long kRssSlackKib = 512;

// ringress's local reply when the upstream closed (FIN or RST) before a byte of response.
constexpr std::string_view kClosedBeforeResponding =
    "upstream closed the connection before responding\n";

// Which way a peer goes away.
enum class Close { fin, rst };

std::string close_name(const ::testing::TestParamInfo<Close>& info) {
  return info.param == Close::fin ? "Fin" : "Rst";
}

// Ends the upstream side of `c` as `how` says.
void end_upstream(RawConnection& c, Close how) {
  if (how == Close::fin)
    c.fin();
  else
    c.reset();
}

// Something the upstream saw, for the test to wait on.
struct Seen {
  size_t connection = 0;
  std::string what;
  IoResult io;
};

// The client's view of the proxy's local reply: exactly `status` and `body`, text/plain.
::testing::AssertionResult is_reply(const HttpMessage& r, int status, std::string_view body) {
  ::testing::AssertionResult ok = is_local_reply(r, status);
  if (!ok) return ok;
  if (r.body != body)
    return ::testing::AssertionFailure()
           << "body \"" << r.body << "\", expected \"" << body << "\"";
  return ::testing::AssertionSuccess();
}

// Whether `line` is `pattern` with each '#' standing for a decimal number (one digit or more).
bool matches(std::string_view line, std::string_view pattern) {
  size_t at = 0;
  for (char p : pattern) {
    if (p != '#') {
      if (at >= line.size() || line[at] != p) return false;
      ++at;
      continue;
    }
    size_t digits = at;
    while (at < line.size() && line[at] >= '0' && line[at] <= '9') ++at;
    if (at == digits) return false;
  }
  return at == line.size();
}

// Closes a client connection: FIN (nothing unread, so close() sends FIN) or RST.
void close_client(HttpClient& c, Close how) {
  if (how == Close::rst) set_linger_zero(c.fd());
  c.close();
}

class FaultPhaseTest : public HttpProxyTest {
 protected:
  // The proxy in front of `upstream_port`, logging each exchange as
  // "METHOD PATH STATUS FLAGS BYTES_RECEIVED BYTES_SENT". Pooled upstream connections idle out
  // after 200 ms, so the proxy's descriptors settle soon after a run.
  ::testing::AssertionResult start_logged(uint16_t upstream_port) {
    if (dir_.path().empty()) return ::testing::AssertionFailure() << "no temp dir";
    log_path_ = dir_.path() + "/access.log";
    HttpProxyConfig config = config_for(upstream_port);
    config.listener_keys = {
        R"(filters = ["access_log", "router"])",
        "access_log = { path = " + toml_string(log_path_) + ", format = " +
            toml_string("%METHOD% %PATH% %STATUS% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT%") +
            " }"};
    config.clusters[0].keys.push_back(R"(idle_timeout = "200ms")");
    return start(config);
  }

  // Runs `once(i)` for i = 0 .. kWarmup + kRepeats - 1, stopping at the first failure (a fatal
  // one: the caller checks HasFatalFailure()), and checks that after the last kRepeats runs the
  // proxy's descriptors come back to the count they settled at after the warm-up, and its VmRSS to
  // within kRssSlackKib.
  void repeat_without_leaks(const std::function<::testing::AssertionResult(size_t)>& once) {
    for (size_t i = 0; i < kWarmup; ++i) {
      ::testing::AssertionResult ok = once(i);
      ASSERT_TRUE(ok) << "run " << i;
    }
    const long fds_before = settled_fds();
    const long rss_before = proxy_.rss_kib();
    ASSERT_GT(fds_before, 0);
    ASSERT_GT(rss_before, 0);
    for (size_t i = kWarmup; i < kWarmup + kRepeats; ++i) {
      ::testing::AssertionResult ok = once(i);
      ASSERT_TRUE(ok) << "run " << i;
    }
    long fds_after = proxy_.open_fds();
    for (Deadline d = deadline_in(stretched(seconds(3)));
         fds_after != fds_before && Clock::now() < d; fds_after = proxy_.open_fds())
      std::this_thread::sleep_for(milliseconds(20));
    const long rss_after = proxy_.rss_kib();
    RecordProperty("fds", std::to_string(fds_before) + " -> " + std::to_string(fds_after));
    RecordProperty("rss_kib", std::to_string(rss_before) + " -> " + std::to_string(rss_after));
    EXPECT_EQ(fds_after, fds_before) << "open descriptors after " << kRepeats << " runs";
    if (!sanitized_build()) {
      EXPECT_LE(rss_after - rss_before, kRssSlackKib)
          << "VmRSS went from " << rss_before << " KiB to " << rss_after << " KiB over " << kRepeats
          << " runs";
    }
  }

  // Every access log line once there are `n` of them (3 s at most): exactly `n`, each matching
  // `expected` (see matches()).
  void expect_log_lines(size_t n, const std::string& expected) {
    std::vector<std::string> lines =
        wait_for_lines(log_path_, n, deadline_in(stretched(seconds(3))));
    EXPECT_EQ(lines.size(), n) << "access log lines";
    size_t wrong = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (matches(lines[i], expected)) continue;
      if (wrong++ == 0) ADD_FAILURE() << "access log line " << i << ": \"" << lines[i] << "\"";
    }
    EXPECT_EQ(wrong, 0u) << "access log lines not matching \"" << expected << "\"";
  }

  // The same with a different expectation for odd and even lines (two exchanges a run).
  void expect_log_pairs(size_t runs, const std::string& first, const std::string& second) {
    std::vector<std::string> lines =
        wait_for_lines(log_path_, 2 * runs, deadline_in(stretched(seconds(3))));
    EXPECT_EQ(lines.size(), 2 * runs) << "access log lines";
    size_t wrong = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (matches(lines[i], i % 2 == 0 ? first : second)) continue;
      if (wrong++ == 0) ADD_FAILURE() << "access log line " << i << ": \"" << lines[i] << "\"";
    }
    EXPECT_EQ(wrong, 0u) << "access log lines not as expected";
  }

  // SIGTERM, a clean exit, and the proxy's log with its exit summary.
  std::string exit_summary() {
    std::optional<ExitStatus> exit = proxy_.terminate(stretched(milliseconds(5000)));
    EXPECT_TRUE(exit && exit->success()) << (exit ? exit->describe() : "still running");
    return proxy_.log();
  }

  static constexpr size_t kRuns = kWarmup + kRepeats;

  TempDir dir_;
  std::string log_path_;

 private:
  // The descriptor count once it has not changed for 500 ms (pooled connections idle out).
  long settled_fds() {
    long last = proxy_.open_fds();
    Clock::time_point stable_since = Clock::now();
    for (Deadline d = deadline_in(stretched(seconds(5))); Clock::now() < d;) {
      std::this_thread::sleep_for(milliseconds(20));
      long now = proxy_.open_fds();
      if (now != last) {
        last = now;
        stable_since = Clock::now();
      } else if (Clock::now() - stable_since >= milliseconds(500)) {
        break;
      }
    }
    return last;
  }
};

// ---- The client goes away ----

class ClientGoneMidRequestBody : public FaultPhaseTest,
                                 public ::testing::WithParamInterface<Close> {};

// The client sends the head and 1000 of 100000 body bytes, waits until the upstream has them,
// and leaves. The upstream request cannot complete: the proxy closes it at once, answers no one,
// and logs status 0 with DC (downstream connection closed) and the 1000 bytes it relayed.
TEST_P(ClientGoneMidRequestBody, UpstreamIsClosedAndLoggedAsDownstreamClose) {
  ResultLog<Seen> seen;
  ScriptedUpstream upstream([&](size_t n, RawConnection& c) {
    if (!c.read_head()) return;
    seen.add({n, "body", c.read_exact(1000)});
    seen.add({n, "end", c.read_until_closed()});
  });
  ASSERT_TRUE(start_logged(upstream.port()));
  const std::string request =
      request_bytes("POST", "/gone-mid-request", {{"Host", "f"}, {"Content-Length", "100000"}},
                    std::string(1000, 'b'));
  repeat_without_leaks([&](size_t i) -> ::testing::AssertionResult {
    HttpClient c = client();
    if (!c.connected()) return ::testing::AssertionFailure() << "cannot connect";
    if (!c.send(request, soon()).ok()) return ::testing::AssertionFailure() << "send failed";
    auto body = seen.wait(2 * i + 1, soon());
    if (!body || !body->back().io.ok())
      return ::testing::AssertionFailure() << "the upstream did not get the 1000 body bytes";
    close_client(c, GetParam());
    auto end = seen.wait(2 * i + 2, deadline_in(stretched(seconds(1))));
    if (!end)
      return ::testing::AssertionFailure() << "the upstream request was still open 1 s after "
                                              "the client left";
    // FIN or RST: either ends an aborted request for the upstream.
    const IoResult& io = end->back().io;
    if (io.status != IoResult::kEof && io.status != IoResult::kReset)
      return ::testing::AssertionFailure() << "upstream side ended with " << io.describe();
    if (io.bytes != 0)
      return ::testing::AssertionFailure() << io.bytes << " more bytes reached the upstream";
    return ::testing::AssertionSuccess();
  });
  if (HasFatalFailure()) return;
  EXPECT_EQ(upstream.accepted(), kRuns);
  expect_log_lines(kRuns, "POST /gone-mid-request 0 DC 1000 0");
}

INSTANTIATE_TEST_SUITE_P(FinOrRst, ClientGoneMidRequestBody,
                         ::testing::Values(Close::fin, Close::rst), close_name);

// A complete GET, then the client resets its connection while the upstream thinks. The proxy
// must notice the client is gone, close the upstream request at once (not at the route
// timeout, 15 s), and log status 0 with DC.
TEST_F(FaultPhaseTest, ClientResetBeforeResponseHeadersClosesTheUpstreamRequest) {
  ResultLog<Seen> seen;
  ScriptedUpstream upstream([&](size_t n, RawConnection& c) {
    if (!c.read_head()) return;
    seen.add({n, "request", {}});
    seen.add({n, "end", c.read_until_closed()});
  });
  ASSERT_TRUE(start_logged(upstream.port()));
  repeat_without_leaks([&](size_t i) -> ::testing::AssertionResult {
    HttpClient c = client();
    if (!c.connected()) return ::testing::AssertionFailure() << "cannot connect";
    if (!c.send(get_request("/gone-before-headers"), soon()).ok())
      return ::testing::AssertionFailure() << "send failed";
    if (!seen.wait(2 * i + 1, soon()))
      return ::testing::AssertionFailure() << "the request did not reach the upstream";
    close_client(c, Close::rst);
    auto end = seen.wait(2 * i + 2, deadline_in(stretched(seconds(1))));
    if (!end)
      return ::testing::AssertionFailure() << "the upstream request was still open 1 s after "
                                              "the client reset its connection";
    return ::testing::AssertionSuccess();
  });
  if (HasFatalFailure()) return;
  expect_log_lines(kRuns, "GET /gone-before-headers 0 DC 0 0");
}

// The upstream streams a 64 MiB body; the client reads the head and 64 KiB of it, then closes
// (with bytes unread, so its kernel answers the proxy's next segments with RST). The proxy
// stops, closes the upstream connection, and logs the 200 it started with DC.
TEST_F(FaultPhaseTest, ClientGoneMidResponseBodyClosesTheUpstream) {
  constexpr uint64_t kBodySize = 64 << 20;
  ResultLog<Seen> seen;
  ScriptedUpstream upstream([&](size_t n, RawConnection& c) {
    if (!c.read_head()) return;
    IoResult sent =
        c.send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kBodySize) + "\r\n\r\n");
    const std::string chunk = pattern_text(n, 256 * 1024);
    for (uint64_t left = kBodySize; sent.ok() && left > 0; left -= chunk.size()) {
      IoResult r = c.send(chunk);
      sent.status = r.status;
      sent.error = r.error;
      sent.bytes += r.bytes;
    }
    seen.add({n, "sent", sent});
  });
  ASSERT_TRUE(start_logged(upstream.port()));
  repeat_without_leaks([&](size_t i) -> ::testing::AssertionResult {
    HttpClient c = client();
    if (!c.connected()) return ::testing::AssertionFailure() << "cannot connect";
    if (!c.send(get_request("/gone-mid-response"), soon()).ok())
      return ::testing::AssertionFailure() << "send failed";
    std::string got;
    IoResult r = c.recv_raw(got, 64 * 1024, soon());
    if (!r.ok() || got.rfind("HTTP/1.1 200 OK\r\n", 0) != 0)
      return ::testing::AssertionFailure() << "no response start: " << r.describe();
    c.close();
    auto sent = seen.wait(i + 1, deadline_in(stretched(seconds(1))));
    if (!sent)
      return ::testing::AssertionFailure() << "the upstream was still sending 1 s after the "
                                              "client left";
    const IoResult& io = sent->back().io;
    if (io.ok()) return ::testing::AssertionFailure() << "the upstream could send the whole body";
    return ::testing::AssertionSuccess();
  });
  if (HasFatalFailure()) return;
  expect_log_lines(kRuns, "GET /gone-mid-response 200 DC 0 #");
}

// ---- The upstream goes away ----

class UpstreamGoneBeforeHeaders : public FaultPhaseTest,
                                  public ::testing::WithParamInterface<Close> {};

// The upstream reads the request and closes: 502 with ringress's body, on a connection that
// stays open (the request was complete), no retry for a fresh connection, flag UR.
TEST_P(UpstreamGoneBeforeHeaders, ClientGets502AndKeepsItsConnection) {
  ScriptedUpstream upstream([how = GetParam()](size_t, RawConnection& c) {
    if (c.read_head()) end_upstream(c, how);
  });
  ASSERT_TRUE(start_logged(upstream.port()));
  repeat_without_leaks([&](size_t i) -> ::testing::AssertionResult {
    HttpClient c = client();
    if (!c.connected()) return ::testing::AssertionFailure() << "cannot connect";
    for (int k = 0; k < 2; ++k) {
      HttpMessage r = c.round_trip(get_request("/upstream-gone-before-headers"), soon());
      ::testing::AssertionResult ok = is_reply(r, 502, kClosedBeforeResponding);
      if (!ok) return ok << " (request " << k << " on the connection)";
      if (r.headers.has_token("connection", "close"))
        return ::testing::AssertionFailure() << "Connection: close after a complete request";
    }
    if (upstream.accepted() != 2 * (i + 1))
      return ::testing::AssertionFailure()
             << upstream.accepted() << " upstream connections for " << 2 * (i + 1) << " requests";
    return ::testing::AssertionSuccess();
  });
  if (HasFatalFailure()) return;
  expect_log_lines(2 * kRuns, "GET /upstream-gone-before-headers 502 UR 0 49");
  std::string summary = exit_summary();
  EXPECT_EQ(count_before(summary, "upstream reset").value_or(0), 2 * kRuns) << summary;
}

INSTANTIATE_TEST_SUITE_P(FinOrRst, UpstreamGoneBeforeHeaders,
                         ::testing::Values(Close::fin, Close::rst), close_name);

class UpstreamGoneMidBody : public FaultPhaseTest, public ::testing::WithParamInterface<Close> {};

// The upstream sends a head promising 1000 bytes, 10 of them, and closes: the client gets the
// head and exactly those 10 bytes, then a clean close (FIN), never something that looks
// complete. Logged as the 200 it was, with UR and 10 bytes sent.
TEST_P(UpstreamGoneMidBody, ClientGetsTheStartThenAClose) {
  ScriptedUpstream upstream([how = GetParam()](size_t, RawConnection& c) {
    if (!c.read_head()) return;
    if (c.send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(10, 'x')).ok())
      end_upstream(c, how);
  });
  ASSERT_TRUE(start_logged(upstream.port()));
  repeat_without_leaks([&](size_t) -> ::testing::AssertionResult {
    HttpClient c = client();
    if (!c.connected()) return ::testing::AssertionFailure() << "cannot connect";
    HttpMessage r = c.round_trip(get_request("/upstream-gone-mid-body"), soon());
    if (r.status != 200 || r.body != std::string(10, 'x') ||
        r.error != "connection closed in the middle of the body, after 10 body bytes")
      return ::testing::AssertionFailure()
             << "expected the head, 10 bytes and a FIN; got " << r.describe();
    return ::testing::AssertionSuccess();
  });
  if (HasFatalFailure()) return;
  expect_log_lines(kRuns, "GET /upstream-gone-mid-body 200 UR 0 10");
}

INSTANTIATE_TEST_SUITE_P(FinOrRst, UpstreamGoneMidBody, ::testing::Values(Close::fin, Close::rst),
                         close_name);

class UpstreamGoneMidRequestBody : public FaultPhaseTest,
                                   public ::testing::WithParamInterface<Close> {};

// The client sends the head and 1000 of 1 MiB body bytes and waits; the upstream reads those
// and closes. No response byte came: 502 with Connection: close (the rest of the body will
// never be read), then the connection closes cleanly. Not retried (a POST with a body).
TEST_P(UpstreamGoneMidRequestBody, ClientGets502AndAClose) {
  ScriptedUpstream upstream([how = GetParam()](size_t, RawConnection& c) {
    if (c.read_head() && c.read_exact(1000).ok()) end_upstream(c, how);
  });
  ASSERT_TRUE(start_logged(upstream.port()));
  const std::string request =
      request_bytes("POST", "/upstream-gone-mid-request",
                    {{"Host", "f"}, {"Content-Length", "1048576"}}, std::string(1000, 'b'));
  repeat_without_leaks([&](size_t i) -> ::testing::AssertionResult {
    HttpClient c = client();
    if (!c.connected()) return ::testing::AssertionFailure() << "cannot connect";
    HttpMessage r = c.round_trip(request, soon());
    ::testing::AssertionResult ok = is_reply(r, 502, kClosedBeforeResponding);
    if (!ok) return ok;
    if (!r.headers.has_token("connection", "close"))
      return ::testing::AssertionFailure() << "no Connection: close\n" << r.describe();
    IoResult closed = c.wait_closed(soon());
    if (closed.status != IoResult::kEof || closed.bytes != 0)
      return ::testing::AssertionFailure() << "expected a clean close, got " << closed.describe();
    if (upstream.accepted() != i + 1)
      return ::testing::AssertionFailure() << upstream.accepted() << " upstream connections";
    return ::testing::AssertionSuccess();
  });
  if (HasFatalFailure()) return;
  expect_log_lines(kRuns, "POST /upstream-gone-mid-request 502 UR 1000 49");
}

INSTANTIATE_TEST_SUITE_P(FinOrRst, UpstreamGoneMidRequestBody,
                         ::testing::Values(Close::fin, Close::rst), close_name);

// The upstream answers a 256 KiB POST after its head, before the body is done (then reads the
// body, as a server that answered early must). The client gets the answer while it still has
// 240 KiB to send; once it has sent them, its next request on the same connection is answered
// as a request of its own: both connections kept their framing.
TEST_F(FaultPhaseTest, UpstreamAnswersEarlyAndBothConnectionsStayConsistent) {
  constexpr size_t kBody = 256 * 1024, kFirst = 16 * 1024;
  ResultLog<Seen> seen;
  ScriptedUpstream upstream([&](size_t n, RawConnection& c) {
    for (;;) {
      std::optional<std::string> head = c.read_head();
      if (!head) return;
      const uint64_t length = head_content_length(*head).value_or(0);
      const std::string target = head_target(*head);
      if (target == "/early" && !c.send(ok_response("early")).ok()) return;
      std::string body;
      IoResult io = c.read_exact(length, &body);
      if (io.ok() && body != pattern_text(3, length)) io.status = IoResult::kError;
      seen.add({n, target, io});
      if (!io.ok() || (target != "/early" && !c.send(ok_response("after")).ok())) return;
    }
  });
  ASSERT_TRUE(start_logged(upstream.port()));
  const std::string body = pattern_text(3, kBody);
  const std::string head =
      request_bytes("POST", "/early", {{"Host", "f"}, {"Content-Length", std::to_string(kBody)}});
  repeat_without_leaks([&](size_t i) -> ::testing::AssertionResult {
    HttpClient c = client();
    if (!c.connected()) return ::testing::AssertionFailure() << "cannot connect";
    HttpMessage r = c.round_trip(head + body.substr(0, kFirst), soon());
    if (!has_status(r, 200) || r.body != "early")
      return ::testing::AssertionFailure() << "the early answer: " << r.describe();
    if (r.headers.has_token("connection", "close"))
      return ::testing::AssertionFailure() << "Connection: close on the early answer";
    if (!c.send(std::string_view(body).substr(kFirst), soon()).ok())
      return ::testing::AssertionFailure() << "sending the rest of the body failed";
    auto got = seen.wait(2 * i + 1, soon());
    if (!got || got->back().what != "/early" || !got->back().io.ok() ||
        got->back().io.bytes != kBody)
      return ::testing::AssertionFailure() << "the upstream did not get the whole body";
    std::string after = get_request("/after");
    r = c.round_trip(after, soon());
    if (!has_status(r, 200) || r.body != "after")
      return ::testing::AssertionFailure() << "the next request: " << r.describe();
    got = seen.wait(2 * i + 2, soon());
    if (!got || got->back().what != "/after")
      return ::testing::AssertionFailure() << "the upstream did not see /after as a request";
    return ::testing::AssertionSuccess();
  });
  if (HasFatalFailure()) return;
  expect_log_pairs(kRuns, "POST /early 200 - 262144 5", "GET /after 200 - 0 5");
}

// ---- Stale pooled connections (the keep-alive race) ----

class StalePooledConnection : public FaultPhaseTest, public ::testing::WithParamInterface<Close> {};

// Each upstream connection answers one GET, then reads the next request that comes on it and
// closes without answering: the proxy sent a GET on a pooled connection the upstream was
// closing. A GET got no response byte and may be sent twice: it is retried once on a new
// connection, and the client gets the 200. Every run after the first one on a fresh pool hits
// the race.
TEST_P(StalePooledConnection, GetIsRetriedOnANewConnection) {
  ResultLog<Seen> stale;
  ScriptedUpstream upstream([&, how = GetParam()](size_t n, RawConnection& c) {
    if (!c.read_head() || !c.send(ok_response("fresh " + std::to_string(n))).ok()) return;
    if (!c.read_head()) return;
    stale.add({n, "stale", {}});
    end_upstream(c, how);
  });
  ASSERT_TRUE(start_logged(upstream.port()));
  repeat_without_leaks([&](size_t) -> ::testing::AssertionResult {
    HttpClient c = client();
    if (!c.connected()) return ::testing::AssertionFailure() << "cannot connect";
    HttpMessage r = c.round_trip(get_request("/stale"), soon());
    if (!has_status(r, 200) || r.body.rfind("fresh ", 0) != 0)
      return ::testing::AssertionFailure() << r.describe();
    return ::testing::AssertionSuccess();
  });
  if (HasFatalFailure()) return;
  // One connection per run, plus one per stale request retried.
  EXPECT_EQ(upstream.accepted(), kRuns);
  EXPECT_GE(stale.size(), kRepeats - 1) << "the runs did not hit the race";
  expect_log_lines(kRuns, "GET /stale 200 - 0 #");
  std::string summary = exit_summary();
  EXPECT_EQ(count_before(summary, "stale-connection retries").value_or(0), stale.size()) << summary;
  EXPECT_EQ(count_before(summary, "upstream reset").value_or(1), 0u) << summary;
}

// The same race from the other side: the upstream closes an idle pooled connection just as the
// next GET arrives, before or after the proxy wrote it (whichever the scheduler makes it). The
// client always gets a 200.
TEST_P(StalePooledConnection, GetRacingTheUpstreamsIdleCloseSucceeds) {
  std::atomic<size_t> may_close{0};  // connections numbered below this close once idle
  ScriptedUpstream upstream([&, how = GetParam()](size_t n, RawConnection& c) {
    if (!c.read_head() || !c.send(ok_response("fresh " + std::to_string(n))).ok()) return;
    // Idle until allowed to close; readable first means the proxy closed it (its pool's idle
    // timeout) or the server is stopping.
    while (may_close.load() <= n) {
      if (wait_ready(c.fd(), POLLIN, deadline_in(milliseconds(1))) != 0) return;
    }
    end_upstream(c, how);
  });
  ASSERT_TRUE(start_logged(upstream.port()));
  repeat_without_leaks([&](size_t) -> ::testing::AssertionResult {
    HttpClient c = client();
    if (!c.connected()) return ::testing::AssertionFailure() << "cannot connect";
    may_close = upstream.accepted();
    HttpMessage r = c.round_trip(get_request("/race"), soon());
    if (!has_status(r, 200) || r.body.rfind("fresh ", 0) != 0)
      return ::testing::AssertionFailure() << r.describe();
    return ::testing::AssertionSuccess();
  });
  if (HasFatalFailure()) return;
  expect_log_lines(kRuns, "GET /race 200 - 0 #");
}

// A POST on a pooled connection that the upstream reads and closes: a POST may not be sent
// twice, so it is not retried: 502 with ringress's body (the request was read whole, so the
// client keeps its connection), flag UR, and the upstream saw it exactly once.
TEST_P(StalePooledConnection, PostIsNotRetriedAndGets502) {
  ResultLog<Seen> posts;
  ScriptedUpstream upstream([&, how = GetParam()](size_t n, RawConnection& c) {
    if (!c.read_head() || !c.send(ok_response("warm")).ok()) return;
    std::optional<std::string> head = c.read_head();
    if (!head) return;
    posts.add({n, head_target(*head), c.read_exact(head_content_length(*head).value_or(0))});
    end_upstream(c, how);
  });
  ASSERT_TRUE(start_logged(upstream.port()));
  const std::string post =
      request_bytes("POST", "/post", {{"Host", "f"}, {"Content-Length", "4"}}, "data");
  repeat_without_leaks([&](size_t i) -> ::testing::AssertionResult {
    HttpClient c = client();
    if (!c.connected()) return ::testing::AssertionFailure() << "cannot connect";
    HttpMessage r = c.round_trip(get_request("/warm"), soon());
    if (!has_status(r, 200) || r.body != "warm")
      return ::testing::AssertionFailure() << "warm-up GET: " << r.describe();
    r = c.round_trip(post, soon());
    ::testing::AssertionResult ok = is_reply(r, 502, kClosedBeforeResponding);
    if (!ok) return ok;
    if (r.headers.has_token("connection", "close"))
      return ::testing::AssertionFailure() << "Connection: close after a complete request";
    if (posts.size() != i + 1 || upstream.accepted() != i + 1)
      return ::testing::AssertionFailure() << posts.size() << " POSTs on " << upstream.accepted()
                                           << " upstream connections after " << i + 1 << " runs";
    return ::testing::AssertionSuccess();
  });
  if (HasFatalFailure()) return;
  expect_log_pairs(kRuns, "GET /warm 200 - 0 4", "POST /post 502 UR 4 49");
}

INSTANTIATE_TEST_SUITE_P(FinOrRst, StalePooledConnection, ::testing::Values(Close::fin, Close::rst),
                         close_name);

}  // namespace
}  // namespace ringress::test
