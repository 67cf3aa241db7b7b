// Worker: one thread, one reactor, one buffer pool, and for each listener its own SO_REUSEPORT
// socket and accept loop (thread-per-core, shared nothing). Sessions are children of the
// worker's scope; drain() stops accepting, waits for them up to the drain timeout, then
// cancels the rest.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/messages.h"
#include "app/stats.h"
#include "conf/config.h"
#include "core/channel.h"
#include "core/socket.h"
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
  std::vector<lb::PoolStats> pools;           // per cluster, filled when the worker stops
  std::vector<lb::ClusterCounters> clusters;  // per cluster, filled when the worker stops
  uint64_t rejected_overload = 0;             // connections closed at once: over max_connections
};

class Worker {
 public:
  // `sockets[i]` is this worker's listening socket for config.listeners[i]; `host_sets[i]` the
  // first snapshot of config.clusters[i]; `control` takes this worker's reports.
  Worker(unsigned index, const conf::Config& config, std::vector<core::Socket> sockets,
         std::vector<lb::HostSetPtr> host_sets, core::Channel<ControlMessage>& control);
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
  const conf::Config& config_;
  std::vector<core::Socket> sockets_;
  std::vector<lb::HostSetPtr> host_sets_;
  core::Channel<ControlMessage>& control_;
  std::thread thread_;
  std::unique_ptr<Runtime> runtime_;
  WorkerStats stats_;
};

}  // namespace ringress::app
