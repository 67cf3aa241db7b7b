// The messages between the control loop (app/control_loop.h) and the workers, carried by
// core::Channel (value types: a message owns what it carries). New kinds of messages (admin
// requests, live stats, configuration reload) are new alternatives of these variants.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>

#include "lb/host_outcome.h"
#include "lb/host_set.h"

namespace ringress::app {

// Control loop -> worker: cluster `cluster` has a new host set.
struct HostSetUpdate {
  std::size_t cluster = 0;
  lb::HostSetPtr set;
};
using WorkerMessage = std::variant<HostSetUpdate>;

// Worker -> control loop: outcomes of requests to the hosts of cluster `cluster`, in order.
// Fixed size, so sending one allocates nothing.
struct OutcomeBatch {
  static constexpr std::size_t kCapacity = 64;
  uint32_t worker = 0;
  uint32_t cluster = 0;
  uint32_t count = 0;
  std::array<lb::OutcomeReport, kCapacity> reports;
};
using ControlMessage = std::variant<OutcomeBatch>;

}  // namespace ringress::app
