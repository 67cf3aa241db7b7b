// Many connections at once: all open together, each with its own echoed message.
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/proxy_test.h"
#include "tests/support/test_servers.h"

namespace ringress::test {
namespace {

// Puts the test process's descriptor limit back as it was when the test ends.
class NofileLimitRestorer {
 public:
  NofileLimitRestorer() { ::getrlimit(RLIMIT_NOFILE, &saved_); }
  ~NofileLimitRestorer() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

using ConcurrencyTest = ProxyTest;

// 1000 client connections are opened and held; then each sends a distinct message and must get
// exactly that message back. Two workers, so the SO_REUSEPORT split is exercised too. The proxy
// starts under the common default of 1024 descriptors, so it must raise its own limit to hold
// 2000 sockets.
TEST_F(ConcurrencyTest, ThousandConcurrentConnectionsEachEchoTheirOwnMessage) {
  constexpr size_t kConnections = 1000;
  EchoServer upstream;
  ProxyConfig config = config_for({upstream.port()});
  config.workers = 2;
  NofileLimitRestorer restore_limit;
  const rlim_t inherited = set_nofile_limit(1024);
  ::testing::AssertionResult started = start(config);
  // The test's own client sockets, the echo server's sockets, and slack for the rest.
  ASSERT_GE(set_nofile_limit(8192), 2 * kConnections + 200);
  ASSERT_EQ(inherited, 1024u);
  ASSERT_TRUE(started);

  Deadline deadline = deadline_in(stretched(std::chrono::seconds(15)));
  std::vector<Fd> clients;
  std::vector<std::string> messages;
  for (size_t i = 0; i < kConnections; ++i) {
    clients.push_back(connect_tcp(listen_port_, deadline));
    ASSERT_TRUE(clients.back().valid()) << "connection " << i << ": " << strerror(errno);
    std::string message = "connection " + std::to_string(i) + " ";
    message.resize(128, static_cast<char>('a' + i % 26));
    messages.push_back(std::move(message));
  }
  for (size_t i = 0; i < kConnections; ++i)
    ASSERT_TRUE(send_all(clients[i].get(), messages[i], deadline).ok()) << "connection " << i;

  // Collect every echo with one poll loop; a connection is done once its message is complete.
  std::vector<std::string> echoes(kConnections);
  std::vector<std::string> failures;
  size_t open = kConnections;
  std::vector<bool> done(kConnections, false);
  while (open > 0 && Clock::now() < deadline) {
    std::vector<pollfd> polls;
    std::vector<size_t> index;
    for (size_t i = 0; i < kConnections; ++i) {
      if (done[i]) continue;
      polls.push_back({clients[i].get(), POLLIN, 0});
      index.push_back(i);
    }
    if (::poll(polls.data(), polls.size(), 100) <= 0) continue;
    for (size_t k = 0; k < polls.size(); ++k) {
      if (polls[k].revents == 0) continue;
      size_t i = index[k];
      char buf[256];
      ssize_t n = ::recv(clients[i].get(), buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) echoes[i].append(buf, static_cast<size_t>(n));
      bool closed = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
      if (closed) {
        failures.push_back("connection " + std::to_string(i) + " closed after " +
                           std::to_string(echoes[i].size()) + " bytes");
      }
      if (closed || echoes[i].size() >= messages[i].size()) {
        done[i] = true;
        --open;
      }
    }
  }

  EXPECT_EQ(open, 0u) << open << " connections got no complete echo in time";
  size_t matching = 0;
  for (size_t i = 0; i < kConnections; ++i) matching += echoes[i] == messages[i];
  EXPECT_EQ(matching, kConnections);
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  EXPECT_EQ(upstream.accepted(), kConnections);
}

}  // namespace
}  // namespace ringress::test
