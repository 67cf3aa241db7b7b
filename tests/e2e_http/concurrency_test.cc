// Many kept-alive clients at once: 1000 connections, each with three requests in sequence,
// driven by one poll loop; every response must be the right one.
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

// Puts the test process's descriptor limit back when the test ends.
class NofileLimitRestorer {
 public:
  NofileLimitRestorer() { ::getrlimit(RLIMIT_NOFILE, &saved_); }
  ~NofileLimitRestorer() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

struct Client {
  Fd fd;
  MessageParser parser{MessageParser::Kind::response};
  int done = 0;  // responses received
  std::string outbox;
  bool failed = false;
};

std::string target_for(size_t client, int request) {
  return "/c" + std::to_string(client) + "/r" + std::to_string(request);
}

using ConcurrencyTest = HttpProxyTest;

TEST_F(ConcurrencyTest, ThousandKeepAliveClientsWithThreeRequestsEach) {
  constexpr size_t kClients = 1000;
  constexpr int kRequests = 3;
  NofileLimitRestorer restore;
  // Client sockets, the upstream's sockets, and the proxy's two per client (it inherits this).
  ASSERT_GE(set_nofile_limit(16384), 3 * kClients + 200);
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.workers = 2;
  ASSERT_TRUE(start(config));

  Deadline deadline = deadline_in(stretched(seconds(20)));
  std::vector<Client> clients(kClients);
  for (size_t i = 0; i < kClients; ++i) {
    clients[i].fd = connect_tcp(listen_port_, deadline);
    ASSERT_TRUE(clients[i].fd.valid()) << "client " << i << ": " << strerror(errno);
    clients[i].outbox = get_request(target_for(i, 0));
  }

  std::vector<std::string> failures;
  size_t finished = 0;
  std::vector<char> buf(65536);
  while (finished < kClients && Clock::now() < deadline) {
    std::vector<pollfd> polls;
    std::vector<size_t> index;
    for (size_t i = 0; i < kClients; ++i) {
      Client& c = clients[i];
      if (c.failed || c.done == kRequests) continue;
      polls.push_back({c.fd.get(), static_cast<short>(c.outbox.empty() ? POLLIN : POLLOUT), 0});
      index.push_back(i);
    }
    if (::poll(polls.data(), polls.size(), 100) <= 0) continue;
    for (size_t k = 0; k < polls.size(); ++k) {
      if (polls[k].revents == 0) continue;
      size_t i = index[k];
      Client& c = clients[i];
      auto fail = [&](const std::string& why) {
        failures.push_back("client " + std::to_string(i) + " request " + std::to_string(c.done) +
                           ": " + why);
        c.failed = true;
        ++finished;
      };
      if (!c.outbox.empty()) {
        ssize_t n =
            ::send(c.fd.get(), c.outbox.data(), c.outbox.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) c.outbox.erase(0, static_cast<size_t>(n));
        if (n < 0 && errno != EAGAIN && errno != EINTR)
          fail(std::string("send: ") + strerror(errno));
        continue;
      }
      ssize_t n = ::recv(c.fd.get(), buf.data(), buf.size(), MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) {
        fail(n == 0 ? "closed by the proxy" : std::string("recv: ") + strerror(errno));
        continue;
      }
      size_t used = c.parser.feed(buf.data(), static_cast<size_t>(n));
      if (!c.parser.done()) continue;
      HttpMessage r = c.parser.take();
      std::string expected = "GET " + target_for(i, c.done) + " 0";
      if (used != static_cast<size_t>(n)) {
        fail("bytes after the response");
      } else if (!r.ok() || r.status != 200 || r.body != expected) {
        fail(r.describe());
      } else if (++c.done == kRequests) {
        ++finished;
      } else {
        c.outbox = get_request(target_for(i, c.done));
      }
    }
  }

  size_t complete = 0;
  for (const Client& c : clients) complete += c.done == kRequests;
  EXPECT_EQ(complete, kClients) << failures.size() << " failed; first: "
                                << (failures.empty() ? "(none: timed out)" : failures.front());
  EXPECT_EQ(upstream.request_count(), kClients * kRequests);
}

}  // namespace
}  // namespace ringress::test
