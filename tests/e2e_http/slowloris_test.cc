// A client that sends its request head a byte at a time gets a 408 when request_headers_timeout
// runs out (counted from the accept), while other clients are served as usual.
#include <poll.h>

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using SlowlorisTest = HttpProxyTest;

struct SlowClientResult {
  HttpMessage reply;      // what the proxy sent when it gave up on the head
  IoResult end;           // how the connection ended after the reply
  milliseconds after{0};  // from the connect to the reply
  size_t sent = 0;        // head bytes sent
  std::string error;
};

// Sends a never-ending head one byte every 100 ms (the first 50 ms after connecting, so no byte
// is in flight at whole tenths of a second, when a 1 s timeout counted from the accept fires)
// until the proxy answers; then reads the answer and waits for the close.
SlowClientResult slowloris(uint16_t port, Deadline deadline) {
  SlowClientResult result;
  HttpClient c(port);
  if (!c.connected()) {
    result.error = "cannot connect";
    return result;
  }
  Clock::time_point connected = Clock::now();
  std::string head = "GET /slow HTTP/1.1\r\nHost: slow\r\nX-Padding: ";
  head.append(200, 'p');
  std::this_thread::sleep_for(milliseconds(50));
  while (Clock::now() < deadline) {
    if (!c.send(head.substr(result.sent % head.size(), 1), deadline).ok()) break;
    ++result.sent;
    if (wait_ready(c.fd(), POLLIN, deadline_in(milliseconds(100))) != 0) break;
  }
  result.reply = c.read_response(deadline);
  result.after = std::chrono::duration_cast<milliseconds>(Clock::now() - connected);
  result.end = c.wait_closed(deadline);
  return result;
}

TEST_F(SlowlorisTest, SlowHeadGets408WhileOthersAreServed) {
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
  ASSERT_EQ(s.error, "");
  // Not a silent close: the 408 with its body and Connection: close, then a clean close.
  EXPECT_GE(s.sent, 9u) << "the head was not dripped";
  ASSERT_TRUE(is_local_reply(s.reply, 408)) << "after " << s.sent << " bytes";
  EXPECT_EQ(s.reply.body, "request headers not received in time\n");
  EXPECT_TRUE(s.reply.headers.has_token("connection", "close")) << s.reply.describe();
  EXPECT_EQ(s.end.status, IoResult::kEof) << s.end.describe();
  EXPECT_EQ(s.end.bytes, 0u);
  EXPECT_GE(s.after, milliseconds(950));
  EXPECT_LE(s.after, stretched(milliseconds(1500)));
  EXPECT_EQ(upstream.request_count(), static_cast<size_t>(served));
}

}  // namespace
}  // namespace ringress::test
