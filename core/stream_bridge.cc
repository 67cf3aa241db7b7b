#include "core/stream_bridge.h"

#include <cerrno>

#include "core/task_scope.h"

namespace ringress::core {
namespace {

struct Shared {
  Stream& a;
  Stream& b;
  Duration idle;
  TimePoint last_activity;
  BridgeResult result;
  void abort() {
    a.cancel();
    b.cancel();
  }
  // `side` failed with `error`; a cancel is the abort of the other pump, not a failure.
  void fail(const Stream& side, int error) {
    if (error != -ECANCELED && !result.reset) {
      result.reset = true;
      result.a_failed = &side == &a;
    }
    abort();
  }
};

constexpr std::size_t kBatch = 16;

Task<void> pump(Shared& s, Stream& from, Stream& to, uint64_t& bytes, BufferSlice first) {
  BufferSlice slices[kBatch];
  if (!first.empty()) {
    int w = co_await to.write(first.data(), first.size(), deadline_after(s.idle));
    if (w < 0) {
      s.fail(to, w);
      co_return;
    }
    bytes += first.size();
    first.reset();
  }
  for (;;) {
    ReadResult r = co_await from.read(deadline_after(s.idle));
    if (r.error == -ETIMEDOUT) {
      if (Clock::now() - s.last_activity < s.idle) continue;
      s.result.idle_timeout = true;
      s.abort();
      co_return;
    }
    if (r.error < 0) {
      s.fail(from, r.error);
      co_return;
    }
    if (r.eof()) {
      co_await to.shutdown_write();
      co_return;
    }
    s.last_activity = Clock::now();
    // Whatever else already arrived goes out in the same writev.
    std::size_t n = 0;
    slices[n++] = std::move(r.data);
    while (n < kBatch) {
      BufferSlice more = from.try_read();
      if (more.empty()) break;
      slices[n++] = std::move(more);
    }
    iovec iov[kBatch];
    std::size_t total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      iov[i] = {const_cast<char*>(slices[i].data()), slices[i].size()};
      total += slices[i].size();
    }
    int w = co_await to.writev(std::span<iovec>(iov, n), deadline_after(s.idle));
    for (std::size_t i = 0; i < n; ++i) slices[i].reset();
    if (w < 0) {
      s.fail(to, w);
      co_return;
    }
    bytes += total;
    s.last_activity = Clock::now();
  }
}

}  // namespace

Task<BridgeResult> bridge(Stream& a, Stream& b, Duration idle, BufferSlice a_first,
                          BufferSlice b_first) {
  Shared s{a, b, idle, Clock::now(), {}};
  TaskScope pumps;
  pumps.spawn(pump(s, a, b, s.result.a_to_b, std::move(a_first)));
  pumps.spawn(pump(s, b, a, s.result.b_to_a, std::move(b_first)));
  co_await pumps.join();
  co_return s.result;
}

}  // namespace ringress::core
