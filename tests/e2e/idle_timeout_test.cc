// listeners.idle_timeout: a connection with no bytes either way for that long is closed on both
// sides; one with steady traffic is left alone.
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/proxy_test.h"
#include "tests/support/test_servers.h"

namespace ringress::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class IdleTimeoutTest : public ProxyTest {
 protected:
  ProxyConfig short_idle_config(uint16_t upstream_port) const {
    ProxyConfig config = config_for({upstream_port});
    config.idle_timeout = "300ms";
    return config;
  }
};

// After one message the connection goes quiet: the client must see it closed (FIN: nothing was
// left unread) no sooner than about the timeout (200 ms, allowing for timer granularity) and
// within 2 s, and the upstream must see its side closed the same way.
TEST_F(IdleTimeoutTest, IdleConnectionIsClosedOnBothSides) {
  HalfCloseServer upstream(0, 0);
  ASSERT_TRUE(start(short_idle_config(upstream.port())));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  ASSERT_TRUE(send_all(client.get(), std::string("ping"), deadline_in(seconds(1))).ok());
  Clock::time_point quiet_since = Clock::now();

  IoResult closed = wait_closed(client.get(), quiet_since + seconds(2));
  auto idle_for = std::chrono::duration_cast<milliseconds>(Clock::now() - quiet_since);
  EXPECT_EQ(closed.status, IoResult::kEof)
      << closed.describe() << " after " << idle_for.count() << " ms";
  EXPECT_EQ(closed.bytes, 0u);
  EXPECT_GE(idle_for, milliseconds(200)) << "closed before the idle timeout";

  auto up = upstream.wait_results(1, deadline_in(seconds(2)));
  ASSERT_TRUE(up) << "the upstream connection stayed open";
  EXPECT_EQ((*up)[0].end.status, IoResult::kEof) << (*up)[0].end.describe();
  EXPECT_EQ((*up)[0].received, "ping");
}

// A round trip every 100 ms for 1 s (over three idle timeouts) keeps the connection open.
TEST_F(IdleTimeoutTest, ActiveConnectionStaysOpen) {
  EchoServer upstream;
  ASSERT_TRUE(start(short_idle_config(upstream.port())));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);

  Clock::time_point start = Clock::now();
  for (int i = 0; Clock::now() - start < seconds(1); ++i) {
    ASSERT_TRUE(round_trip(client.get(), "tick " + std::to_string(i), deadline_in(seconds(1))))
        << "round trip " << i << " at "
        << std::chrono::duration_cast<milliseconds>(Clock::now() - start).count() << " ms";
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(round_trip(client.get(), "last", deadline_in(seconds(1))));
}

}  // namespace
}  // namespace ringress::test
