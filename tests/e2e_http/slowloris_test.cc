// A client that sends its request head a byte at a time is cut off by request_headers_timeout,
// while other clients are served as usual.
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using SlowlorisTest = HttpProxyTest;

struct SlowClientResult {
  bool closed = false;
  milliseconds after{0};  // from the first byte to the close
  std::string received;   // what the proxy sent before closing
  std::string error;
};

// Sends a never-ending head one byte every 200 ms until the proxy closes the connection.
SlowClientResult slowloris(uint16_t port, Deadline deadline) {
  SlowClientResult result;
  HttpClient c(port);
  if (!c.connected()) {
    result.error = "cannot connect";
    return result;
  }
  std::string head = "GET /slow HTTP/1.1\r\nHost: slow\r\nX-Padding: ";
  head.append(200, 'p');
  Clock::time_point first = Clock::now();
  for (size_t i = 0; Clock::now() < deadline; ++i) {
    // A send may fail once the proxy closed; the read below tells.
    c.send(head.substr(i % head.size(), 1), deadline);
    IoResult r = c.wait_closed(deadline_in(milliseconds(200)), &result.received);
    if (r.status == IoResult::kEof || r.status == IoResult::kReset) {
      result.closed = true;
      result.after = std::chrono::duration_cast<milliseconds>(Clock::now() - first);
      return result;
    }
  }
  result.error = "still open at the deadline";
  return result;
}

TEST_F(SlowlorisTest, SlowHeadIsCutOffWhileOthersAreServed) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.listener_keys.push_back(R"(request_headers_timeout = "1s")");
  ASSERT_TRUE(start(config));

  std::future<SlowClientResult> slow =
      std::async(std::launch::async, slowloris, listen_port_, deadline_in(stretched(seconds(5))));

  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  Clock::time_point until = Clock::now() + milliseconds(1500);
  int served = 0;
  while (Clock::now() < until) {
    Clock::time_point sent = Clock::now();
    HttpMessage r = c.round_trip(get_request("/fast/" + std::to_string(served)), soon());
    auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - sent);
    ASSERT_TRUE(has_status(r, 200)) << "request " << served;
    EXPECT_LT(took, stretched(milliseconds(300))) << "request " << served;
    ++served;
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_GE(served, 10);

  SlowClientResult s = slow.get();
  ASSERT_TRUE(s.closed) << s.error;
  EXPECT_GE(s.after, milliseconds(900));
  EXPECT_LE(s.after, stretched(milliseconds(2000)));
  if (!s.received.empty()) {
    // Whatever came before the close must be a 408 reply.
    MessageParser p(MessageParser::Kind::response);
    p.feed(s.received.data(), s.received.size());
    p.feed_eof();
    HttpMessage r = p.take();
    EXPECT_TRUE(is_local_reply(r, 408)) << "received: " << s.received;
  }
  EXPECT_EQ(upstream.request_count(), static_cast<size_t>(served));
}

}  // namespace
}  // namespace ringress::test
