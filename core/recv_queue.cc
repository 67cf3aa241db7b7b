#include "core/recv_queue.h"

#include <algorithm>
#include <cerrno>

#include "core/frame_pool.h"

namespace ringress::core {
namespace {
// Whether this thread's kernel takes a total byte limit on a multishot receive (6.17+); the
// first refusal (-EINVAL) turns it off.
thread_local bool t_multishot_limit = true;
}  // namespace

void* RecvQueue::operator new(std::size_t size) { return frame_alloc(size); }
void RecvQueue::operator delete(void* p, std::size_t size) noexcept { frame_free(p, size); }

RecvQueue::RecvQueue(int fd, BufferPool& pool, uint32_t high_watermark)
    : fd_(fd),
      pool_(pool),
      configured_watermark_(high_watermark),
      high_watermark_(high_watermark),
      max_buffers_(std::max<uint32_t>(1, high_watermark / pool.buffer_size())),
      pack_limit_(pool.buffer_size() / 4) {
  read_timer_.context = this;
  read_timer_.fire = [](Timer* t) {
    auto* self = static_cast<RecvQueue*>(t->context);
    self->timed_out_ = true;
    self->wake_reader();
  };
  maybe_arm();
}

void RecvQueue::maybe_arm() {
  if (armed_ || eof_ || error_ || cancelled_ || detached_ || quiescing_) return;
  if (t_multishot_limit ? burst_full() : full()) return;
  if (pool_.receivable() == 0) {
    pool_.wait_for_buffers(this);
    return;
  }
  // Armed, it no longer waits: a wake-up meant for it would be lost to every other waiter.
  pool_.cancel_wait(this);
  io_uring_sqe* s = Reactor::current().sqe();
  io_uring_prep_recv_multishot(s, fd_, nullptr, 0, 0);
  Reactor::current().fixed_file(s);  // the owning TcpStream registered it
  limited_ = t_multishot_limit;
  if (limited_) s->file_index = room();  // sqe->optlen in newer headers: the total limit
  s->flags |= IOSQE_BUFFER_SELECT;
  s->buf_group = BufferPool::kGroup;
  io_uring_sqe_set_data(s, static_cast<Completion*>(this));
  armed_ = true;
}

void RecvQueue::on_cqe(int res, uint32_t flags) {
  bool wake = false;
  const bool nobody_reading = !reader_;
  if (res > 0) {
    if (flags & IORING_CQE_F_BUFFER) {
      auto bid = static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
      BufferSlice slice = pool_.take(bid, static_cast<uint32_t>(res));
      if (!detached_) {
        enqueue(std::move(slice));
        wake = true;
      }
    } else {
      error_ = EIO;
      wake = true;
    }
  } else if (res == 0) {
    eof_ = true;
    wake = true;
  } else if (res == -ENOBUFS) {
    pool_.note_exhausted();
  } else if (res == -EINVAL && limited_) {
    t_multishot_limit = false;  // re-armed below without the limit
  } else if (res != -ECANCELED) {
    error_ = -res;
    wake = true;
  }
  if (!(flags & IORING_CQE_F_MORE)) {
    armed_ = false;
    pause_requested_ = false;
    if (quiescing_) wake = true;
    if (detached_) {
      destroy();
      return;
    }
    maybe_arm();
  } else if (!pause_requested_ && (limited_ ? burst_full() : full())) {
    pause_requested_ = true;
    Reactor::current().cancel(static_cast<Completion*>(this));
  }
  if (wake && !(quiescing_ && armed_)) wake_reader();  // a quiescer waits for the last CQE
  if (close_listener_ && nobody_reading && closed_by_peer()) close_listener_->on_peer_closed();
}

bool RecvQueue::limits_receives() { return t_multishot_limit; }

void RecvQueue::cap_watermark(uint32_t bytes) {
  high_watermark_ = bytes == 0 ? configured_watermark_ : std::min(bytes, configured_watermark_);
  max_buffers_ = std::max<uint32_t>(1, high_watermark_ / pool_.buffer_size());
  maybe_arm();  // a larger window may let a stopped receive go on
}

uint32_t RecvQueue::room() const {
  const uint64_t bytes = uint64_t(kBurstWatermarks) * high_watermark_ - queued_bytes_;
  const auto buffers = kBurstWatermarks * max_buffers_ - static_cast<uint32_t>(items_.size());
  return static_cast<uint32_t>(std::min<uint64_t>(bytes, uint64_t(buffers) * pool_.buffer_size()));
}

void RecvQueue::enqueue(BufferSlice slice) {
  queued_bytes_ += slice.size();
  if (slice.size() <= pack_limit_ && !items_.empty()) {
    BufferSlice& newest = items_.back();
    if (newest.room() >= slice.size()) {
      newest.append(slice.data(), slice.size());
      return;  // `slice` gives its buffer back now
    }
  }
  items_.push(std::move(slice));
}

void RecvQueue::wake_reader() {
  if (!reader_) return;
  if (read_timer_.queued()) Reactor::current().remove_timer(&read_timer_);
  Reactor::current().post(std::exchange(reader_, {}));
}

void RecvQueue::ReadAwaiter::await_suspend(std::coroutine_handle<> h) {
  q_.reader_ = h;
  q_.timed_out_ = false;
  q_.maybe_arm();
  if (deadline_ != kNoDeadline) {
    q_.read_timer_.deadline = deadline_;
    Reactor::current().add_timer(&q_.read_timer_);
  }
}

ReadResult RecvQueue::ReadAwaiter::await_resume() {
  RecvQueue& q = q_;
  if (q.cancelled_) return {-ECANCELED, {}};
  if (!q.items_.empty()) return {0, q.try_take()};
  if (q.error_) return {-q.error_, {}};
  if (q.eof_) return {};
  if (q.timed_out_) {
    q.timed_out_ = false;
    return {-ETIMEDOUT, {}};
  }
  return {-EAGAIN, {}};
}

BufferSlice RecvQueue::try_take() {
  if (cancelled_ || items_.empty()) return {};
  BufferSlice out = items_.pop();
  queued_bytes_ -= out.size();
  maybe_arm();
  return out;
}

bool RecvQueue::QuiesceAwaiter::await_ready() {
  q_.quiescing_ = true;
  q_.pool_.cancel_wait(&q_);
  if (!q_.armed_) return true;
  if (!q_.pause_requested_) {
    q_.pause_requested_ = true;
    Reactor::current().cancel(static_cast<Completion*>(&q_));
  }
  return false;
}

bool RecvQueue::QuiesceAwaiter::await_resume() {
  q_.quiescing_ = false;
  if (!q_.ready()) return false;
  q_.maybe_arm();
  return true;
}

void RecvQueue::cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  if (armed_) Reactor::current().cancel(static_cast<Completion*>(this));
  pool_.cancel_wait(this);
  wake_reader();
}

void RecvQueue::detach() {
  detached_ = true;
  pool_.cancel_wait(this);
  if (read_timer_.queued()) Reactor::current().remove_timer(&read_timer_);
  items_.clear();
  queued_bytes_ = 0;
  if (!armed_) {
    delete this;
    return;
  }
  Reactor::current().retain_teardown();
  if (!pause_requested_) Reactor::current().cancel(static_cast<Completion*>(this));
}

void RecvQueue::destroy() {
  Reactor::current().release_teardown();
  delete this;
}

}  // namespace ringress::core
