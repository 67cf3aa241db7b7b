#include "app/tcp_proxy.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/connect.h"
#include "core/log.h"
#include "core/stream_bridge.h"
#include "http/format.h"
#include "tls/transport.h"

namespace ringress::app {

namespace {
// Hosts a session remembers having tried (connect_attempts may be higher: later attempts may
// then repeat a host).
constexpr std::size_t kMaxTried = 16;

// The client's address into `log` (`ip` holds its text), for the access log.
void note_client(int fd, http::Exchange& log, char (&ip)[INET6_ADDRSTRLEN]) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return;
  const void* address = nullptr;
  if (ss.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
    address = &in.sin_addr;
    log.client_port = ntohs(in.sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
    address = &in6.sin6_addr;
    log.client_port = ntohs(in6.sin6_port);
  } else {
    return;
  }
  if (inet_ntop(ss.ss_family, address, ip, sizeof(ip))) log.client_ip = ip;
}
}  // namespace

// Lets the worker's scope end a session (drain timeout): cancelling fails every pending
// operation of both streams, which ends the bridge, and cancels `token`, which ends a connect
// or an upstream TLS handshake in flight.
struct TcpProxy::Session final : core::Cancellable {
  explicit Session(tls::Transport& d) : down(d) {}
  void cancel() override {
    down.stream().cancel();
    if (up) up->stream().cancel();
    token.cancel();
  }
  bool cancelled() const { return token.cancelled(); }
  tls::Transport& down;
  tls::Transport* up = nullptr;
  core::CancelToken token;
};

TcpProxy::TcpProxy(const conf::Listener& listener, const lb::ClusterRefs& clusters,
                   core::BufferPool& pool, uint32_t connection_buffer, TcpStats& stats,
                   http::AccessLogSinks& logs)
    : listener_(listener), pool_(pool), connection_buffer_(connection_buffer), stats_(stats) {
  if (listener.access_log) {
    log_sink_ = &logs.open(listener.access_log->path);
    line_.reserve(512);
  }
  targets_.reserve(clusters.size());
  auto index = [&](std::size_t cluster) {
    for (std::size_t i = 0; i < targets_.size(); ++i)
      if (targets_[i].cluster == &clusters[cluster]) return static_cast<int>(i);
    targets_.push_back({&clusters[cluster], {}});
    return static_cast<int>(targets_.size() - 1);
  };
  if (listener.has_cluster) default_target_ = index(listener.cluster);
  for (const conf::SniRoute& route : listener.sni_routes) {
    int t = index(route.cluster);
    for (const std::string& name : route.server_names)
      sni_targets_.add(name, static_cast<std::size_t>(t));
  }
}

int TcpProxy::target_for(std::string_view name) const {
  if (auto t = sni_targets_.find(name)) return static_cast<int>(*t);
  return default_target_;
}

void TcpProxy::end(http::Exchange& log, std::string_view flags) {
  --stats_.active;
  if (!log_sink_) return;
  log.response_flags = flags;
  http::format_access_line(line_, *listener_.access_log, log);
  log_sink_->write(line_);
}

core::Task<void> TcpProxy::serve(core::Socket client, core::TaskScope& scope) {
  ++stats_.accepted;
  ++stats_.active;
  // The session's facts for its access log line: the fields of an exchange a TCP session has.
  http::Exchange log;
  char client_ip[INET6_ADDRSTRLEN];
  char server_name[256];  // the ClientHello's SNI (a DNS name has at most 255 bytes)
  if (log_sink_) {
    log.start = core::Clock::now();
    log.start_wall = core::Clock::wall();
    note_client(client.fd(), log, client_ip);
  }
  tls::Transport downstream(std::move(client), pool_, connection_buffer_);
  Session session(downstream);
  scope.add(session);

  // TLS termination and SNI routing both start from the ClientHello.
  int target = default_target_;
  std::string hello_bytes;  // forwarded first when passing TLS through
  if (listener_.tls_context || !listener_.sni_routes.empty()) {
    core::TimePoint deadline = core::deadline_after(listener_.tls.handshake_timeout);
    tls::ClientHello hello = co_await downstream.read_client_hello(deadline);
    if (hello.outcome == tls::ClientHello::Outcome::none) {
      if (hello.failed) ++stats_.tls_handshake_failures;
      end(log, session.cancelled() ? http::flags::kCancelled
               : hello.failed      ? http::flags::kBadRequest
                                   : http::flags::kDownstreamClosed);
      co_return;
    }
    if (log_sink_ && !hello.server_name.empty()) {
      std::size_t n = std::min(hello.server_name.size(), sizeof(server_name));
      std::memcpy(server_name, hello.server_name.data(), n);
      log.requested_server_name = std::string_view(server_name, n);
    }
    if (!listener_.sni_routes.empty()) {
      target = target_for(hello.server_name);
      if (target < 0) {
        ++stats_.sni_no_route;
        RLOG_INFO("listener %s: no sni_routes entry for server name \"%s\"; closing client",
                  listener_.name.c_str(), hello.server_name.c_str());
        end(log, http::flags::kNoRoute);
        co_return;
      }
    }
    if (listener_.tls_context) {
      ++stats_.tls_handshakes;
      int rc = co_await downstream.accept(*listener_.tls_context, std::move(hello), deadline);
      if (rc != 0) {
        ++stats_.tls_handshake_failures;
        RLOG_INFO("listener %s: TLS handshake with a client failed: %s", listener_.name.c_str(),
                  downstream.failure().c_str());
        end(log, session.cancelled() ? http::flags::kCancelled : http::flags::kBadRequest);
        co_return;
      }
      if (downstream.resumed()) ++stats_.tls_resumed;
    } else {
      hello_bytes = std::move(hello.bytes);
    }
  }
  core::Stream& down = downstream.stream();
  Target& t = targets_[static_cast<std::size_t>(target)];
  lb::UpstreamCluster& uc = *t.cluster;
  const conf::Cluster& cluster = uc.config;
  log.cluster_name = cluster.name;
  if (uc.connections_full()) {
    ++stats_.overflow;
    ++uc.counters().overflow_connections;
    RLOG_WARN("listener %s: cluster %s is at its circuit breaker max_connections; closing client",
              listener_.name.c_str(), cluster.name.c_str());
    end(log, http::flags::kUpstreamOverflow);
    co_return;
  }
  // The session keeps the snapshot it started with, and its host's slot with it.
  lb::SnapshotLease snapshot(uc);

  core::Socket upstream;
  core::TimePoint connected_by{};  // the connect attempt's deadline covers the TLS handshake
  const lb::Host* host = nullptr;
  std::size_t host_index = 0;
  std::size_t attempted[kMaxTried];
  std::size_t tried = 0;
  bool no_host = false;
  for (uint32_t attempt = 0; attempt < listener_.connect_attempts && !session.cancelled();
       ++attempt) {
    std::optional<std::size_t> picked =
        uc.pick(*snapshot, {std::nullopt, std::span<const std::size_t>(attempted, tried)});
    if (!picked) {
      no_host = true;
      break;
    }
    host_index = *picked;
    if (tried < kMaxTried) attempted[tried++] = host_index;
    host = &snapshot->host(host_index);
    log.upstream_host = host->address_text;
    ++log.upstream_attempts;
    if (log_sink_) log.upstream_start = core::Clock::now();
    connected_by = core::deadline_after(cluster.connect_timeout);
    core::ConnectResult r = co_await core::connect_tcp(host->address, connected_by, &session.token);
    if (r.error == 0) {
      upstream = std::move(r.socket);
      uc.report(*snapshot, host_index, lb::HostOutcome::success);
      break;
    }
    if (r.error == -ECANCELED) break;
    uc.report(*snapshot, host_index, lb::HostOutcome::gateway_failure);
    ++stats_.upstream_connect_failed;
    if (r.error == -ETIMEDOUT) ++stats_.upstream_connect_timeout;
    RLOG_WARN("listener %s: connect to %s (cluster %s) failed: %s", listener_.name.c_str(),
              host->address_text.c_str(), cluster.name.c_str(), std::strerror(-r.error));
  }
  if (session.cancelled()) {
    end(log, http::flags::kCancelled);
    co_return;
  }
  if (no_host) {
    ++stats_.no_healthy_upstream;
    RLOG_WARN("listener %s: no healthy upstream in cluster %s; closing client",
              listener_.name.c_str(), cluster.name.c_str());
    end(log, http::flags::kNoHealthyUpstream);
    co_return;
  }
  if (!upstream.valid()) {
    ++stats_.no_upstream;
    RLOG_WARN("listener %s: no host of cluster %s reachable after %u attempts; closing client",
              listener_.name.c_str(), cluster.name.c_str(), listener_.connect_attempts);
    end(log, http::flags::kUpstreamConnectFailure);
    co_return;
  }
  // Counted while the upstream connection is open (max_connections, least_request).
  const std::size_t slot = snapshot->slots[host_index];
  if (t.sessions.size() <= slot) t.sessions.resize(uc.pool.host_count());
  uc.tunnel_opened();
  uc.try_started(*snapshot, host_index);
  struct Open {
    lb::UpstreamCluster& c;
    const lb::UpstreamCluster::Snapshot& s;
    std::size_t h;
    ~Open() {
      c.try_ended(s, h);
      c.tunnel_closed();
    }
  } open{uc, *snapshot, host_index};

  tls::Transport upstream_transport(std::move(upstream), pool_, connection_buffer_);
  session.up = &upstream_transport;
  if (cluster.tls_context) {
    WOLFSSL_SESSION* last = cluster.tls.session_reuse ? t.sessions[slot].get() : nullptr;
    int rc = co_await upstream_transport.originate(*cluster.tls_context, host->hostname, last,
                                                   connected_by, &session.token);
    if (rc == -ECANCELED) {
      session.up = nullptr;
      end(log, http::flags::kCancelled);
      co_return;
    }
    if (rc != 0) {
      ++stats_.upstream_tls_failed;
      RLOG_WARN("listener %s: TLS handshake with %s (cluster %s) failed: %s",
                listener_.name.c_str(), host->address_text.c_str(), cluster.name.c_str(),
                upstream_transport.failure().c_str());
      if (rc == -EPROTO) t.sessions[slot].reset();
      session.up = nullptr;
      end(log, http::flags::kUpstreamConnectFailure);
      co_return;
    }
  }
  if (log_sink_) log.upstream_connect = core::Clock::now() - log.upstream_start;
  core::Stream& up = upstream_transport.stream();
  if (!hello_bytes.empty()) {
    int w = co_await up.write(hello_bytes.data(), hello_bytes.size(),
                              core::deadline_after(listener_.idle_timeout));
    if (w < 0) {
      ++stats_.reset;
      session.up = nullptr;
      end(log, session.cancelled() ? http::flags::kCancelled : http::flags::kUpstreamReset);
      co_return;
    }
    stats_.bytes_downstream_to_upstream += hello_bytes.size();
    log.bytes_received = hello_bytes.size();
  }
  core::BridgeResult r = co_await core::bridge(down, up, listener_.idle_timeout);
  session.up = nullptr;
  // Kept at the end, when a TLS 1.3 server's tickets have arrived.
  if (cluster.tls_context && cluster.tls.session_reuse && !r.reset)
    upstream_transport.save_session(t.sessions[slot]);
  stats_.bytes_downstream_to_upstream += r.a_to_b;
  stats_.bytes_upstream_to_downstream += r.b_to_a;
  if (r.idle_timeout) {
    ++stats_.idle_timeout;
    RLOG_DEBUG("listener %s: idle timeout, closed both sides", listener_.name.c_str());
  }
  if (r.reset) ++stats_.reset;
  log.bytes_received += r.a_to_b;
  log.bytes_sent = r.b_to_a;
  // Cancelled at drain_timeout, the bridge ends with its streams failed: a cut, not a reset.
  // A reset is the client's (DC) when its side failed first, else the upstream's (UR).
  end(log, session.cancelled() ? http::flags::kCancelled
           : r.idle_timeout    ? http::flags::kStreamIdleTimeout
           : !r.reset          ? http::flags::kNone
           : r.a_failed        ? http::flags::kDownstreamClosed
                               : http::flags::kUpstreamReset);
}

}  // namespace ringress::app
