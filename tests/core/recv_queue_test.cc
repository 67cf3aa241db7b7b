// The receive side's share of the buffer pool: a connection holds a bounded number of buffers
// whatever the size of the TCP segments its peer sends, and tiny receives are packed.
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "core/slice_queue.h"
#include "core/tcp_stream.h"
#include "test_sockets.h"

namespace ringress::core {
namespace {

using testing::tcp_pair;

std::string numbered_bytes(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>(i % 251);
  return s;
}

// Bytes the kernel holds for the reader of `fd` (not yet taken by its multishot receive).
int unread_in_kernel(int fd) {
  int n = 0;
  ::ioctl(fd, SIOCINQ, &n);
  return n;
}

// Sends `data` in `piece`-byte TCP segments (TCP_NODELAY) to `receiver`, each once the one
// before was received (or 20 ms later, when the receiver stopped receiving): one receive each.
void send_in_segments(int fd, int receiver, const std::string& data, std::size_t piece,
                      std::atomic<bool>& done) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  for (std::size_t off = 0; off < data.size(); off += piece) {
    std::size_t n = std::min(piece, data.size() - off);
    if (!testing::send_all(fd, data.substr(off, n))) break;
    auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
    while (unread_in_kernel(receiver) > 0 && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::microseconds(10));
  }
  done = true;
}

// Waits until the writer is done, without reading. Its last receive completed before that.
Task<void> wait_for_writer(const std::atomic<bool>& done) {
  while (!done) co_await sleep_for(std::chrono::milliseconds(5));
}

Task<std::string> read_all(TcpStream& s, std::size_t size) {
  std::string out;
  while (out.size() < size) {
    ReadResult r = co_await s.read(deadline_after(std::chrono::seconds(5)));
    if (r.error < 0 || r.eof()) break;
    out.append(r.data.view());
  }
  co_return out;
}

struct Received {
  uint32_t held = 0;  // pool buffers in use once everything arrived, before any read
  std::string data;   // then everything read
};

// A peer sends `data` in `piece`-byte segments to a TcpStream (4 KiB buffers) that reads
// nothing until all of it arrived.
Received receive_unread(const std::string& data, std::size_t piece, uint32_t high_watermark) {
  Reactor reactor;
  BufferPool pool(reactor, 4096, 256);
  auto [peer, mine] = tcp_pair();
  std::atomic<bool> done{false};
  std::thread writer(send_in_segments, peer.fd(), mine.fd(), std::cref(data), piece,
                     std::ref(done));
  Received got;
  reactor.run([](Socket s, BufferPool& p, uint32_t hw, const std::atomic<bool>& d, std::size_t size,
                 Received& out) -> Task<void> {
    TcpStream stream(std::move(s), p, hw);
    co_await wait_for_writer(d);
    out.held = p.in_use();
    out.data = co_await read_all(stream, size);
  }(std::move(mine), pool, high_watermark, done, data.size(), got));
  writer.join();
  EXPECT_EQ(pool.in_use(), 0u);
  return got;
}

TEST(BufferSlice, AppendPacksBytesIntoTheFreeTailOfAnUnsharedBuffer) {
  Reactor reactor;
  BufferPool pool(reactor, 1024, 4);
  BufferSlice a = pool.take(1, 3);
  std::memcpy(pool.writable(1), "abc", 3);
  EXPECT_EQ(a.room(), 1021u);
  a.append("de", 2);
  EXPECT_EQ(a.view(), "abcde");
  a.consume(2);
  EXPECT_EQ(a.view(), "cde");
  EXPECT_EQ(a.room(), 1019u);
  BufferSlice b = a.sub(0, 1);  // shared: the bytes after `a` may be someone else's now
  EXPECT_EQ(a.room(), 0u);
  EXPECT_EQ(b.room(), 0u);
  EXPECT_EQ(pool.in_use(), 1u);
}

TEST(SliceQueue, BackIsTheNewestSliceAlsoWhenSpilledPastTheInlineRoom) {
  Reactor reactor;
  BufferPool pool(reactor, 64, 32);
  SliceQueue q;
  for (uint16_t i = 0; i < SliceQueue::kInline + 4; ++i) {
    q.push(pool.take(i, i + 1u));
    EXPECT_EQ(q.back().size(), i + 1u);
  }
  for (std::size_t i = 0; i < SliceQueue::kInline + 2; ++i) q.pop();
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.back().size(), SliceQueue::kInline + 4u);
  q.back().consume(1);
  q.pop();
  EXPECT_EQ(q.pop().size(), SliceQueue::kInline + 3u);
  EXPECT_TRUE(q.empty());
}

// Thousands of one-byte segments that nobody reads yet: each receive takes a buffer from the
// kernel's ring, but its byte is packed into the newest queued buffer and that buffer goes
// back at once. They used to pin a buffer per byte until the pool ran dry.
TEST(RecvQueue, OneByteSegmentsArePackedIntoFewBuffers) {
  const std::string data = numbered_bytes(6000);
  Received got = receive_unread(data, 1, 65536);
  // 6000 bytes: one full 4 KiB buffer, the rest in a second (a third if a receive of a few
  // coalesced bytes did not fit the first one's tail).
  EXPECT_GE(got.held, 2u);
  EXPECT_LE(got.held, 3u);
  EXPECT_TRUE(got.data == data) << "got " << got.data.size() << " of " << data.size() << " bytes";
}

// Receives just too big to pack (a quarter of a buffer and one byte): the queue stops at
// high_watermark / buffer_size = 4 buffers, not at high_watermark bytes (16 such receives),
// give or take receives completed before the kernel saw the cancel.
TEST(RecvQueue, HoldsAtMostItsShareOfBuffersWhateverTheSegmentSize) {
  const std::string data = numbered_bytes(1025 * 30);
  Received got = receive_unread(data, 1025, 4 * 4096);
  EXPECT_GE(got.held, 4u);
  EXPECT_LE(got.held, 4u + 1u);
  EXPECT_TRUE(got.data == data) << "got " << got.data.size() << " of " << data.size() << " bytes";
}

}  // namespace
}  // namespace ringress::core
