// SIGTERM: the proxy stops accepting at once, lets open connections finish, and exits 0 when the
// last one ends or when runtime.drain_timeout runs out, whichever comes first.
#include <signal.h>

#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/proxy_test.h"
#include "tests/support/test_servers.h"

namespace ringress::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using DrainTest = ProxyTest;

// Polls new connections until one is refused; true if that happens before the deadline.
bool refuses_new_connections(uint16_t port, Deadline deadline) {
  while (Clock::now() < deadline) {
    Fd probe = connect_tcp(port, deadline_in(milliseconds(200)));
    if (!probe.valid() && errno == ECONNREFUSED) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

// SIGTERM arrives between the two halves of an exchange. New connections are refused within
// 2 s, the exchange completes, and once the client has finished the proxy exits 0 within 2 s,
// well before the 5 s drain timeout.
TEST_F(DrainTest, OpenConnectionFinishesThenProxyExitsZero) {
  EchoServer upstream;
  ProxyConfig config = config_for({upstream.port()});
  config.drain_timeout = "5s";
  ASSERT_TRUE(start(config));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  ASSERT_TRUE(round_trip(client.get(), pattern_bytes(8, 64 * 1024), deadline_in(seconds(5))));

  ASSERT_TRUE(proxy_.signal(SIGTERM));
  EXPECT_TRUE(refuses_new_connections(listen_port_, deadline_in(seconds(2))))
      << "new connections were still accepted 2 s after SIGTERM";
  ASSERT_TRUE(proxy_.running()) << "exited with a connection still open: "
                                << proxy_.wait_exit(milliseconds(0))->describe();
  EXPECT_TRUE(round_trip(client.get(), pattern_bytes(9, 64 * 1024), deadline_in(seconds(5))))
      << "the second half of the exchange, after SIGTERM";

  shutdown_write(client.get());
  IoResult closed = wait_closed(client.get(), deadline_in(seconds(2)));
  EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
  EXPECT_EQ(closed.bytes, 0u);
  client.reset();

  std::optional<ExitStatus> exit = proxy_.wait_exit(milliseconds(2000));
  ASSERT_TRUE(exit) << "still running 2 s after its last connection ended";
  EXPECT_TRUE(exit->success()) << exit->describe();
}

// The client keeps its connection open (and usable) after SIGTERM; drain_timeout = 500ms must
// end the wait: the proxy exits 0 no sooner than ~450 ms and within 3 s, and the client's
// connection is closed (FIN: nothing is left unread on it).
TEST_F(DrainTest, DrainTimeoutForcesExitZero) {
  EchoServer upstream;
  ProxyConfig config = config_for({upstream.port()});
  config.drain_timeout = "500ms";
  ASSERT_TRUE(start(config));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  ASSERT_TRUE(round_trip(client.get(), "before", deadline_in(seconds(5))));

  Clock::time_point term_at = Clock::now();
  ASSERT_TRUE(proxy_.signal(SIGTERM));
  // The drain has begun once the listener is gone; the connection must still work then.
  bool listening = true;
  for (Deadline d = term_at + milliseconds(400); listening && Clock::now() < d;) {
    listening = port_is_listening(listen_port_);
    if (listening) std::this_thread::sleep_for(milliseconds(2));
  }
  ASSERT_FALSE(listening) << "still listening 400 ms after SIGTERM";
  EXPECT_TRUE(round_trip(client.get(), "during the drain", deadline_in(milliseconds(300))));

  std::optional<ExitStatus> exit = proxy_.wait_exit(milliseconds(3000));
  auto exited_after = std::chrono::duration_cast<milliseconds>(Clock::now() - term_at);
  ASSERT_TRUE(exit) << "still running 3 s after SIGTERM with drain_timeout = 500ms";
  EXPECT_TRUE(exit->success()) << exit->describe();
  EXPECT_GE(exited_after, milliseconds(450)) << "exited before the drain timeout";

  IoResult closed = wait_closed(client.get(), deadline_in(seconds(1)));
  EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
  EXPECT_EQ(closed.bytes, 0u);
}

}  // namespace
}  // namespace ringress::test
