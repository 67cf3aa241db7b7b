// CancelToken and the waits that take one: a connect in flight, a sleep, an io_op with a
// deadline, the children of a TaskScope, and the connection pool's connect and TLS handshake.
// A cancelled wait ends with -ECANCELED long before its own deadline (the deadlines here are
// 30 s, so a wait that ignored the cancel would fail with -ETIMEDOUT, not pass late); nothing is
// left behind (the reactor loop ends only when every frame finished; AddressSanitizer sees any
// frame touched after it was freed or never freed).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <vector>

#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/cancel_token.h"
#include "core/connect.h"
#include "core/io_op.h"
#include "core/reactor.h"
#include "core/task_scope.h"
#include "lb/connection_pool.h"
#include "lb/hosts.h"
#include "tests/core/test_sockets.h"
#include "tls/client_context.h"

namespace ringress::core {
namespace {

using namespace std::chrono_literals;
using testing::loopback_any_port;

constexpr Duration kLongWait = 30s;

// A listener on 127.0.0.1 that never accepts, with its accept queue full (backlog 0, one
// connection queued): the kernel drops further SYNs, so a connect to it stays in flight until
// it is cancelled or times out. Loopback only: nothing leaves the machine.
class Blackhole {
 public:
  Blackhole() {
    std::string error;
    listener_ = listen_tcp(loopback_any_port(), 0, false, error);
    if (!listener_.valid()) return;
    address_ = local_address(listener_.fd());
    for (int i = 0; i < 16 && !full_; ++i) {
      Socket c(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      int rc = ::connect(c.fd(), address_.get(), address_.size());
      bool connected = rc == 0;
      if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{c.fd(), POLLOUT, 0};
        connected = ::poll(&p, 1, 300) == 1;
      }
      full_ = !connected;  // this one's SYN was dropped: the queue is full
      fillers_.push_back(std::move(c));
    }
  }
  bool full() const { return full_; }
  const SocketAddress& address() const { return address_; }

 private:
  Socket listener_;
  SocketAddress address_;
  std::vector<Socket> fillers_;
  bool full_ = false;
};

TEST(CancelToken, CancelsEveryRegisteredWaitOnceAndLaterOnesAtOnce) {
  int a = 0, b = 0, c = 0, left = 0;
  CancelToken token;
  CancelCallback ca(&token, [&] { ++a; });
  CancelCallback cb(&token, [&] { ++b; });
  {
    CancelCallback gone(&token, [&] { ++left; });
  }
  CancelCallback cl(&token, [&] { ++left; });
  cl.leave_scope();
  EXPECT_FALSE(token.cancelled());
  token.cancel();
  token.cancel();
  EXPECT_TRUE(token.cancelled());
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 1);
  EXPECT_EQ(left, 0);
  EXPECT_FALSE(ca.registered());
  CancelCallback late(&token, [&] { ++c; });
  EXPECT_EQ(c, 1);
  EXPECT_FALSE(late.registered());
}

TEST(CancelToken, NullTokenNeverCancels) {
  int n = 0;
  CancelCallback cb(nullptr, [&] { ++n; });
  EXPECT_FALSE(cb.registered());
  EXPECT_EQ(n, 0);
}

// Runs `wait` as a child; once it has been suspended for `after`, cancels `token`. Returns
// what `wait` returned (1 if it had ended before the cancel: the caller checks for that).
Task<int> cancel_during(Task<int> wait, CancelToken& token, Duration after) {
  TaskScope scope;
  int result = 1;
  bool ended = false;
  scope.spawn([](Task<int> w, int& r, bool& e) -> Task<void> {
    r = co_await std::move(w);
    e = true;
  }(std::move(wait), result, ended));
  co_await sleep_for(after);
  EXPECT_FALSE(ended) << "the wait ended before it was cancelled";
  token.cancel();
  co_await scope.join();
  co_return result;
}

Task<int> connect_error(const SocketAddress& a, TimePoint deadline, CancelToken& t) {
  ConnectResult r = co_await connect_tcp(a, deadline, &t);
  EXPECT_EQ(r.socket.valid(), r.error == 0);
  co_return r.error;
}

Task<int> sleep_result(Duration d, CancelToken& t) {
  int r = co_await sleep_for(d, &t);
  co_return r;
}

Task<int> recv_one_byte(int fd, TimePoint deadline, CancelToken& t) {
  char byte;
  char* p = &byte;
  int rc = co_await io_op([fd, p](io_uring_sqe* s) { io_uring_prep_recv(s, fd, p, 1, 0); },
                          deadline, &t);
  co_return rc;
}

TEST(Cancellation, ConnectInFlightEndsWithECanceled) {
  Reactor reactor;
  Blackhole hole;
  ASSERT_TRUE(hole.full()) << "could not fill the accept queue of a backlog-0 listener";
  CancelToken token;
  // By 50 ms the connect is in the kernel, its SYNs dropped.
  Task<int> wait = connect_error(hole.address(), deadline_after(kLongWait), token);
  EXPECT_EQ(reactor.run(cancel_during(std::move(wait), token, 50ms)), -ECANCELED);
}

TEST(Cancellation, ConnectWithACancelledTokenDoesNotStart) {
  Reactor reactor;
  Blackhole hole;
  CancelToken token;
  token.cancel();
  EXPECT_EQ(reactor.run(connect_error(hole.address(), deadline_after(kLongWait), token)),
            -ECANCELED);
}

TEST(Cancellation, ConnectDeadlineStillTimesOutWithAToken) {
  Reactor reactor;
  Blackhole hole;
  ASSERT_TRUE(hole.full());
  CancelToken token;
  EXPECT_EQ(reactor.run(connect_error(hole.address(), deadline_after(50ms), token)), -ETIMEDOUT);
  token.cancel();  // the finished connect left the token: nothing is touched
}

TEST(Cancellation, SleepEndsWithECanceled) {
  Reactor reactor;
  CancelToken token;
  Task<int> wait = sleep_result(kLongWait, token);
  EXPECT_EQ(reactor.run(cancel_during(std::move(wait), token, 1ms)), -ECANCELED);
}

TEST(Cancellation, SleepThatRanOutLeavesTheToken) {
  Reactor reactor;
  CancelToken token;
  EXPECT_EQ(reactor.run(sleep_result(1ms, token)), 0);
  EXPECT_EQ(reactor.run(sleep_result(0ms, token)), 0);  // due already: does not suspend
  token.cancel();
  EXPECT_EQ(reactor.run(sleep_result(kLongWait, token)), -ECANCELED);
}

TEST(Cancellation, IoOpTokenAndDeadlineFirstOneWins) {
  Reactor reactor;
  auto [a, b] = testing::tcp_pair();
  ASSERT_TRUE(a.valid());
  CancelToken token;
  EXPECT_EQ(reactor.run(recv_one_byte(a.fd(), deadline_after(20ms), token)), -ETIMEDOUT);
  Task<int> wait = recv_one_byte(a.fd(), deadline_after(kLongWait), token);
  EXPECT_EQ(reactor.run(cancel_during(std::move(wait), token, 10ms)), -ECANCELED);
}

TEST(Cancellation, ScopeCancelEndsTheWaitsOfItsChildren) {
  Reactor reactor;
  auto main = []() -> Task<int> {
    TaskScope scope;
    int cancelled = 0;
    for (int i = 0; i < 3; ++i) {
      scope.spawn([](CancelToken& t, int& n) -> Task<void> {
        int r = co_await sleep_for(kLongWait, &t);
        if (r == -ECANCELED) ++n;
      }(scope.token(), cancelled));
    }
    co_await Yield{};
    scope.cancel();
    co_await scope.join();
    co_return cancelled;
  };
  EXPECT_EQ(reactor.run(main()), 3);
}

// A cluster of one host at `address`, with a long connect timeout.
conf::Cluster cluster_at(const SocketAddress& address) {
  conf::Cluster c;
  c.name = "c";
  c.endpoints.push_back({address.to_string(), {address}, 1});
  c.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kLongWait);
  return c;
}

Task<int> pool_connect_error(lb::ConnectionPool& pool, CancelToken& t) {
  lb::ConnectOutcome out = co_await pool.connect(0, &t);
  EXPECT_FALSE(out.connection);
  EXPECT_TRUE(out.tls_failure.empty()) << out.tls_failure;
  co_return out.error;
}

TEST(Cancellation, PoolConnectInFlightIsCancelledNotCountedAsAFailure) {
  Reactor reactor;
  BufferPool buffers(reactor, 4096, 64);
  Blackhole hole;
  ASSERT_TRUE(hole.full());
  conf::Cluster cluster = cluster_at(hole.address());
  lb::ConnectionPool pool(cluster, lb::hosts_of(cluster), buffers, 64 * 1024);
  CancelToken token;
  EXPECT_EQ(reactor.run(cancel_during(pool_connect_error(pool, token), token, 50ms)), -ECANCELED);
  EXPECT_EQ(pool.stats().connect_failures, 0u);
  EXPECT_EQ(pool.stats().connect_timeouts, 0u);
  EXPECT_EQ(pool.stats().connections_opened, 0u);
}

TEST(Cancellation, PoolTlsHandshakeInFlightIsCancelled) {
  Reactor reactor;
  BufferPool buffers(reactor, 4096, 64);
  // Takes the TCP connection (the kernel completes it) and never answers the ClientHello.
  std::string error;
  Socket silent = listen_tcp(loopback_any_port(), 16, false, error);
  ASSERT_TRUE(silent.valid()) << error;
  conf::Cluster cluster = cluster_at(local_address(silent.fd()));
  tls::ClientSettings settings;
  settings.enabled = true;
  settings.verify = false;
  cluster.tls = settings;
  cluster.tls_context = tls::ClientContext::create(settings);
  lb::ConnectionPool pool(cluster, lb::hosts_of(cluster), buffers, 64 * 1024);
  CancelToken token;
  EXPECT_EQ(reactor.run(cancel_during(pool_connect_error(pool, token), token, 50ms)), -ECANCELED);
  EXPECT_EQ(pool.stats().connections_opened, 1u);
  EXPECT_EQ(pool.stats().tls_handshakes, 1u);
  EXPECT_EQ(pool.stats().tls_failures, 0u);
}

}  // namespace
}  // namespace ringress::core
