#include "app/tcp_proxy.h"

#include <cerrno>
#include <cstring>

#include "core/connect.h"
#include "core/log.h"
#include "core/tcp_stream.h"

namespace ringress::app {
namespace {

std::vector<lb::Host> hosts_of(const conf::Cluster& cluster) {
  std::vector<lb::Host> hosts;
  for (const auto& e : cluster.endpoints)
    for (const auto& a : e.addresses) hosts.push_back({a, e.weight});
  return hosts;
}

}  // namespace

// What both directions of one session share. Cancelling it fails every pending operation of
// both streams, which makes both pumps return.
struct TcpProxy::Session final : core::Cancellable {
  explicit Session(core::TcpStream& d) : down(d) {}
  void cancel() override {
    down.cancel();
    if (up) up->cancel();
  }
  core::TcpStream& down;
  core::TcpStream* up = nullptr;
  core::TimePoint last_activity = core::Clock::now();
};

TcpProxy::TcpProxy(const conf::Listener& listener, const conf::Cluster& cluster,
                   core::BufferPool& pool, uint32_t connection_buffer, TcpStats& stats)
    : listener_(listener),
      cluster_(cluster),
      pool_(pool),
      connection_buffer_(connection_buffer),
      stats_(stats),
      picker_(hosts_of(cluster)) {}

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
  session.last_activity = core::Clock::now();
  if (down.cancelled()) up.cancel();
  core::TaskScope pumps;
  pumps.spawn(pump(session, true));
  pumps.spawn(pump(session, false));
  co_await pumps.join();
  session.up = nullptr;
  --stats_.active;
}

core::Task<void> TcpProxy::pump(Session& s, bool downstream_to_upstream) {
  core::TcpStream& from = downstream_to_upstream ? s.down : *s.up;
  core::TcpStream& to = downstream_to_upstream ? *s.up : s.down;
  uint64_t& bytes = downstream_to_upstream ? stats_.bytes_downstream_to_upstream
                                           : stats_.bytes_upstream_to_downstream;
  const auto idle = listener_.idle_timeout;
  for (;;) {
    core::ReadResult r = co_await from.read(core::deadline_after(idle));
    if (r.error == -ETIMEDOUT) {
      if (core::Clock::now() - s.last_activity < idle) continue;
      ++stats_.idle_timeout;
      RLOG_DEBUG("listener %s: idle timeout, closing both sides", listener_.name.c_str());
      s.cancel();
      co_return;
    }
    if (r.error < 0) {
      if (r.error != -ECANCELED) ++stats_.reset;
      s.cancel();
      co_return;
    }
    if (r.eof()) {
      co_await to.shutdown_write();
      co_return;
    }
    s.last_activity = core::Clock::now();
    int w = co_await to.write(r.data.data(), r.data.size(), core::deadline_after(idle));
    if (w < 0) {
      if (w != -ECANCELED) ++stats_.reset;
      s.cancel();
      co_return;
    }
    bytes += r.data.size();
    s.last_activity = core::Clock::now();
  }
}

}  // namespace ringress::app
