// Registered files (Reactor::attach_file): a TcpStream's socket sits in the ring's file table
// at its descriptor's number. When the stream ends (destroyed, or its socket released and then
// closed) the slot must be emptied, else the table keeps the old socket open (its peer never
// sees the close); the next socket given that number gets the slot and its own bytes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <utility>

#include "core/io_op.h"
#include "core/tcp_stream.h"
#include "test_sockets.h"

namespace ringress::core {
namespace {

using testing::send_all;
using testing::set_timeouts;
using testing::tcp_pair;

std::string recv_some(int fd) {
  char buf[64];
  ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
  if (n == 0) return "<end of stream>";
  return n > 0 ? std::string(buf, std::size_t(n)) : "<error or timeout>";
}

// `fresh` moved to descriptor number `number` (which must be free).
Socket renumbered(Socket fresh, int number) {
  if (::dup2(fresh.fd(), number) != number) return {};
  return Socket(number);
}

// Writes `out`, then reads what the peer sends back.
Task<std::string> exchange(TcpStream& s, std::string out) {
  int w = co_await s.write(out.data(), out.size());
  EXPECT_EQ(w, int(out.size()));
  ReadResult r = co_await s.read(deadline_after(std::chrono::seconds(5)));
  EXPECT_EQ(r.error, 0);
  co_return std::string(r.data.view());
}

enum class End { destroyed, released_and_closed };

void reuse_after(End end) {
  Reactor reactor;
  if (reactor.features().file_slots == 0) GTEST_SKIP() << "no registered-file table";
  BufferPool pool(reactor, 4096, 64);
  auto [old_peer, old_mine] = tcp_pair();
  auto [new_peer, new_mine] = tcp_pair();
  set_timeouts(old_peer.fd(), 2000);
  set_timeouts(new_peer.fd(), 5000);
  const int number = old_mine.fd();
  reactor.run([](Socket old_socket, Socket new_socket, BufferPool& p, int number, End end,
                 int old_peer_fd, int new_peer_fd) -> Task<void> {
    {
      auto old_stream = std::make_unique<TcpStream>(std::move(old_socket), p, 65536);
      send_all(old_peer_fd, "o");
      EXPECT_EQ(co_await exchange(*old_stream, "to old"), "o");
      if (end == End::released_and_closed) old_stream->release().reset();  // ::close now
      old_stream.reset();
    }
    co_await Yield{};  // the slot update and the ring's close reach the kernel
    co_await Yield{};
    // The socket is closed, not kept open by the file table (blocking reads, 2 s at most).
    EXPECT_EQ(recv_some(old_peer_fd), "to old");
    EXPECT_EQ(recv_some(old_peer_fd), "<end of stream>");
    TcpStream stream(renumbered(std::move(new_socket), number), p, 65536);
    EXPECT_EQ(stream.fd(), number);
    send_all(new_peer_fd, "n");
    EXPECT_EQ(co_await exchange(stream, "to new"), "n");
  }(std::move(old_mine), std::move(new_mine), pool, number, end, old_peer.fd(), new_peer.fd()));
  EXPECT_EQ(recv_some(new_peer.fd()), "to new");
  EXPECT_EQ(recv_some(old_peer.fd()), "<end of stream>");  // nothing went to the old peer
}

TEST(RegisteredFile, ADescriptorNumberReusedAfterAStreamEndsReachesTheNewSocket) {
  reuse_after(End::destroyed);
}

TEST(RegisteredFile, ADescriptorNumberReusedAfterReleaseAndCloseReachesTheNewSocket) {
  reuse_after(End::released_and_closed);
}

TEST(RegisteredFile, TheRingUsesItsRegisteredFdAndAFileTable) {
  Reactor reactor;
  EXPECT_TRUE(reactor.features().registered_ring_fd);  // Linux 5.18+
  EXPECT_GT(reactor.features().file_slots, 0u);        // Linux 5.19+
}

}  // namespace
}  // namespace ringress::core
