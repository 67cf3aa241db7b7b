#include "lb/connection_pool.h"

#include <algorithm>
#include <cerrno>

#include "core/connect.h"
#include "core/reactor.h"

namespace ringress::lb {

UpstreamConnection::UpstreamConnection(core::Socket socket, core::BufferPool& buffers,
                                       uint32_t connection_buffer, std::size_t host)
    : transport_(std::move(socket), buffers, connection_buffer), host_(host) {
  idle_timer_.context = this;
  idle_timer_.fire = [](core::Timer* t) {
    auto* c = static_cast<UpstreamConnection*>(t->context);
    c->idle_in_->evict(c, false);
  };
}

UpstreamConnection::~UpstreamConnection() {
  if (counted_in_) {
    --counted_in_->open_;
    ConnectionPool::Slot& slot = counted_in_->slots_[host_];
    if (slot.generation == generation_) --slot.open;
  }
  stream().set_close_listener(nullptr);
  if (idle_timer_.queued()) core::Reactor::current().remove_timer(&idle_timer_);
}

void UpstreamConnection::on_peer_closed() {
  if (idle_in_) idle_in_->evict(this, true);
}

ConnectionPool::ConnectionPool(const conf::Cluster& cluster, std::vector<Host> hosts,
                               core::BufferPool& buffers, uint32_t connection_buffer)
    : cluster_(cluster),
      buffers_(buffers),
      connection_buffer_(connection_buffer),
      idle_(hosts.size()),
      sessions_(hosts.size()) {
  slots_.reserve(hosts.size());
  for (auto& h : hosts) slots_.push_back({std::move(h)});
  for (auto& list : idle_) list.reserve(cluster.pool.max_idle_per_host);
}

std::vector<uint32_t> ConnectionPool::assign(std::span<const HostEntry> hosts) {
  std::vector<uint32_t> out;
  out.reserve(hosts.size());
  for (const HostEntry& e : hosts) {
    std::size_t slot = slots_.size();
    for (std::size_t s = 0; s < slots_.size(); ++s) {
      if (slots_[s].live && slots_[s].host.address == e.host.address) {
        slot = s;
        break;
      }
    }
    if (slot == slots_.size()) {
      for (std::size_t s = 0; s < slots_.size(); ++s) {
        if (!slots_[s].live && slots_[s].holders == 0) {
          slot = s;
          break;
        }
      }
      if (slot == slots_.size()) {
        slots_.emplace_back();
        idle_.emplace_back().reserve(cluster_.pool.max_idle_per_host);
        sessions_.emplace_back();
      }
      Slot& fresh = slots_[slot];
      fresh.host = e.host;
      fresh.live = true;
      ++fresh.generation;
      fresh.open = 0;  // the old address's connections still open are not this one's
      sessions_[slot].reset();
    }
    ++slots_[slot].holders;
    out.push_back(static_cast<uint32_t>(slot));
  }
  // Slots that had no holder yet (the constructor's) and were not taken now are gone.
  for (std::size_t s = 0; s < slots_.size(); ++s)
    if (slots_[s].live && slots_[s].holders == 0) retire(s);
  return out;
}

void ConnectionPool::unassign(std::span<const uint32_t> slots) {
  for (uint32_t s : slots) {
    if (--slots_[s].holders == 0) retire(s);
  }
}

void ConnectionPool::retire(std::size_t slot) {
  slots_[slot].live = false;
  idle_[slot].clear();
  sessions_[slot].reset();
}

ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<UpstreamConnection> ConnectionPool::take_idle(std::size_t host) {
  auto& list = idle_[host];
  while (!list.empty()) {
    std::unique_ptr<UpstreamConnection> c = std::move(list.back());
    list.pop_back();
    c->idle_in_ = nullptr;
    c->stream().set_close_listener(nullptr);
    if (c->idle_timer_.queued()) core::Reactor::current().remove_timer(&c->idle_timer_);
    if (c->stream().closed_by_peer() || c->stream().has_unread_data()) {
      ++stats_.discarded;
      continue;
    }
    ++stats_.reused;
    return c;
  }
  return nullptr;
}

core::Task<ConnectOutcome> ConnectionPool::connect(std::size_t host, core::CancelToken* cancel) {
  ConnectOutcome out;
  const core::TimePoint deadline = core::deadline_after(cluster_.connect_timeout);
  const uint32_t generation = slots_[host].generation;
  core::ConnectResult r = co_await core::connect_tcp(slots_[host].host.address, deadline, cancel);
  if (r.error == -ECANCELED) {
    out.error = r.error;
    co_return out;
  }
  if (r.error != 0) {
    ++stats_.connect_failures;
    if (r.error == -ETIMEDOUT) ++stats_.connect_timeouts;
    out.error = r.error;
    co_return out;
  }
  ++stats_.connections_opened;
  auto c =
      std::make_unique<UpstreamConnection>(std::move(r.socket), buffers_, connection_buffer_, host);
  c->generation_ = generation;
  c->counted_in_ = this;
  ++open_;
  if (slots_[host].generation == generation) ++slots_[host].open;
  if (cluster_.tls_context) {
    ++stats_.tls_handshakes;
    int rc = co_await c->transport_.originate(*cluster_.tls_context, slots_[host].host.hostname,
                                              sessions_[host].get(), deadline, cancel);
    if (rc == -ECANCELED) {
      out.error = rc;
      co_return out;
    }
    if (rc != 0) {
      ++stats_.tls_failures;
      if (rc == -EPROTO) sessions_[host].reset();  // not after a timeout or a cancel
      out.error = rc;
      out.tls_failure = c->transport_.failure();
      co_return out;
    }
    if (c->transport_.resumed()) ++stats_.tls_resumed;
  }
  out.connection = std::move(c);
  co_return out;
}

void ConnectionPool::release(std::unique_ptr<UpstreamConnection> c, bool reusable) {
  const auto& pool = cluster_.pool;
  auto& list = idle_[c->host_];
  const Slot& slot = slots_[c->host_];
  if (!reusable || !slot.live || slot.generation != c->generation_ || c->stream().cancelled() ||
      c->stream().closed_by_peer() || c->stream().has_unread_data() ||
      list.size() >= pool.max_idle_per_host ||
      (pool.max_requests_per_connection > 0 && c->requests_ >= pool.max_requests_per_connection)) {
    ++stats_.discarded;
    return;  // destroying it closes the socket
  }
  if (cluster_.tls_context && cluster_.tls.session_reuse && slot.generation == c->generation_)
    c->transport_.save_session(sessions_[c->host_]);
  c->idle_in_ = this;
  c->stream().set_close_listener(c.get());
  if (pool.idle_timeout.count() > 0) {
    c->idle_timer_.deadline = core::deadline_after(pool.idle_timeout);
    core::Reactor::current().add_timer(&c->idle_timer_);
  }
  list.push_back(std::move(c));
}

void ConnectionPool::close_idle() {
  for (auto& list : idle_) list.clear();
}

void ConnectionPool::evict(UpstreamConnection* c, bool by_upstream) {
  auto& list = idle_[c->host_];
  auto it = std::find_if(list.begin(), list.end(), [c](const auto& p) { return p.get() == c; });
  if (it == list.end()) return;
  if (by_upstream)
    ++stats_.closed_by_upstream;
  else
    ++stats_.idle_timeouts;
  list.erase(it);  // destroys the connection (the caller returns right after)
}

}  // namespace ringress::lb
