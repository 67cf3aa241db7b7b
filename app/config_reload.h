// The checks and plans of a reload (docs/operations.md, "Reload") that need both the running
// config and the new one, which conf::load_config validated alone: settings that cannot change
// without a restart, access log files that cannot be opened, and which listeners keep their
// sockets. Control loop only.
#pragma once

#include <string>
#include <vector>

#include "conf/config.h"
#include "core/log.h"
#include "core/socket.h"

namespace ringress::app {

// The logger's level for a config's runtime.log_level.
core::LogLevel core_log_level(conf::LogLevel level);

// "" or why `next` cannot replace `running` in this process: a key whose value the workers'
// buffer pools and reactors, their number, or the admin listener were built with, named, with
// "needs a restart or a binary upgrade".
std::string restart_only_change(const conf::Config& running, const conf::Config& next);

// "" or why an access log file of `config` cannot be opened for appending (the workers open
// them when they build the generation; a reload must not fail half-way there).
std::string unwritable_access_log(const conf::Config& config);

// Which listeners of `next` need new sockets, and which running ones close. A listener is kept
// (its sockets, accept queues and open connections) when `running` has one with the same name,
// address and protocol; otherwise it is new, and a running one of the same name closes.
struct ListenerPlan {
  std::vector<std::size_t> bind;   // indices into next.listeners
  std::vector<std::string> close;  // names of running listeners
  std::size_t kept = 0;
};
ListenerPlan plan_listeners(const conf::Config& running, const conf::Config& next);

// Listener `l`'s SO_REUSEPORT socket for each of `workers` workers, or the error (nothing bound).
std::string bind_listener(const conf::Listener& l, unsigned workers,
                          std::vector<core::Socket>& sockets);

}  // namespace ringress::app
