#include "core/tcp_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "core/acceptor.h"
#include "core/connect.h"
#include "core/task_scope.h"
#include "test_sockets.h"

namespace ringress::core {
namespace {

using testing::send_all;
using testing::set_timeouts;
using testing::tcp_pair;

Task<std::string> read_to_eof(TcpStream& s) {
  std::string out;
  for (;;) {
    ReadResult r = co_await s.read(deadline_after(std::chrono::seconds(5)));
    if (r.error < 0 || r.eof()) break;
    out.append(r.data.view());
  }
  co_return out;
}

TEST(TcpStream, ReadsWritesAndSeesEndOfStream) {
  Reactor reactor;
  BufferPool pool(reactor, 4096, 64);
  auto [peer, mine] = tcp_pair();
  set_timeouts(peer.fd(), 5000);
  std::string payload(100000, 'x');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = char('a' + i % 26);
  std::thread writer([&] {
    send_all(peer.fd(), payload);
    ::shutdown(peer.fd(), SHUT_WR);
  });
  std::string got = reactor.run([](Socket s, BufferPool& p) -> Task<std::string> {
    TcpStream stream(std::move(s), p, 65536);
    std::string data = co_await read_to_eof(stream);
    int w = co_await stream.write("pong", 4);
    EXPECT_EQ(w, 4);
    co_return data;
  }(std::move(mine), pool));
  writer.join();
  EXPECT_EQ(got, payload);
  char buf[8] = {};
  EXPECT_EQ(::recv(peer.fd(), buf, sizeof(buf), 0), 4);
  EXPECT_EQ(std::string(buf, 4), "pong");
  EXPECT_EQ(pool.available(), pool.count());
}

TEST(TcpStream, ReadDeadlineLeavesTheStreamUsable) {
  Reactor reactor;
  BufferPool pool(reactor, 4096, 64);
  auto [peer, mine] = tcp_pair();
  std::string got = reactor.run([](Socket s, BufferPool& p, int peer_fd) -> Task<std::string> {
    TcpStream stream(std::move(s), p, 65536);
    ReadResult r = co_await stream.read(deadline_after(std::chrono::milliseconds(20)));
    EXPECT_EQ(r.error, -ETIMEDOUT);
    send_all(peer_fd, "late");
    ReadResult r2 = co_await stream.read(deadline_after(std::chrono::seconds(5)));
    EXPECT_EQ(r2.error, 0);
    co_return std::string(r2.data.view());
  }(std::move(mine), pool, peer.fd()));
  EXPECT_EQ(got, "late");
}

TEST(TcpStream, ShutdownWriteIsAHalfClose) {
  Reactor reactor;
  BufferPool pool(reactor, 4096, 64);
  auto [peer, mine] = tcp_pair();
  set_timeouts(peer.fd(), 5000);
  reactor.run([](Socket s, BufferPool& p, int peer_fd) -> Task<void> {
    TcpStream stream(std::move(s), p, 65536);
    EXPECT_EQ(co_await stream.shutdown_write(), 0);
    char c;
    EXPECT_EQ(::recv(peer_fd, &c, 1, 0), 0);  // peer sees EOF
    send_all(peer_fd, "still open");
    ReadResult r = co_await stream.read(deadline_after(std::chrono::seconds(5)));
    EXPECT_EQ(r.data.view(), "still open");
  }(std::move(mine), pool, peer.fd()));
}

// A scope with reads, writes and sleeps in flight is cancelled; every child returns, and the
// streams are destroyed while their multishot receives are still being torn down. Under ASan
// this proves that no completion lands in a freed frame or queue.
TEST(TaskScope, CancelWithOperationsInFlight) {
  Reactor reactor;
  BufferPool pool(reactor, 4096, 64);
  std::vector<std::pair<Socket, Socket>> pairs;
  for (int i = 0; i < 20; ++i) pairs.push_back(tcp_pair());
  int cancelled_reads = 0, cancelled_writes = 0;
  reactor.run([](std::vector<std::pair<Socket, Socket>>& ps, BufferPool& p, int& reads,
                 int& writes) -> Task<void> {
    TaskScope scope;
    struct StreamCanceller final : Cancellable {
      explicit StreamCanceller(TcpStream& s) : stream(s) {}
      void cancel() override { stream.cancel(); }
      TcpStream& stream;
    };
    for (std::size_t i = 0; i < ps.size(); ++i) {
      Socket s = std::move(ps[i].second);
      if (i % 2 == 0) {
        scope.spawn([](Socket sock, BufferPool& bp, TaskScope& sc, int& n) -> Task<void> {
          TcpStream stream(std::move(sock), bp, 65536);
          StreamCanceller c(stream);
          sc.add(c);
          ReadResult r = co_await stream.read();
          if (r.error == -ECANCELED) ++n;
        }(std::move(s), p, scope, reads));
      } else {
        scope.spawn([](Socket sock, BufferPool& bp, TaskScope& sc, int& n) -> Task<void> {
          TcpStream stream(std::move(sock), bp, 65536);
          StreamCanceller c(stream);
          sc.add(c);
          // The peer never reads: this write blocks once the socket buffers are full.
          std::string big(16 << 20, 'w');
          int w = co_await stream.write(big.data(), big.size());
          if (w == -ECANCELED) ++n;
        }(std::move(s), p, scope, writes));
      }
    }
    co_await sleep_for(std::chrono::milliseconds(50));
    scope.cancel();
    co_await scope.join();
  }(pairs, pool, cancelled_reads, cancelled_writes));
  EXPECT_EQ(cancelled_reads, 10);
  EXPECT_EQ(cancelled_writes, 10);
  EXPECT_EQ(pool.available(), pool.count());
}

// More iovecs than one sendmsg takes (IOV_MAX, else EMSGSIZE) go out in several, in order.
TEST(TcpStream, WritevSendsMoreThanIovMaxPieces) {
  Reactor reactor;
  BufferPool pool(reactor, 4096, 64);
  auto [peer, mine] = tcp_pair();
  set_timeouts(peer.fd(), 5000);
  std::string data(3000, 'x');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = char('a' + i % 26);
  std::string got;
  std::thread reader([&got, fd = peer.fd(), size = data.size()] {
    char buf[4096];
    while (got.size() < size) {
      ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
  });
  int written = reactor.run([](Socket s, BufferPool& p, std::string& d) -> Task<int> {
    TcpStream stream(std::move(s), p, 65536);
    std::vector<iovec> iov;
    for (char& c : d) iov.push_back({&c, 1});
    co_return co_await stream.writev(std::span<iovec>(iov));
  }(std::move(mine), pool, data));
  reader.join();
  EXPECT_EQ(written, 3000);
  EXPECT_EQ(got, data);
}

TEST(TcpStream, DestroyedWithDataQueuedReturnsAllBuffers) {
  Reactor reactor;
  BufferPool pool(reactor, 1024, 64);
  auto [peer, mine] = tcp_pair();
  send_all(peer.fd(), std::string(20000, 'q'));
  reactor.run([](Socket s, BufferPool& p) -> Task<void> {
    TcpStream stream(std::move(s), p, 8192);
    co_await sleep_for(std::chrono::milliseconds(20));  // let data queue up, never read it
  }(std::move(mine), pool));
  EXPECT_EQ(pool.available(), pool.count());
}

// The receive side stops at its high watermark when nobody reads: memory per connection is
// bounded whatever the peer sends.
TEST(TcpStream, HighWatermarkBoundsQueuedBytes) {
  Reactor reactor;
  BufferPool pool(reactor, 4096, 256);
  auto [peer, mine] = tcp_pair();
  int flags = 1;
  ::setsockopt(peer.fd(), SOL_SOCKET, SO_SNDBUF, &flags, sizeof(flags));
  std::atomic<bool> stop{false};
  std::size_t sent = 0;
  std::thread writer([&, fd = peer.fd()] {
    set_timeouts(fd, 100);
    std::string chunk(65536, 'z');
    while (!stop) {
      ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
  });
  std::size_t total = 0;
  reactor.run([](Socket s, BufferPool& p, std::atomic<bool>& st, std::size_t& t) -> Task<void> {
    TcpStream stream(std::move(s), p, 16384);
    co_await sleep_for(std::chrono::milliseconds(200));
    // 16 KiB watermark plus at most the CQEs already in flight when the pause was asked.
    EXPECT_LE(p.count() - p.available(), 16u);
    st = true;
    for (;;) {
      ReadResult r = co_await stream.read(deadline_after(std::chrono::milliseconds(300)));
      if (r.error < 0 || r.eof()) break;
      t += r.data.size();
    }
  }(std::move(mine), pool, stop, total));
  writer.join();
  EXPECT_EQ(total, sent);
}

TEST(Acceptor, AcceptsConnectsAndStops) {
  Reactor reactor;
  BufferPool pool(reactor, 4096, 64);
  std::string error;
  Socket listening = listen_tcp(testing::loopback_any_port(), 64, false, error);
  SocketAddress addr = local_address(listening.fd());
  std::string echoed =
      reactor.run([](Socket l, SocketAddress a, BufferPool& p) -> Task<std::string> {
        Acceptor acceptor(std::move(l));
        ConnectResult c = co_await connect_tcp(a, deadline_after(std::chrono::seconds(5)));
        EXPECT_EQ(c.error, 0);
        AcceptResult r = co_await acceptor.accept();
        EXPECT_EQ(r.error, 0);
        TcpStream server(std::move(r.socket), p, 65536);
        TcpStream client(std::move(c.socket), p, 65536);
        co_await client.write("hi", 2);
        ReadResult got = co_await server.read(deadline_after(std::chrono::seconds(5)));
        acceptor.stop();
        AcceptResult after = co_await acceptor.accept();
        EXPECT_EQ(after.error, -ECANCELED);
        co_return std::string(got.data.view());
      }(std::move(listening), addr, pool));
  EXPECT_EQ(echoed, "hi");
}

TEST(Connect, RefusedIsAnErrorValue) {
  Reactor reactor;
  std::string error;
  SocketAddress addr;
  {
    Socket l = listen_tcp(testing::loopback_any_port(), 1, false, error);
    addr = local_address(l.fd());
  }  // closed: connecting now is refused
  int rc = reactor.run([](SocketAddress a) -> Task<int> {
    ConnectResult c = co_await connect_tcp(a, deadline_after(std::chrono::seconds(5)));
    co_return c.error;
  }(addr));
  EXPECT_EQ(rc, -ECONNREFUSED);
}

}  // namespace
}  // namespace ringress::core
