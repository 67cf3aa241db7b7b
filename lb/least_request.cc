#include "lb/least_request.h"

#include <algorithm>

namespace ringress::lb {

// std::*_heap build max-heaps: "later" as the ordering puts the earliest deadline on top.
bool LeastRequest::later(const Deadline& a, const Deadline& b) {
  return a.at != b.at ? a.at > b.at : a.order > b.order;
}

LeastRequest::LeastRequest(HostSetView hosts, uint32_t choice_count,
                           std::span<const uint32_t> active_requests, uint64_t seed)
    : available_(hosts),
      choice_count_(std::max<uint32_t>(1, choice_count)),
      active_(active_requests),
      random_(seed) {
  if (available_.uniform()) return;
  heap_.reserve(available_.size());
  for (std::size_t p = 0; p < available_.size(); ++p) {
    double period = 1.0 / available_.weight(p);
    heap_.push_back({random_.unit() * period, order_++, static_cast<uint32_t>(p)});
  }
  std::make_heap(heap_.begin(), heap_.end(), later);
}

std::size_t LeastRequest::choose_of_choices() {
  std::size_t best = available_.index(random_.below(available_.size()));
  for (uint32_t c = 1; c < choice_count_; ++c) {
    std::size_t other = available_.index(random_.below(available_.size()));
    if (active(other) < active(best)) best = other;
  }
  return best;
}

std::size_t LeastRequest::earliest_deadline() {
  std::pop_heap(heap_.begin(), heap_.end(), later);
  Deadline& d = heap_.back();
  std::size_t host = available_.index(d.position);
  // weight / (active + 1): the next deadline is (active + 1) / weight away.
  d.at += (active(host) + 1.0) / available_.weight(d.position);
  d.order = order_++;
  std::push_heap(heap_.begin(), heap_.end(), later);
  return host;
}

std::size_t LeastRequest::choose() {
  return available_.uniform() ? choose_of_choices() : earliest_deadline();
}

std::optional<std::size_t> LeastRequest::pick(const PickContext& context) {
  if (available_.empty()) return std::nullopt;
  std::size_t host = choose();
  if (!was_attempted(context.attempted, host) || !available_.untried_remains(context.attempted))
    return host;
  for (int i = 0; i < kRedraws; ++i) {
    host = choose();
    if (!was_attempted(context.attempted, host)) return host;
  }
  return least_loaded_untried(context.attempted);
}

std::size_t LeastRequest::least_loaded_untried(std::span<const std::size_t> attempted) const {
  // Compare (active + 1) / weight without division: a/wa < b/wb  <=>  a*wb < b*wa.
  std::size_t best = available_.size();
  for (std::size_t p = 0; p < available_.size(); ++p) {
    std::size_t host = available_.index(p);
    if (was_attempted(attempted, host)) continue;
    if (best == available_.size() ||
        (active(host) + uint64_t{1}) * available_.weight(best) <
            (active(available_.index(best)) + uint64_t{1}) * available_.weight(p))
      best = p;
  }
  return available_.index(best);
}

}  // namespace ringress::lb
