#include "lb/weighted_clusters.h"

#include <cstdint>
#include <random>

namespace ringress::lb {

std::size_t choose_cluster(std::span<const conf::WeightedCluster> clusters) {
  if (clusters.size() == 1) return clusters.front().cluster;
  // One generator per thread: seeding per request from std::random_device costs a syscall.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t total = 0;
  for (const auto& wc : clusters) total += wc.weight;
  uint64_t r = rng() % total;
  for (const auto& wc : clusters) {
    if (r < wc.weight) return wc.cluster;
    r -= wc.weight;
  }
  return clusters.back().cluster;
}

}  // namespace ringress::lb
