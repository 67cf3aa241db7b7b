// TcpProxy: the L4 proxy of one tcp listener on one worker. Each accepted connection becomes a
// session: pick the cluster (the listener's, or by the server name of the client's TLS
// ClientHello when it has sni_routes), connect to a host (the cluster's lb_policy over its
// current host-set snapshot; on failure or timeout a host not tried yet, up to
// connect_attempts), then copy bytes both ways. With no available host, or over the cluster's
// max_connections, the client is closed at once (counted). FIN is propagated per
// direction (half-close); an error on either side or the idle timeout closes both; reads pause
// while the other side is not taking data (bounded memory per connection).
// TLS: a listener with tls terminates it (the upstream gets plaintext, or TLS again when its
// cluster originates TLS); without tls, sni_routes only read the ClientHello and forward every
// byte untouched (SNI passthrough).
// Access log (the listener's access_log): one line per session, formatted once when it ends,
// with its response flag (docs/configuration.md, TCP listeners).
#pragma once

#include <deque>
#include <memory>
#include <string_view>
#include <vector>

#include "app/stats.h"
#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/socket.h"
#include "core/task.h"
#include "core/task_scope.h"
#include "http/access_log_sink.h"
#include "http/exchange.h"
#include "lb/cluster_refs.h"
#include "lb/upstream_cluster.h"
#include "tls/server_names.h"
#include "tls/wolfssl.h"

namespace ringress::app {

class TcpProxy {
 public:
  // `clusters[i]` is this worker's state for config.clusters[i].
  // `logs` opens the listener's access log file, when it has one.
  TcpProxy(const conf::Listener& listener, const lb::ClusterRefs& clusters, core::BufferPool& pool,
           uint32_t connection_buffer, TcpStats& stats, http::AccessLogSinks& logs);
  // Runs one session to its end. `scope` is the worker's: its cancel() ends the session.
  core::Task<void> serve(core::Socket client, core::TaskScope& scope);

 private:
  struct Session;
  struct Target {
    lb::UpstreamCluster* cluster;
    std::vector<tls::SessionPtr> sessions;  // per pool slot: the last TLS session, to resume
  };
  // The target for a ClientHello's server name; -1 when none matches and there is no default.
  int target_for(std::string_view server_name) const;
  // A session's end: counts it closed and writes its access log line with `flags` (an
  // http::flags code). `log` holds the session's facts; its views must still be valid.
  void end(http::Exchange& log, std::string_view flags);

  const conf::Listener& listener_;
  core::BufferPool& pool_;
  uint32_t connection_buffer_;
  TcpStats& stats_;
  std::vector<Target> targets_;
  int default_target_ = -1;
  tls::ServerNameTable sni_targets_;         // sni_routes: server name -> target
  http::AccessLogSink* log_sink_ = nullptr;  // null without access_log
  std::string line_;  // the line being formatted (never across a suspension: one at a time)
};

}  // namespace ringress::app
