// IdleFreeList: objects kept for reuse (a LIFO of owned pointers) that gives back what the
// load no longer needs. trim() ends a period: the objects that stayed in the list during the
// whole period (its low-water mark: no take() reached them) are destroyed. A steady load keeps
// exactly what it circulates and allocates nothing; after a burst, its extra objects go at the
// first trim() a whole period after the burst. take() and put() are O(1) and allocate nothing
// once the list's vector has grown.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

namespace ringress::core {

template <class T>
class IdleFreeList {
 public:
  // At most `max_kept` objects are kept; put() destroys the others.
  explicit IdleFreeList(std::size_t max_kept) : max_kept_(max_kept) {}

  // The most recently put object, or null when the list is empty.
  std::unique_ptr<T> take() {
    if (items_.empty()) return nullptr;
    std::unique_ptr<T> p = std::move(items_.back());
    items_.pop_back();
    low_ = std::min(low_, items_.size());
    return p;
  }
  void put(std::unique_ptr<T> p) {
    if (items_.size() < max_kept_) items_.push_back(std::move(p));
  }
  // Ends a period: destroys the objects no take() reached since the previous trim() (the oldest
  // ones, at the bottom). Returns how many.
  std::size_t trim() {
    const std::size_t idle = std::min(low_, items_.size());
    items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(idle));
    low_ = items_.size();
    return idle;
  }
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<std::unique_ptr<T>> items_;  // most recently put last
  std::size_t low_ = 0;                    // the fewest held during this period
  std::size_t max_kept_;
};

}  // namespace ringress::core
