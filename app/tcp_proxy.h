// TcpProxy: the L4 proxy of one tcp listener on one worker. Each accepted connection becomes a
// session: connect to a host of the cluster (round robin; on failure or timeout the next host,
// up to connect_attempts), then copy bytes both ways. FIN is propagated per direction
// (half-close); an error on either side or the idle timeout closes both; reads pause while the
// other side is not taking data (bounded memory per connection).
#pragma once

#include "app/stats.h"
#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/socket.h"
#include "core/task.h"
#include "core/task_scope.h"
#include "lb/round_robin.h"

namespace ringress::app {

class TcpProxy {
 public:
  TcpProxy(const conf::Listener& listener, const conf::Cluster& cluster, core::BufferPool& pool,
           uint32_t connection_buffer, TcpStats& stats);
  // Runs one session to its end. `scope` is the worker's: its cancel() ends the session.
  core::Task<void> serve(core::Socket client, core::TaskScope& scope);

 private:
  struct Session;

  const conf::Listener& listener_;
  const conf::Cluster& cluster_;
  core::BufferPool& pool_;
  uint32_t connection_buffer_;
  TcpStats& stats_;
  lb::RoundRobin picker_;
};

}  // namespace ringress::app
