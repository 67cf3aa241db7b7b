#include "app/tcp_proxy.h"

#include <cerrno>
#include <cstring>

#include "core/connect.h"
#include "core/log.h"
#include "core/stream_bridge.h"
#include "core/tcp_stream.h"
#include "lb/hosts.h"

namespace ringress::app {
// Lets the worker's scope end a session (drain timeout): cancelling fails every pending
// operation of both streams, which ends the bridge.
struct TcpProxy::Session final : core::Cancellable {
  explicit Session(core::TcpStream& d) : down(d) {}
  void cancel() override {
    down.cancel();
    if (up) up->cancel();
  }
  core::TcpStream& down;
  core::TcpStream* up = nullptr;
};

TcpProxy::TcpProxy(const conf::Listener& listener, const conf::Cluster& cluster,
                   core::BufferPool& pool, uint32_t connection_buffer, TcpStats& stats)
    : listener_(listener),
      cluster_(cluster),
      pool_(pool),
      connection_buffer_(connection_buffer),
      stats_(stats),
      picker_(lb::hosts_of(cluster)) {}

core::Task<void> TcpProxy::serve(core::Socket client, core::TaskScope& scope) {
  ++stats_.accepted;
  ++stats_.active;
  core::TcpStream down(std::move(client), pool_, connection_buffer_);
  Session session(down);
  scope.add(session);

  core::Socket upstream;
  for (uint32_t attempt = 0; attempt < listener_.connect_attempts && !down.cancelled(); ++attempt) {
    const lb::Host& host = picker_.host(picker_.pick());
    core::ConnectResult r =
        co_await core::connect_tcp(host.address, core::deadline_after(cluster_.connect_timeout));
    if (r.error == 0) {
      upstream = std::move(r.socket);
      break;
    }
    ++stats_.upstream_connect_failed;
    if (r.error == -ETIMEDOUT) ++stats_.upstream_connect_timeout;
    RLOG_WARN("listener %s: connect to %s (cluster %s) failed: %s", listener_.name.c_str(),
              host.address.to_string().c_str(), cluster_.name.c_str(), std::strerror(-r.error));
  }
  if (!upstream.valid()) {
    ++stats_.no_upstream;
    RLOG_WARN("listener %s: no host of cluster %s reachable after %u attempts; closing client",
              listener_.name.c_str(), cluster_.name.c_str(), listener_.connect_attempts);
    --stats_.active;
    co_return;
  }

  core::TcpStream up(std::move(upstream), pool_, connection_buffer_);
  session.up = &up;
  if (down.cancelled()) up.cancel();
  core::BridgeResult r = co_await core::bridge(down, up, listener_.idle_timeout);
  session.up = nullptr;
  stats_.bytes_downstream_to_upstream += r.a_to_b;
  stats_.bytes_upstream_to_downstream += r.b_to_a;
  if (r.idle_timeout) {
    ++stats_.idle_timeout;
    RLOG_DEBUG("listener %s: idle timeout, closed both sides", listener_.name.c_str());
  }
  if (r.reset) ++stats_.reset;
  --stats_.active;
}

}  // namespace ringress::app
