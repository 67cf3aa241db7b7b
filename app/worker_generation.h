// WorkerGeneration: what one worker serves new connections with under one config generation
// (docs/design.md, "Config generations"): the config (shared, immutable), the clusters it names
// (lb::ClusterRefs in its config order, over the worker's shared WorkerCluster objects), and per
// listener its HttpListener or TcpProxy with their route tables, TLS contexts, filters and
// access log files. Built on the worker's thread when a ConfigUpdate arrives; a connection keeps
// the generation it was accepted under to its end, so a generation lives until its last session
// ended (`sessions`) and no listener slot points at it any more (`pins`).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "app/stats.h"
#include "app/tcp_proxy.h"
#include "app/worker_clusters.h"
#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/socket.h"
#include "core/task.h"
#include "core/task_scope.h"
#include "http/access_log_sink.h"
#include "http/http_listener.h"
#include "http/http_stats.h"
#include "lb/cluster_refs.h"

namespace ringress::app {

using ServeFn = std::function<core::Task<void>(core::Socket, core::TaskScope&)>;

struct WorkerGeneration {
  // Throws std::runtime_error when a listener cannot be built (an access log that cannot open).
  WorkerGeneration(uint64_t number, std::shared_ptr<const conf::Config> config,
                   std::vector<std::shared_ptr<WorkerCluster>> held, core::BufferPool& buffers,
                   uint32_t connection_buffer, TcpStats& tcp_stats, http::HttpStats& http_stats);
  ~WorkerGeneration();
  WorkerGeneration(const WorkerGeneration&) = delete;
  WorkerGeneration& operator=(const WorkerGeneration&) = delete;

  // The index of listener `name` in this generation's config, or -1.
  int listener_index(std::string_view name) const;
  // A newer generation serves new connections: every HTTP connection of this one closes after
  // its next response (HttpListener::retire).
  void retire();
  // Graceful stop of listener `i`'s HTTP connections (idle ones now), or of all of them.
  void drain_listener(std::size_t i);
  void drain_all();
  bool unused() const { return sessions == 0 && pins == 0; }

  const uint64_t number;
  const std::shared_ptr<const conf::Config> config;
  const std::vector<std::shared_ptr<WorkerCluster>> cluster_holds;
  const lb::ClusterRefs clusters;
  http::AccessLogSinks logs;
  std::vector<std::unique_ptr<TcpProxy>> tcp;
  std::vector<std::unique_ptr<http::HttpListener>> http;  // per listener; null for tcp ones
  std::vector<ServeFn> serve;                             // per listener, in config order
  uint32_t sessions = 0;  // connections accepted under this generation and still open
  uint32_t pins = 0;      // listener slots whose new connections it serves
};

}  // namespace ringress::app
