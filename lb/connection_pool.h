// ConnectionPool: the keep-alive connections of one cluster on one worker, per host.
//
// An idle connection keeps its multishot receive armed, so a FIN or reset from the upstream
// evicts it at once (PeerCloseListener) instead of being found by the next request: the
// keep-alive race behind Envoy's "503 UC" needs the upstream to close in the instant between
// our check and our send, and a request that loses even that race is retried by the caller on a
// fresh connection when it is safe. Idle connections also close after the cluster's
// idle_timeout, which defaults below common backends' keep-alive so the proxy closes first.
// Idle lists are LIFO: the most recently used connection is reused first and cold ones age out.
//
// The pool is indexed by slot: one per upstream address. When the worker's host set changes
// (lb/upstream_cluster.h), assign() maps the new hosts to slots: an address that stays keeps its
// slot and its idle connections; a slot whose address left is retired (idle connections closed,
// those in use closed when they come back) and reused for a new address only once no snapshot
// still in use refers to it (each snapshot holds its slots from assign() to unassign()).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/cancel_token.h"
#include "core/timer_queue.h"
#include "lb/host_set.h"
#include "tls/transport.h"

namespace ringress::lb {

class ConnectionPool;

struct PoolStats {
  uint64_t connections_opened = 0;
  uint64_t connect_failures = 0;
  uint64_t connect_timeouts = 0;
  uint64_t reused = 0;              // requests that got an idle connection
  uint64_t closed_by_upstream = 0;  // idle connections the upstream closed (evicted at once)
  uint64_t idle_timeouts = 0;       // idle connections we closed after idle_timeout
  uint64_t discarded = 0;           // returned but not kept (full idle list, max requests, ...)
  uint64_t tls_handshakes = 0;
  uint64_t tls_resumed = 0;   // handshakes that resumed a session
  uint64_t tls_failures = 0;  // handshakes that failed (certificate rejected, ...)
};

// A connection to one upstream host; owned by a request while in use, by the pool while idle.
class UpstreamConnection final : core::PeerCloseListener {
 public:
  UpstreamConnection(core::Socket socket, core::BufferPool& buffers, uint32_t connection_buffer,
                     std::size_t host);
  ~UpstreamConnection();
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

  core::Stream& stream() { return transport_.stream(); }
  // The pool slot of its host.
  std::size_t host() const { return host_; }
  // Completed exchanges on this connection; a reused connection has served at least one.
  uint32_t requests() const { return requests_; }
  void count_request() { ++requests_; }

 private:
  friend class ConnectionPool;
  void on_peer_closed() override;

  tls::Transport transport_;  // TLS over TCP when the cluster originates TLS
  std::size_t host_;
  uint32_t generation_ = 0;  // of its slot when it connected (a reused slot has another)
  uint32_t requests_ = 0;
  ConnectionPool* idle_in_ = nullptr;
  ConnectionPool* counted_in_ = nullptr;  // the pool whose open_connections() includes it
  core::Timer idle_timer_;
};

struct ConnectOutcome {
  int error = 0;            // -errno
  std::string tls_failure;  // why the TLS handshake failed (then error is -EPROTO or so)
  std::unique_ptr<UpstreamConnection> connection;
};

class ConnectionPool {
 public:
  ConnectionPool(const conf::Cluster& cluster, std::vector<Host> hosts, core::BufferPool& buffers,
                 uint32_t connection_buffer);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The most recently used idle connection to `host`, or null.
  std::unique_ptr<UpstreamConnection> take_idle(std::size_t host);
  // Opens a new connection to `host` within the cluster's connect_timeout, which covers the TLS
  // handshake too when the cluster originates TLS. Cancelling `cancel` (the requester's token)
  // ends the connect or the handshake at once with -ECANCELED; that is not counted as a
  // failure of the host.
  core::Task<ConnectOutcome> connect(std::size_t host, core::CancelToken* cancel = nullptr);
  // Takes a connection back after a complete exchange; `reusable` says the exchange left it
  // clean (keep-alive on both sides, nothing unread). It is kept while there is room.
  void release(std::unique_ptr<UpstreamConnection> c, bool reusable);

  // Closes every idle connection (worker shutdown; must run while the reactor loop turns).
  void close_idle();

  // The slot of each of `hosts` (by address), taking a free or new slot for a new address and
  // holding each slot for the caller's snapshot. Slots no snapshot holds any more are retired.
  std::vector<uint32_t> assign(std::span<const HostEntry> hosts);
  // The snapshot that held `slots` is gone.
  void unassign(std::span<const uint32_t> slots);

  const Host& host(std::size_t slot) const { return slots_[slot].host; }
  std::size_t host_count() const { return slots_.size(); }
  std::size_t idle_count(std::size_t slot) const { return idle_[slot].size(); }
  // Connections open to the slot's current address (in use or idle; /clusters cx_active).
  uint32_t open_count(std::size_t slot) const { return slots_[slot].open; }
  // Upstream connections open (in use or idle), for the max_connections circuit breaker.
  uint32_t open_connections() const { return open_; }
  const PoolStats& stats() const { return stats_; }
  PoolStats& stats() { return stats_; }

 private:
  friend class UpstreamConnection;
  void evict(UpstreamConnection* c, bool by_upstream);

  struct Slot {
    Host host;
    uint32_t holders = 0;     // snapshots that map a host to it
    uint32_t generation = 0;  // bumped when the slot is given to another address
    uint32_t open = 0;        // connections of this generation open, in use or idle
    bool live = true;         // some snapshot holds it (or it never had a holder yet)
  };
  void retire(std::size_t slot);

  const conf::Cluster& cluster_;
  std::vector<Slot> slots_;
  uint32_t open_ = 0;
  core::BufferPool& buffers_;
  uint32_t connection_buffer_;
  std::vector<std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
  std::vector<tls::SessionPtr> sessions_;  // per host: the last TLS session, to resume
  PoolStats stats_;
};

}  // namespace ringress::lb
