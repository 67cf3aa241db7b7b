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
    --t_pools.counts[c];
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

std::size_t frame_pool_misses() { return g_misses.load(std::memory_order_relaxed); }

}  // namespace ringress::core
