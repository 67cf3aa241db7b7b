// The messages between the control loop (app/control_loop.h) and the workers, carried by
// core::Channel (value types: a message owns what it carries). New kinds of messages (admin
// requests, live stats) are new alternatives of these variants.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "conf/config.h"
#include "core/socket.h"
#include "lb/host_outcome.h"
#include "lb/host_set.h"

namespace ringress::app {

// Clusters are named by a stable id (ControlLoop: one per cluster definition, never reused), not
// by their index in a config: after a reload an index may mean another cluster, and a message
// sent before it must not land there.

// Control loop -> worker: cluster `cluster_id` has a new host set.
struct HostSetUpdate {
  uint32_t cluster_id = 0;
  lb::HostSetPtr set;
};
// Control loop -> worker: send a StatsReply with this id (the admin endpoint's /stats).
struct StatsRequest {
  uint64_t id = 0;
};
// One cluster of a config generation (ConfigUpdate::clusters is in config order).
struct ClusterSpec {
  uint32_t id = 0;
  // The config whose clusters[index] defines it: the generation that first had this definition
  // (an unchanged cluster keeps the conf::Cluster it was built from).
  std::shared_ptr<const conf::Config> owner;
  std::size_t index = 0;
  lb::HostSetPtr set;  // its current snapshot, for a worker that builds the cluster now
  const conf::Cluster& config() const { return owner->clusters[index]; }
};
// The listening sockets bound for a new generation's new listeners: row w is worker w's, each
// with its listener's name. Shared by the workers' messages; each worker moves its own row out.
struct NewListenerSockets {
  std::vector<std::vector<std::pair<std::string, core::Socket>>> per_worker;
};
// Control loop -> worker: generation `generation` (app/worker_generation.h): build its state,
// serve new connections with it, retire the previous one.
struct ConfigUpdate {
  uint64_t generation = 0;
  std::shared_ptr<const conf::Config> config;
  std::vector<ClusterSpec> clusters;
  std::shared_ptr<NewListenerSockets> sockets;
};
using WorkerMessage = std::variant<HostSetUpdate, StatsRequest, ConfigUpdate>;

// Worker -> control loop: outcomes of requests to the hosts of cluster `cluster_id`, in order.
// Fixed size, so sending one allocates nothing.
struct OutcomeBatch {
  static constexpr std::size_t kCapacity = 64;
  uint32_t worker = 0;
  uint32_t cluster_id = 0;
  uint32_t count = 0;
  std::array<lb::OutcomeReport, kCapacity> reports;
};
struct WorkerSnapshot;  // app/admin_snapshot.h
// Worker -> control loop: the answer to StatsRequest `id`.
struct StatsReply {
  uint64_t id = 0;
  std::shared_ptr<const WorkerSnapshot> snapshot;
};
// Worker -> control loop: the worker drained and its loop is about to end.
struct WorkerStopped {
  uint32_t worker = 0;
};
using ControlMessage = std::variant<OutcomeBatch, StatsReply, WorkerStopped>;

}  // namespace ringress::app
