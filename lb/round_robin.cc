#include "lb/round_robin.h"

namespace ringress::lb {

RoundRobin::RoundRobin(std::vector<Host> hosts) : hosts_(std::move(hosts)) {
  current_.assign(hosts_.size(), 0);
  for (const auto& h : hosts_) total_ += h.weight;
}

std::size_t RoundRobin::pick() {
  std::size_t best = 0;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    current_[i] += hosts_[i].weight;
    if (current_[i] > current_[best]) best = i;
  }
  current_[best] -= total_;
  return best;
}

}  // namespace ringress::lb
