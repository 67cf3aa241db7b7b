// The messages between the control loop (app/control_loop.h) and the workers, carried by
// core::Channel (value types: a message owns what it carries). New kinds of messages (admin
// requests, live stats, configuration reload) are new alternatives of these variants.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <variant>

#include "lb/host_outcome.h"
#include "lb/host_set.h"

namespace ringress::app {

// Control loop -> worker: cluster `cluster` has a new host set.
struct HostSetUpdate {
  std::size_t cluster = 0;
  lb::HostSetPtr set;
};
// Control loop -> worker: send a StatsReply with this id (the admin endpoint's /stats).
struct StatsRequest {
  uint64_t id = 0;
};
using WorkerMessage = std::variant<HostSetUpdate, StatsRequest>;

// Worker -> control loop: outcomes of requests to the hosts of cluster `cluster`, in order.
// Fixed size, so sending one allocates nothing.
struct OutcomeBatch {
  static constexpr std::size_t kCapacity = 64;
  uint32_t worker = 0;
  uint32_t cluster = 0;
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
