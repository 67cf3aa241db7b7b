// Arena: a bump allocator for the bytes of one request (header copies, rewritten values). It
// keeps its blocks across reset(), so a connection that serves many requests stops allocating
// after the first few. Addresses never move: views into an arena stay valid until reset().
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace ringress::core {

class Arena {
 public:
  explicit Arena(std::size_t block_size = 4096) : block_size_(block_size) {}

  char* allocate(std::size_t n) {
    if (n > left_) grow(n);
    char* p = cursor_;
    cursor_ += n;
    left_ -= n;
    return p;
  }
  std::string_view copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }
  // Appends to the most recent allocation when it ends at the cursor (so a header split across
  // receive buffers stays contiguous), else copies; returns the combined view.
  std::string_view extend(std::string_view last, std::string_view more) {
    if (last.empty()) return copy(more);
    if (more.empty()) return last;
    if (last.data() + last.size() == cursor_ && more.size() <= left_) {
      std::memcpy(cursor_, more.data(), more.size());
      cursor_ += more.size();
      left_ -= more.size();
      return {last.data(), last.size() + more.size()};
    }
    char* p = allocate(last.size() + more.size());
    std::memcpy(p, last.data(), last.size());
    std::memcpy(p + last.size(), more.data(), more.size());
    return {p, last.size() + more.size()};
  }
  void reset() {
    current_ = 0;
    if (blocks_.empty()) {
      cursor_ = nullptr;
      left_ = 0;
    } else {
      cursor_ = blocks_[0].data.get();
      left_ = blocks_[0].size;
    }
  }
  std::size_t capacity() const {
    std::size_t n = 0;
    for (const auto& b : blocks_) n += b.size;
    return n;
  }

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    std::size_t size;
  };
  void grow(std::size_t n) {
    while (current_ + 1 < blocks_.size()) {
      ++current_;
      if (blocks_[current_].size >= n) {
        cursor_ = blocks_[current_].data.get();
        left_ = blocks_[current_].size;
        return;
      }
    }
    std::size_t size = n > block_size_ ? n : block_size_;
    blocks_.push_back({std::make_unique<char[]>(size), size});
    current_ = blocks_.size() - 1;
    cursor_ = blocks_.back().data.get();
    left_ = size;
  }
  std::size_t block_size_;
  std::vector<Block> blocks_;
  std::size_t current_ = 0;
  char* cursor_ = nullptr;
  std::size_t left_ = 0;
};

}  // namespace ringress::core
