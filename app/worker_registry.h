// WorkerRegistry: the control loop's list of running workers and the channel to each, so that
// whatever is decided once per process (a new host set today; admin requests, stats and reload
// later) reaches every worker as a message. Used on the control thread only.
#pragma once

#include <cstddef>
#include <vector>

#include "app/messages.h"
#include "core/channel.h"

namespace ringress::app {

class WorkerRegistry {
 public:
  // A worker's inbox, valid until close() (the worker is drained only after that).
  void add(unsigned worker, core::Channel<WorkerMessage>& inbox);
  // After close(), messages are dropped: the workers are about to stop.
  void close() { open_ = false; }

  void send(unsigned worker, WorkerMessage message);
  void broadcast(const WorkerMessage& message);
  std::size_t size() const { return workers_.size(); }

 private:
  struct Entry {
    unsigned worker;
    core::Channel<WorkerMessage>* inbox;
  };
  std::vector<Entry> workers_;
  bool open_ = true;
};

}  // namespace ringress::app
