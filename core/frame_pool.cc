#include "core/frame_pool.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace ringress::core {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPoolEnabled = false;
#else
constexpr bool kPoolEnabled = true;
#endif

constexpr std::size_t kGranule = 64;
constexpr std::size_t kClasses = 64;  // frames up to 4 KiB are pooled
constexpr std::size_t kMaxCachedPerClass = 4096;

std::atomic<std::size_t> g_misses{0};

struct FreeNode {
  FreeNode* next;
};

struct ThreadPools {
  FreeNode* heads[kClasses] = {};
  std::size_t counts[kClasses] = {};
  std::size_t lows[kClasses] = {};  // the fewest cached during this trim period
  ~ThreadPools() {
    for (auto*& head : heads) {
      while (head) {
        FreeNode* next = head->next;
        ::operator delete(head);
        head = next;
      }
    }
  }
};

thread_local ThreadPools t_pools;

std::size_t class_of(std::size_t size) { return (size + kGranule - 1) / kGranule - 1; }

}  // namespace

void* frame_alloc(std::size_t size) {
  std::size_t c = class_of(size);
  if (!kPoolEnabled || c >= kClasses) return ::operator new(size);
  if (FreeNode* n = t_pools.heads[c]) {
    t_pools.heads[c] = n->next;
    if (--t_pools.counts[c] < t_pools.lows[c]) t_pools.lows[c] = t_pools.counts[c];
    return n;
  }
  g_misses.fetch_add(1, std::memory_order_relaxed);
  return ::operator new((c + 1) * kGranule);
}

void frame_free(void* p, std::size_t size) noexcept {
  std::size_t c = class_of(size);
  if (!kPoolEnabled || c >= kClasses || t_pools.counts[c] >= kMaxCachedPerClass) {
    ::operator delete(p);
    return;
  }
  auto* n = static_cast<FreeNode*>(p);
  n->next = t_pools.heads[c];
  t_pools.heads[c] = n;
  ++t_pools.counts[c];
}

std::size_t frame_pool_trim() {
  if (!kPoolEnabled) return 0;
  std::size_t freed = 0;
  for (std::size_t c = 0; c < kClasses; ++c) {
    // The newest frames are at the head: keep those a frame_alloc() reached this period.
    const std::size_t idle = t_pools.lows[c];
    const std::size_t keep = t_pools.counts[c] - idle;
    FreeNode** link = &t_pools.heads[c];
    for (std::size_t i = 0; i < keep; ++i) link = &(*link)->next;
    FreeNode* n = *link;
    *link = nullptr;
    while (n) {
      FreeNode* next = n->next;
      ::operator delete(n);
      n = next;
    }
    freed += idle * (c + 1) * kGranule;
    t_pools.counts[c] = keep;
    t_pools.lows[c] = keep;
  }
  return freed;
}

std::size_t frame_pool_cached() {
  std::size_t n = 0;
  for (std::size_t count : t_pools.counts) n += count;
  return n;
}

std::size_t frame_pool_misses() { return g_misses.load(std::memory_order_relaxed); }

}  // namespace ringress::core
