// Worker: one thread, one reactor, one buffer pool, and for each listener its own SO_REUSEPORT
// socket and accept loop (thread-per-core, shared nothing). What serves a new connection is
// the worker's current config generation (app/worker_generation.h); a ConfigUpdate message
// builds the next one on this thread and switches new connections to it, while each open
// connection keeps the generation it was accepted under (docs/design.md, "Config
// generations"). drain() stops accepting, waits for the sessions up to the drain timeout, then
// cancels the rest.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/messages.h"
#include "app/stats.h"
#include "core/channel.h"
#include "http/http_stats.h"
#include "lb/connection_pool.h"
#include "lb/upstream_cluster.h"

namespace ringress::core {
class Reactor;
}

namespace ringress::app {

struct WorkerStats {
  TcpStats tcp;
  http::HttpStats http;
  // Per cluster of the last generation (its config order), filled when the worker stops.
  std::vector<lb::PoolStats> pools;
  std::vector<lb::ClusterCounters> clusters;
  uint64_t rejected_overload = 0;  // connections closed at once: over max_connections
};

class Worker {
 public:
  // `first` is generation 1: its sockets' row `index` holds this worker's listening socket for
  // every listener; `control` takes this worker's reports.
  Worker(unsigned index, ConfigUpdate first, core::Channel<ControlMessage>& control);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the thread; returns once it runs, or with an error message if its set-up failed.
  std::string start();
  // Thread-safe: begin the graceful stop.
  void drain();
  // Messages for the worker's thread; valid from start() until join().
  core::Channel<WorkerMessage>& inbox();
  void join();
  // Valid after join().
  const WorkerStats& stats() const { return stats_; }

  struct Runtime;  // the thread's reactor, buffers and proxies (defined in worker.cc)

 private:
  void thread_main();

  unsigned index_;
  ConfigUpdate first_;
  core::Channel<ControlMessage>& control_;
  std::thread thread_;
  std::unique_ptr<Runtime> runtime_;
  WorkerStats stats_;
};

}  // namespace ringress::app
