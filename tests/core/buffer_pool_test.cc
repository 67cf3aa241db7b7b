#include "core/buffer_pool.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/task_scope.h"
#include "core/tcp_stream.h"
#include "test_sockets.h"

namespace ringress::core {
namespace {

TEST(BufferSlice, CopiesShareAndTheLastOneReturnsTheBuffer) {
  Reactor reactor;
  BufferPool pool(reactor, 1024, 4);
  {
    BufferSlice a = pool.take(2, 100);
    EXPECT_EQ(pool.available(), 3u);
    BufferSlice b = a.sub(10, 20);
    a.reset();
    EXPECT_EQ(pool.available(), 3u);
    EXPECT_EQ(b.size(), 20u);
  }
  EXPECT_EQ(pool.available(), 4u);
}

// With 8 receive buffers shared by 4 connections and a reader that holds on to what it got,
// the ring runs dry (-ENOBUFS ends the multishot receives). Once the reader lets go, every
// connection re-arms and all bytes arrive, complete and in order.
TEST(BufferPool, ExhaustionIsBackpressureNotLoss) {
  Reactor reactor;
  BufferPool pool(reactor, 1024, 8);
  constexpr int kConns = 4;
  constexpr std::size_t kBytes = 64 * 1024;
  std::vector<std::pair<Socket, Socket>> pairs;
  for (int i = 0; i < kConns; ++i) pairs.push_back(testing::tcp_pair());
  std::vector<std::thread> writers;
  for (int i = 0; i < kConns; ++i) {
    writers.emplace_back([fd = pairs[i].first.fd(), i] {
      testing::set_timeouts(fd, 10000);
      std::string data(kBytes, 0);
      for (std::size_t k = 0; k < data.size(); ++k) data[k] = char((k * 7 + i) & 0xff);
      testing::send_all(fd, data);
      ::shutdown(fd, SHUT_WR);
    });
  }
  bool saw_exhaustion = false;
  std::vector<std::string> got(kConns);
  reactor.run([](std::vector<std::pair<Socket, Socket>>& ps, BufferPool& p,
                 std::vector<std::string>& out, bool& exhausted) -> Task<void> {
    TaskScope scope;
    std::vector<BufferSlice> held;
    bool holding = true;
    // Hold received slices until the pool is empty, then let them all go.
    scope.spawn(
        [](BufferPool& bp, std::vector<BufferSlice>& h, bool& ex, bool& hold) -> Task<void> {
          // The reserve stays out of the kernel's ring (for TLS plaintext).
          for (int i = 0; i < 400 && bp.available() > bp.reserve(); ++i)
            co_await sleep_for(std::chrono::milliseconds(5));
          ex = bp.available() == bp.reserve();
          co_await sleep_for(std::chrono::milliseconds(50));
          hold = false;
          h.clear();
        }(p, held, exhausted, holding));
    for (std::size_t i = 0; i < ps.size(); ++i) {
      scope.spawn([](Socket s, BufferPool& bp, std::string& o, std::vector<BufferSlice>& h,
                     bool& hold) -> Task<void> {
        TcpStream stream(std::move(s), bp, 1 << 20);
        for (;;) {
          ReadResult r = co_await stream.read(deadline_after(std::chrono::seconds(10)));
          if (r.error < 0 || r.eof()) break;
          o.append(r.data.view());
          if (hold) h.push_back(std::move(r.data));
        }
      }(std::move(ps[i].second), p, out[i], held, holding));
    }
    co_await scope.join();
  }(pairs, pool, got, saw_exhaustion));
  for (auto& w : writers) w.join();
  EXPECT_TRUE(saw_exhaustion);
  for (int i = 0; i < kConns; ++i) {
    ASSERT_EQ(got[i].size(), kBytes) << "connection " << i;
    for (std::size_t k = 0; k < kBytes; ++k)
      ASSERT_EQ(got[i][k], char((k * 7 + i) & 0xff)) << "connection " << i << " byte " << k;
  }
  EXPECT_EQ(pool.available(), pool.count());
}

}  // namespace
}  // namespace ringress::core
