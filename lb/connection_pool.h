// ConnectionPool: the keep-alive connections of one cluster on one worker, per host.
//
// An idle connection keeps its multishot receive armed, so a FIN or reset from the upstream
// evicts it at once (PeerCloseListener) instead of being found by the next request: the
// keep-alive race behind Envoy's "503 UC" needs the upstream to close in the instant between
// our check and our send, and a request that loses even that race is retried by the caller on a
// fresh connection when it is safe. Idle connections also close after the cluster's
// idle_timeout, which defaults below common backends' keep-alive so the proxy closes first.
// Idle lists are LIFO: the most recently used connection is reused first and cold ones age out.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/cancel_token.h"
#include "core/tcp_stream.h"
#include "core/timer_queue.h"
#include "lb/round_robin.h"
#include "tls/tls_stream.h"

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

  core::Stream& stream() { return *stream_; }
  std::size_t host() const { return host_; }
  // Completed exchanges on this connection; a reused connection has served at least one.
  uint32_t requests() const { return requests_; }
  void count_request() { ++requests_; }

 private:
  friend class ConnectionPool;
  void on_peer_closed() override;

  core::TcpStream tcp_;
  std::unique_ptr<tls::TlsStream> tls_;  // when the cluster originates TLS
  core::Stream* stream_ = &tcp_;         // tcp_, or tls_ over it
  std::size_t host_;
  uint32_t requests_ = 0;
  ConnectionPool* idle_in_ = nullptr;
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

  const Host& host(std::size_t i) const { return hosts_[i]; }
  std::size_t host_count() const { return hosts_.size(); }
  std::size_t idle_count(std::size_t host) const { return idle_[host].size(); }
  const PoolStats& stats() const { return stats_; }
  PoolStats& stats() { return stats_; }

 private:
  friend class UpstreamConnection;
  void evict(UpstreamConnection* c, bool by_upstream);

  const conf::Cluster& cluster_;
  std::vector<Host> hosts_;
  core::BufferPool& buffers_;
  uint32_t connection_buffer_;
  std::vector<std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
  std::vector<tls::SessionPtr> sessions_;  // per host: the last TLS session, to resume
  PoolStats stats_;
};

}  // namespace ringress::lb
