// LoadBalancer: a cluster's policy for choosing one of its hosts for a request (Envoy's LB
// policies: round_robin, least_request, random, ring_hash, maglev). One small class per policy
// behind this interface; lb/policy_factory.h builds the one a cluster's config names.
//
// Ownership and threads, as in Envoy's thread-local load balancers:
// - A policy is built per worker from an immutable host set (HostSetView) and used by that
//   worker only, so pick() takes no lock and writes no shared memory. When the host set or its
//   health changes, the worker builds a new policy from the new snapshot between requests.
// - The expensive tables (the ring of ring_hash, the table of maglev) are immutable values built
//   once per host set and shared read-only by every worker's policy (std::shared_ptr<const>),
//   so a control thread builds them once, off the request path (build_lb_tables).
// - The caller decides which hosts may be picked (healthy, in the priority level it chose, or all
//   of them in panic mode) by the `available` flag of each host; a policy never picks another.
//
// pick() never allocates. Host indices are positions in the view the policy was built from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ringress::lb {

// One host as a policy sees it.
struct LbHost {
  std::string_view key;   // its identity for hashing ("10.0.0.1:8080"); only read while building
  uint32_t weight = 1;    // relative to the other hosts' (lb/hosts.h); 0 is never picked
  bool available = true;  // may be picked
};
using HostSetView = std::span<const LbHost>;

// What one pick knows about the request.
struct PickContext {
  // The request's hash key (http/hash_key.h). Only ring_hash and maglev use it; without one
  // they pick at random, weighted like the others.
  std::optional<uint64_t> hash;
  // The hosts this request already tried (retries), possibly repeated. A pick avoids them when
  // another available host exists: hash policies walk the ring or table onward from the key's
  // place (so a key's retries are deterministic too); the others draw again a bounded number of
  // times, then take an untried host directly. Only when every available host was tried does a
  // pick repeat one.
  std::span<const std::size_t> attempted;
};

class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  // The chosen host, or nullopt when no host is available.
  virtual std::optional<std::size_t> pick(const PickContext& context) = 0;
};

// Whether `host` is among `attempted`.
inline bool was_attempted(std::span<const std::size_t> attempted, std::size_t host) {
  for (std::size_t a : attempted) {
    if (a == host) return true;
  }
  return false;
}

}  // namespace ringress::lb
