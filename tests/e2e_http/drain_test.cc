// SIGTERM on an HTTP listener: idle kept-alive connections are closed at once, a request in
// flight completes with Connection: close, and the process exits 0.
#include <signal.h>

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using HttpDrainTest = HttpProxyTest;

TEST_F(HttpDrainTest, IdleKeepAliveConnectionIsClosedPromptly) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.drain_timeout = "10s";
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(has_status(c.round_trip(get_request("/before"), soon()), 200));

  Clock::time_point term = Clock::now();
  ASSERT_TRUE(proxy_.signal(SIGTERM));
  IoResult closed = c.wait_closed(deadline_in(stretched(milliseconds(1000))));
  EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
  EXPECT_EQ(closed.bytes, 0u);
  std::optional<ExitStatus> exit = proxy_.wait_exit(stretched(milliseconds(2000)));
  ASSERT_TRUE(exit) << "still running 2 s after SIGTERM with only an idle connection";
  EXPECT_TRUE(exit->success()) << exit->describe();
  EXPECT_LT(Clock::now() - term, stretched(milliseconds(2000)));
}

// The upstream holds its answer to /slow until the test sees the drain has begun (the listener
// is gone), so the response certainly comes during the drain.
TEST_F(HttpDrainTest, RequestInFlightCompletesWithConnectionClose) {
  std::promise<void> drain_seen;
  std::shared_future<void> answer = drain_seen.get_future().share();
  HttpUpstream upstream([answer](const UpstreamRequest& r) {
    if (r.message.target == "/slow") answer.wait_for(seconds(10));
    return describe_request(r);
  });
  HttpProxyConfig config = config_for(upstream.port());
  config.drain_timeout = "10s";
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(has_status(c.round_trip(get_request("/warm"), soon()), 200));

  ASSERT_TRUE(c.send(get_request("/slow"), soon()).ok());
  ASSERT_TRUE(upstream.wait_requests(2, soon()));
  ASSERT_TRUE(proxy_.signal(SIGTERM));
  bool listening = true;
  for (Deadline d = soon(); listening && Clock::now() < d;) {
    listening = port_is_listening(listen_port_);
    if (listening) std::this_thread::sleep_for(milliseconds(2));
  }
  drain_seen.set_value();
  ASSERT_FALSE(listening) << "still listening 5 s after SIGTERM";
  HttpMessage r = c.read_response(soon());
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "GET /slow 0");
  EXPECT_TRUE(r.headers.has_token("connection", "close")) << r.describe();
  IoResult closed = c.wait_closed(deadline_in(stretched(milliseconds(1000))));
  EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();

  std::optional<ExitStatus> exit = proxy_.wait_exit(stretched(milliseconds(2000)));
  ASSERT_TRUE(exit) << "still running 2 s after its last request completed";
  EXPECT_TRUE(exit->success()) << exit->describe();
}

}  // namespace
}  // namespace ringress::test
