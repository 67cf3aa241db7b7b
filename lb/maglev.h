// Maglev consistent hashing (Google's Maglev paper, Envoy's MAGLEV): a lookup table of 65537
// (prime) slots, each naming a host; a request goes to slot hash % 65537, O(1). The table is
// populated as in the paper: host h has a preference list, its permutation of the slots
// (offset + j * skip) mod 65537 with offset and skip from two independent hashes of its key;
// hosts take turns claiming their next preferred free slot until the table is full. Weights,
// as Envoy does it: in round r a host takes a turn only when r * weight >= turns taken so far *
// the heaviest weight, so slots end up in proportion to weight (within a slot or two).
//
// Adding or removing one of N hosts reassigns that host's slots and disturbs only a few others
// (the paper's "minimal disruption"): about 1/N of the keys move. A key's host is as even as
// the slots are: within 1% of the weights for up to a few hundred hosts. A host of very small
// relative weight (under 1/65537 of the total) may get no slot and then no keyed traffic.
//
// MaglevTable is the immutable table, built once per host set (by the control thread) and
// shared by every worker's Maglev through std::shared_ptr<const MaglevTable>.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "lb/available_hosts.h"
#include "lb/load_balancer.h"
#include "lb/random.h"

namespace ringress::lb {

class MaglevTable {
 public:
  static constexpr uint32_t kSize = 65537;

  // The table for the available hosts of `hosts`. Empty when none is available.
  static std::shared_ptr<const MaglevTable> build(HostSetView hosts);

  bool empty() const { return slots_.empty(); }
  std::size_t host_count() const { return host_count_; }  // the view's size when built
  std::size_t host_at(std::size_t slot) const { return slots_[slot]; }

 private:
  std::vector<uint32_t> slots_;  // kSize host indices, or none
  std::size_t host_count_ = 0;
};

class Maglev final : public LoadBalancer {
 public:
  // `table` was built from the same view (build_lb_tables); when null it is built here.
  Maglev(HostSetView hosts, std::shared_ptr<const MaglevTable> table, uint64_t seed);

  // With a hash key: the key's slot's host; a retry walks the table onward to the next slot
  // whose host is available and untried. Without a key: a random slot (so weighted random).
  std::optional<std::size_t> pick(const PickContext& context) override;

  const MaglevTable& table() const { return *table_; }

 private:
  AvailableHosts available_;
  std::shared_ptr<const MaglevTable> table_;
  Random random_;
};

}  // namespace ringress::lb
