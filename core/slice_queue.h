// SliceQueue: a FIFO of BufferSlices with room for the usual few inline, so a connection's
// receive queue costs no allocation; rare bursts beyond that spill into a vector.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "core/buffer_pool.h"

namespace ringress::core {

class SliceQueue {
 public:
  static constexpr std::size_t kInline = 16;

  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_ + (spill_.size() - spill_head_); }

  void push(BufferSlice s) {
    if (spill_head_ == spill_.size() && count_ < kInline) {
      inline_[(head_ + count_) % kInline] = std::move(s);
      ++count_;
      return;
    }
    spill_.push_back(std::move(s));
  }

  // The newest slice; requires !empty().
  BufferSlice& back() {
    if (spill_head_ < spill_.size()) return spill_.back();
    return inline_[(head_ + count_ - 1) % kInline];
  }

  // Requires !empty().
  BufferSlice pop() {
    BufferSlice out = std::move(inline_[head_]);
    head_ = (head_ + 1) % kInline;
    --count_;
    if (spill_head_ < spill_.size()) {  // keep order: the oldest spilled one moves inline
      inline_[(head_ + count_) % kInline] = std::move(spill_[spill_head_++]);
      ++count_;
      if (spill_head_ == spill_.size()) {
        spill_.clear();
        spill_head_ = 0;
      }
    }
    return out;
  }

  void clear() {
    while (!empty()) pop();
  }

 private:
  std::array<BufferSlice, kInline> inline_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::vector<BufferSlice> spill_;
  std::size_t spill_head_ = 0;
};

}  // namespace ringress::core
