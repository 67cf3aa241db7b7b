// UpstreamCluster: what one worker holds for one cluster: the host-set snapshot it picks from
// (lb/host_set.h, published by the control loop), the policy built for it, the connection pool,
// the circuit breakers' counters, and the per-host outcomes waiting to be reported.
//
// Snapshots: update() swaps in a new one between requests (the worker's loop runs it from a
// message). A request acquires the current snapshot when it starts and keeps it to the end
// (also for its retries), so a swap never changes the hosts under a request; an old snapshot
// is destroyed when its last request ends. Pool slots follow addresses (lb/connection_pool.h):
// hosts that stay keep their idle connections, those of hosts that left are closed.
//
// Everything here belongs to the worker's thread: picks, counters and reports are plain reads
// and writes, never a lock or an atomic (the shared_ptr of a snapshot is copied only by
// update(), not per request).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "conf/config.h"
#include "lb/connection_pool.h"
#include "lb/host_outcome.h"
#include "lb/host_set.h"
#include "lb/load_balancer.h"
#include "lb/random.h"

namespace ringress::lb {

// Per worker and cluster (summed over workers at exit).
struct ClusterCounters {
  uint64_t snapshots = 0;               // host sets swapped in
  uint64_t no_healthy_upstream = 0;     // picks that found no available host (503 UH)
  uint64_t panic_picks = 0;             // picks made in panic mode (every host offered)
  uint64_t overflow_connections = 0;    // max_connections refused a new connection (503 UO)
  uint64_t overflow_pending = 0;        // max_pending_requests refused a request (503 UO)
  uint64_t overflow_requests = 0;       // max_requests refused a request (503 UO)
  uint64_t overflow_retries = 0;        // max_retries refused a retry
  uint64_t retry_budget_exhausted = 0;  // the route's retry budget refused a retry
  uint64_t retry_backoffs = 0;          // waits before a retry
  uint64_t per_try_timeouts = 0;        // tries that ran out of their per_try_timeout
  uint64_t reports_dropped = 0;         // outcomes not reported: the buffer was full

  void add(const ClusterCounters& o) {
    const uint64_t* src = reinterpret_cast<const uint64_t*>(&o);
    uint64_t* dst = reinterpret_cast<uint64_t*>(this);
    for (std::size_t i = 0; i < sizeof(ClusterCounters) / sizeof(uint64_t); ++i) dst[i] += src[i];
  }
};

// Told when the outcome buffer reached a batch (the reporter then flushes it early).
class OutcomeListener {
 public:
  virtual void on_batch_ready() = 0;

 protected:
  ~OutcomeListener() = default;
};

class UpstreamCluster {
 public:
  static constexpr std::size_t kReportBatch = 64;       // reports per message
  static constexpr std::size_t kReportCapacity = 1024;  // buffered before reports are dropped

  // The worker's state for one snapshot.
  struct Snapshot {
    HostSetPtr set;
    std::unique_ptr<LoadBalancer> lb;
    std::vector<uint32_t> slots;   // host index -> pool slot
    std::vector<uint32_t> active;  // in-flight tries per host (current snapshot; least_request)
    uint32_t users = 0;            // requests holding it
    const Host& host(std::size_t i) const { return set->hosts[i].host; }
    std::size_t size() const { return set->hosts.size(); }
  };

  // `seed`: this worker's. Each worker enforces the circuit breakers' whole limits
  // (docs/configuration.md, "Circuit breakers").
  UpstreamCluster(const conf::Cluster& c, HostSetPtr initial, core::BufferPool& buffers,
                  uint32_t connection_buffer, uint64_t seed);
  ~UpstreamCluster();
  UpstreamCluster(const UpstreamCluster&) = delete;
  UpstreamCluster& operator=(const UpstreamCluster&) = delete;

  // Swaps in `set` (between requests). Requests in flight keep theirs.
  void update(HostSetPtr set);

  // A request's hold on the current snapshot; release() when the request ends.
  Snapshot& acquire();
  void release(Snapshot& s);

  // A host of `s` for a request (and counts UH / panic); nullopt: none is available.
  std::optional<std::size_t> pick(Snapshot& s, const PickContext& context);
  // A try on host `h` of `s` starts / ends (least_request's counts).
  void try_started(const Snapshot& s, std::size_t h);
  void try_ended(const Snapshot& s, std::size_t h);
  // What happened to a try on host `h` of `s`, for outlier detection (no-op without it).
  void report(const Snapshot& s, std::size_t h, HostOutcome outcome);

  // Circuit breakers: this worker's share of each limit.
  bool requests_full() const { return active_requests_ >= max_requests_; }
  bool pending_full() const { return pending_ >= max_pending_; }
  bool connections_full() const { return pool.open_connections() + tunnels_ >= max_connections_; }
  // `self`: the asking request is already counted among the retries (1) or not (0).
  bool retries_full(uint32_t self = 0) const { return active_retries_ - self >= max_retries_; }
  // The route's retry budget: retries in flight (with the one asked for) at most `percent` of
  // the requests in flight, but `min_concurrency` always.
  bool budget_allows_retry(uint32_t percent, uint32_t min_concurrency, uint32_t self = 0) const {
    const uint64_t retries = active_retries_ - self;
    return retries < min_concurrency || (retries + 1) * 100 <= uint64_t{active_requests_} * percent;
  }
  uint32_t active_requests() const { return active_requests_; }
  uint32_t active_retries() const { return active_retries_; }
  // Counting for the breakers (the caller pairs them).
  void request_started() { ++active_requests_; }
  void request_ended() { --active_requests_; }
  void pending_started() { ++pending_; }
  void pending_ended() { --pending_; }
  void retrying_started() { ++active_retries_; }
  void retrying_ended() { --active_retries_; }
  // The tcp proxy's upstream connections (not pooled) count toward max_connections too.
  void tunnel_opened() { ++tunnels_; }
  void tunnel_closed() { --tunnels_; }

  // The reporter's side: outcomes buffered so far (it sends and clears them).
  std::vector<OutcomeReport>& reports() { return reports_; }
  bool reports_outcomes() const { return config.outlier_detection.has_value(); }
  void set_outcome_listener(OutcomeListener* l) { listener_ = l; }

  ClusterCounters& counters() { return counters_; }
  // The worker's generator for this cluster (retry backoff jitter).
  Random& random() { return random_; }
  const conf::Cluster& config;
  ConnectionPool pool;

 private:
  std::unique_ptr<Snapshot> make_snapshot(HostSetPtr set);
  void retire(Snapshot* s);

  uint64_t seed_;
  Random random_;
  std::unique_ptr<Snapshot> current_;
  std::vector<std::unique_ptr<Snapshot>> retired_;  // still held by requests
  std::vector<uint32_t> slot_active_;               // in-flight tries per pool slot
  std::vector<uint32_t> current_index_;             // pool slot -> host index in current_
  uint32_t max_connections_, max_pending_, max_requests_, max_retries_;
  uint32_t active_requests_ = 0, pending_ = 0, active_retries_ = 0, tunnels_ = 0;
  std::vector<OutcomeReport> reports_;
  OutcomeListener* listener_ = nullptr;
  ClusterCounters counters_;
};

// Holds a snapshot for the scope of a request.
class SnapshotLease {
 public:
  explicit SnapshotLease(UpstreamCluster& c) : cluster_(&c), snapshot_(&c.acquire()) {}
  ~SnapshotLease() { cluster_->release(*snapshot_); }
  SnapshotLease(const SnapshotLease&) = delete;
  SnapshotLease& operator=(const SnapshotLease&) = delete;
  UpstreamCluster::Snapshot& operator*() const { return *snapshot_; }
  UpstreamCluster::Snapshot* operator->() const { return snapshot_; }

 private:
  UpstreamCluster* cluster_;
  UpstreamCluster::Snapshot* snapshot_;
};

}  // namespace ringress::lb
