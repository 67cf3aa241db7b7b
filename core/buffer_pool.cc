#include "core/buffer_pool.h"

#include <sys/mman.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "core/reactor.h"

namespace ringress::core {
namespace {
constexpr uint32_t kInitialRingTarget = 64;
constexpr uint32_t kReserve = 16;
}  // namespace

BufferSlice::BufferSlice(const BufferSlice& o)
    : pool_(o.pool_), bid_(o.bid_), offset_(o.offset_), length_(o.length_) {
  if (pool_) pool_->add_ref(bid_);
}

BufferSlice& BufferSlice::operator=(const BufferSlice& o) {
  if (this != &o) {
    if (o.pool_) o.pool_->add_ref(o.bid_);
    reset();
    pool_ = o.pool_;
    bid_ = o.bid_;
    offset_ = o.offset_;
    length_ = o.length_;
  }
  return *this;
}

BufferSlice& BufferSlice::operator=(BufferSlice&& o) noexcept {
  if (this != &o) {
    reset();
    pool_ = std::exchange(o.pool_, nullptr);
    bid_ = o.bid_;
    offset_ = o.offset_;
    length_ = o.length_;
  }
  return *this;
}

BufferSlice BufferSlice::sub(uint32_t offset, uint32_t length) const {
  BufferSlice out(*this);
  out.offset_ += offset;
  out.length_ = length;
  return out;
}

void BufferSlice::append(const char* p, uint32_t n) {
  std::memcpy(pool_->writable(bid_) + offset_ + length_, p, n);
  length_ += n;
}

void BufferSlice::reset() {
  if (pool_) pool_->release(bid_);
  pool_ = nullptr;
  length_ = 0;
}

BufferPool::BufferPool(Reactor& reactor, uint32_t buffer_size, uint32_t count)
    : reactor_(reactor),
      buffer_size_(buffer_size),
      count_(count),
      ring_target_(count < kInitialRingTarget ? count : kInitialRingTarget),
      reserve_(count / 8 < kReserve ? count / 8 : kReserve) {
  if (count == 0 || count > 32768 || (count & (count - 1)) != 0)
    throw std::invalid_argument("buffer count must be a power of two up to 32768");
  std::size_t data_bytes = std::size_t(buffer_size) * count;
  void* data =
      mmap(nullptr, data_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) throw std::runtime_error("mmap of receive buffers failed");
  base_ = static_cast<char*>(data);
  ring_bytes_ = sizeof(io_uring_buf) * count;
  void* ring =
      mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ring == MAP_FAILED) throw std::runtime_error("mmap of buffer ring failed");
  ring_ = static_cast<io_uring_buf_ring*>(ring);
  io_uring_buf_ring_init(ring_);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(ring_);
  reg.ring_entries = count;
  reg.bgid = kGroup;
  int rc = io_uring_register_buf_ring(reactor_.ring(), &reg, 0);
  if (rc != 0)
    throw std::runtime_error(std::string("io_uring_register_buf_ring: ") + std::strerror(-rc));
  refs_.assign(count, 0);
  free_.reserve(count);
  for (uint32_t i = count; i-- > 0;) free_.push_back(static_cast<uint16_t>(i));
  refill();
}

void BufferPool::refill() {
  int added = 0;
  const int mask = io_uring_buf_ring_mask(count_);
  while (in_ring_ < ring_target_ && free_.size() > reserve_) {
    uint16_t bid = free_.back();
    free_.pop_back();
    io_uring_buf_ring_add(ring_, base_ + std::size_t(bid) * buffer_size_, buffer_size_, bid, mask,
                          added++);
    ++in_ring_;
  }
  if (added > 0) io_uring_buf_ring_advance(ring_, added);
}

void BufferPool::note_exhausted() {
  ring_target_ = ring_target_ * 2 > count_ ? count_ : ring_target_ * 2;
  refill();
}

BufferPool::~BufferPool() {
  io_uring_unregister_buf_ring(reactor_.ring(), kGroup);
  munmap(ring_, ring_bytes_);
  munmap(base_, std::size_t(buffer_size_) * count_);
}

void BufferPool::release(uint16_t bid) {
  if (--refs_[bid] == 0) recycle(bid);
}

void BufferPool::recycle(uint16_t bid) {
  free_.push_back(bid);
  refill();
  if (BufferWaiter* w = waiters_head_) {
    waiters_head_ = w->next_waiter_;
    if (!waiters_head_) waiters_tail_ = nullptr;
    w->next_waiter_ = nullptr;
    w->waiting_ = false;
    w->on_buffers_available();
  }
}

void BufferPool::wait_for_buffers(BufferWaiter* w) {
  if (w->waiting_) return;
  w->waiting_ = true;
  w->next_waiter_ = nullptr;
  if (waiters_tail_)
    waiters_tail_->next_waiter_ = w;
  else
    waiters_head_ = w;
  waiters_tail_ = w;
}

void BufferPool::cancel_wait(BufferWaiter* w) {
  if (!w->waiting_) return;
  BufferWaiter** link = &waiters_head_;
  BufferWaiter* prev = nullptr;
  while (*link && *link != w) {
    prev = *link;
    link = &(*link)->next_waiter_;
  }
  if (*link) {
    *link = w->next_waiter_;
    if (waiters_tail_ == w) waiters_tail_ = prev;
  }
  w->next_waiter_ = nullptr;
  w->waiting_ = false;
}

}  // namespace ringress::core
