#include "app/worker.h"

#include <chrono>
#include <future>
#include <map>

#include "app/admin_snapshot.h"
#include "app/outcome_reporter.h"
#include "app/worker_clusters.h"
#include "app/worker_generation.h"
#include "core/acceptor.h"
#include "core/buffer_pool.h"
#include "core/event.h"
#include "core/io_op.h"
#include "core/log.h"
#include "core/reactor.h"
#include "core/task_scope.h"
#include "tls/wolfssl.h"

namespace ringress::app {

namespace {

using ull = unsigned long long;

// One listener on this worker, by name: its socket's acceptor, its sessions, and which
// generation serves its new connections. A reload that keeps the listener (same name, address
// and protocol) keeps the slot and only re-points it; a removed listener's slot stops accepting
// and drains.
struct ListenerSlot {
  ~ListenerSlot() { point_at(nullptr, 0); }
  void point_at(WorkerGeneration* g, std::size_t i) {
    if (generation) --generation->pins;
    generation = g;
    index = i;
    if (g) ++g->pins;
  }
  std::string name;
  std::unique_ptr<core::Acceptor> acceptor;
  core::TaskScope accepting;  // the accept loop
  core::TaskScope sessions;   // its connections, whatever their generation
  uint32_t open = 0;          // sessions open (max_connections)
  uint64_t overflow = 0;      // connections refused over max_connections
  WorkerGeneration* generation = nullptr;
  std::size_t index = 0;  // the listener's index in generation->config->listeners
  bool started = false;   // the accept loop runs
};

constexpr auto kReapInterval = std::chrono::milliseconds(100);

}  // namespace

// Everything that lives on the worker's thread, built there and destroyed there.
struct Worker::Runtime {
  Runtime(unsigned index, ConfigUpdate& first, core::Channel<ControlMessage>& control,
          WorkerStats& stats)
      : index(index),
        stats(stats),
        control(control),
        pool(reactor, first.config->runtime.buffer_size, first.config->runtime.buffers_per_worker),
        connection_buffer(first.config->runtime.connection_buffer),
        clusters(index, pool, connection_buffer),
        reporter(index, clusters, control) {
    current = build(first);
    if (first.sockets && index < first.sockets->per_worker.size())
      first_sockets = std::move(first.sockets->per_worker[index]);
  }
  ~Runtime() {
    listeners.clear();
    closing.clear();
    retired.clear();
    current.reset();
  }

  std::unique_ptr<WorkerGeneration> build(const ConfigUpdate& u) {
    std::vector<std::shared_ptr<WorkerCluster>> held;
    held.reserve(u.clusters.size());
    for (const ClusterSpec& c : u.clusters) held.push_back(clusters.obtain(c));
    return std::make_unique<WorkerGeneration>(u.generation, u.config, std::move(held), pool,
                                              connection_buffer, stats.tcp, stats.http);
  }
  template <typename F>
  void for_each_generation(F&& f) {
    if (current) f(*current);
    for (auto& g : retired) f(*g);
  }

  unsigned index;
  WorkerStats& stats;
  core::Channel<ControlMessage>& control;
  core::Reactor reactor;
  core::BufferPool pool;
  uint32_t connection_buffer;
  WorkerClusters clusters;
  OutcomeReporter reporter;
  std::unique_ptr<WorkerGeneration> current;
  std::vector<std::unique_ptr<WorkerGeneration>> retired;  // until unused()
  std::map<std::string, std::unique_ptr<ListenerSlot>> listeners;
  std::vector<std::unique_ptr<ListenerSlot>> closing;  // removed, draining
  std::vector<std::pair<std::string, core::Socket>> first_sockets;
  core::TaskScope listener_tasks;  // the drains of removed listeners
  uint64_t closed_overflow = 0;    // refusals of listeners removed since
  bool stopping = false;
  core::Event drain_requested;
  core::Channel<WorkerMessage> inbox;
};

namespace {

core::Task<void> accept_loop(ListenerSlot& slot) {
  // Refusals are logged at most once a second, with how many there were: a flood must not
  // become a flood of log lines.
  core::TimePoint next_log{};
  uint64_t unlogged = 0;
  for (;;) {
    core::AcceptResult r = co_await slot.acceptor->accept();
    if (r.error == -ECANCELED) co_return;
    if (r.error < 0) continue;
    WorkerGeneration& g = *slot.generation;
    const conf::Listener& l = g.config->listeners[slot.index];
    if (slot.open >= l.max_connections) {
      ++slot.overflow;
      ++unlogged;
      if (core::Clock::now() >= next_log) {
        RLOG_WARN(
            "listener %s: %u connections open on this worker; refused %llu since the last "
            "such line",
            l.name.c_str(), l.max_connections, static_cast<ull>(unlogged));
        unlogged = 0;
        next_log = core::Clock::now() + std::chrono::seconds(1);
      }
      continue;
    }
    // Counted open on the slot and in the generation it is served by, which it keeps to its
    // end: both counts live in the scope's child frame, not in a wrapper frame per connection.
    slot.sessions.spawn(g.serve[slot.index](std::move(r.socket), slot.sessions), &slot.open,
                        &g.sessions);
  }
}

// A removed listener: no new connections (its socket closes with the acceptor); its HTTP
// connections close as SIGTERM's drain closes them, and what is open after the drain timeout
// is cancelled.
core::Task<void> close_listener(Worker::Runtime& rt, ListenerSlot& slot, uint64_t before) {
  co_await slot.accepting.join();
  slot.acceptor.reset();
  slot.point_at(nullptr, 0);  // no connection will be accepted under its generation any more
  rt.for_each_generation([&](WorkerGeneration& g) {
    if (g.number >= before) return;  // a listener of the same name there is another socket's
    int i = g.listener_index(slot.name);
    if (i >= 0) g.drain_listener(static_cast<std::size_t>(i));
  });
  const core::TimePoint deadline = core::deadline_after(rt.current->config->runtime.drain_timeout);
  while (slot.sessions.size() > 0 && core::Clock::now() < deadline && !rt.stopping)
    co_await core::sleep_for(std::chrono::milliseconds(20));
  if (slot.sessions.size() > 0 && !rt.stopping) {
    RLOG_INFO("listener %s removed: drain timeout, closing %zu open connections", slot.name.c_str(),
              slot.sessions.size());
    slot.sessions.cancel();
  }
  co_await slot.sessions.join();
  if (rt.stopping) co_return;  // the worker's own drain owns the slot now
  rt.closed_overflow += slot.overflow;
  for (auto it = rt.closing.begin(); it != rt.closing.end(); ++it) {
    if (it->get() != &slot) continue;
    rt.closing.erase(it);
    break;
  }
}

void close_slot(Worker::Runtime& rt, std::unique_ptr<ListenerSlot> slot, uint64_t before) {
  ListenerSlot& s = *slot;
  rt.closing.push_back(std::move(slot));
  if (s.acceptor) s.acceptor->stop();
  rt.listener_tasks.spawn(close_listener(rt, s, before));
}

// Points every listener slot at generation `g`: new sockets become new slots (replacing a slot
// of the same name, whose address or protocol changed), kept ones are re-pointed, and slots of
// listeners `g` does not have close.
void attach_listeners(Worker::Runtime& rt, WorkerGeneration& g,
                      std::vector<std::pair<std::string, core::Socket>>& sockets) {
  for (auto& [name, socket] : sockets) {
    auto it = rt.listeners.find(name);
    if (it != rt.listeners.end()) {
      close_slot(rt, std::move(it->second), g.number);
      rt.listeners.erase(it);
    }
    auto slot = std::make_unique<ListenerSlot>();
    slot->name = name;
    slot->acceptor = std::make_unique<core::Acceptor>(std::move(socket));
    rt.listeners.emplace(name, std::move(slot));
  }
  for (auto it = rt.listeners.begin(); it != rt.listeners.end();) {
    const int i = g.listener_index(it->first);
    if (i >= 0) {
      ++it;
      continue;
    }
    close_slot(rt, std::move(it->second), g.number);
    it = rt.listeners.erase(it);
  }
  for (std::size_t i = 0; i < g.config->listeners.size(); ++i) {
    const std::string& name = g.config->listeners[i].name;
    auto it = rt.listeners.find(name);
    if (it == rt.listeners.end()) {
      RLOG_ERROR("listener %s: no socket on this worker; it is not served here", name.c_str());
      continue;
    }
    ListenerSlot& slot = *it->second;
    slot.point_at(&g, i);
    if (!slot.started) {
      slot.started = true;
      slot.accepting.spawn(accept_loop(slot));
    }
  }
}

void switch_generation(Worker::Runtime& rt, ConfigUpdate& u) {
  std::unique_ptr<WorkerGeneration> g;
  try {
    g = rt.build(u);
  } catch (const std::exception& e) {
    RLOG_ERROR("config generation %llu: %s; this worker keeps generation %llu",
               static_cast<ull>(u.generation), e.what(), static_cast<ull>(rt.current->number));
    return;
  }
  std::vector<std::pair<std::string, core::Socket>> sockets;
  if (u.sockets && rt.index < u.sockets->per_worker.size())
    sockets = std::move(u.sockets->per_worker[rt.index]);
  attach_listeners(rt, *g, sockets);
  rt.current->retire();
  rt.retired.push_back(std::move(rt.current));
  rt.current = std::move(g);
  RLOG_DEBUG("serving config generation %llu (%zu older ones still have connections)",
             static_cast<ull>(rt.current->number), rt.retired.size());
}

void send_stats(Worker::Runtime& rt, uint64_t id) {
  const conf::Config& config = *rt.current->config;
  std::vector<uint32_t> open;
  std::vector<uint64_t> overflow;
  for (const conf::Listener& l : config.listeners) {
    auto it = rt.listeners.find(l.name);
    open.push_back(it == rt.listeners.end() ? 0 : it->second->open);
    overflow.push_back(it == rt.listeners.end() ? 0 : it->second->overflow);
  }
  rt.control.send(StatsReply{id, std::make_shared<const WorkerSnapshot>(
                                     snapshot_worker(rt.index, rt.stats.tcp, rt.stats.http, open,
                                                     overflow, rt.pool, rt.current->clusters))});
}

void on_messages(Worker::Runtime& rt, std::span<WorkerMessage> batch) {
  for (WorkerMessage& m : batch) {
    if (auto* update = std::get_if<HostSetUpdate>(&m)) {
      if (lb::UpstreamCluster* c = rt.clusters.find(update->cluster_id))
        c->update(std::move(update->set));
    } else if (auto* request = std::get_if<StatsRequest>(&m)) {
      send_stats(rt, request->id);
    } else if (auto* config = std::get_if<ConfigUpdate>(&m)) {
      if (!rt.stopping) switch_generation(rt, *config);
    }
  }
}

// Frees the retired generations no connection uses any more (their access logs written out
// first). Their clusters go with them unless a newer generation holds them too.
core::Task<void> reap_generations(Worker::Runtime& rt, core::CancelToken& stop) {
  for (;;) {
    int rc = co_await core::sleep_for(kReapInterval, &stop);
    if (rc == -ECANCELED) co_return;
    for (std::size_t i = 0; i < rt.retired.size();) {
      if (!rt.retired[i]->unused()) {
        ++i;
        continue;
      }
      std::unique_ptr<WorkerGeneration> g = std::move(rt.retired[i]);
      rt.retired.erase(rt.retired.begin() + static_cast<std::ptrdiff_t>(i));
      co_await g->logs.drain();
      RLOG_INFO("config generation %llu: its last connection ended; freed",
                static_cast<ull>(g->number));
    }
  }
}

std::size_t open_sessions(const Worker::Runtime& rt) {
  std::size_t n = 0;
  for (const auto& [name, slot] : rt.listeners) n += slot->sessions.size();
  for (const auto& slot : rt.closing) n += slot->sessions.size();
  return n;
}

core::Task<void> worker_main(Worker::Runtime& rt, WorkerStats& stats) {
  core::TaskScope control;
  control.spawn(rt.inbox.receive([&rt](std::span<WorkerMessage> batch) { on_messages(rt, batch); },
                                 control.token()));
  control.spawn(rt.reporter.run());
  control.spawn(reap_generations(rt, control.token()));
  attach_listeners(rt, *rt.current, rt.first_sockets);
  rt.first_sockets.clear();
  co_await rt.drain_requested.wait();

  rt.stopping = true;
  for (auto& [name, slot] : rt.listeners) slot->acceptor->stop();
  // The accept loops end first: one may still start a session from a connection accepted
  // before stop(), and none may spawn into a slot's sessions once they are joined.
  for (auto& [name, slot] : rt.listeners) co_await slot->accepting.join();
  rt.for_each_generation([](WorkerGeneration& g) { g.drain_all(); });
  auto deadline = core::deadline_after(rt.current->config->runtime.drain_timeout);
  while (open_sessions(rt) > 0 && core::Clock::now() < deadline)
    co_await core::sleep_for(std::chrono::milliseconds(20));
  if (open_sessions(rt) > 0) {
    RLOG_INFO("drain timeout: closing %zu open connections", open_sessions(rt));
    for (auto& [name, slot] : rt.listeners) slot->sessions.cancel();
    for (auto& slot : rt.closing) slot->sessions.cancel();
  }
  for (auto& [name, slot] : rt.listeners) co_await slot->sessions.join();
  co_await rt.listener_tasks.join();
  rt.reporter.stop();
  control.cancel();
  co_await control.join();
  stats.rejected_overload = rt.closed_overflow;
  for (auto& [name, slot] : rt.listeners) stats.rejected_overload += slot->overflow;
  for (auto& slot : rt.closing) stats.rejected_overload += slot->overflow;
  for (lb::UpstreamCluster& c : rt.current->clusters) {
    stats.pools.push_back(c.pool.stats());
    stats.clusters.push_back(c.counters());
  }
  rt.listeners.clear();
  rt.closing.clear();
  for (auto& g : rt.retired) co_await g->logs.drain();
  co_await rt.current->logs.drain();
  // The clusters close their idle pooled connections as the generations holding them go, while
  // the loop still turns.
  rt.retired.clear();
  auto last = std::move(rt.current);
  last.reset();
  rt.control.send(WorkerStopped{rt.index});
}

}  // namespace

Worker::Worker(unsigned index, ConfigUpdate first, core::Channel<ControlMessage>& control)
    : index_(index), first_(std::move(first)), control_(control) {}

Worker::~Worker() { join(); }

std::string Worker::start() {
  std::promise<std::string> started;
  auto result = started.get_future();
  thread_ = std::thread([this, &started] {
    std::string name = "w" + std::to_string(index_);
    core::set_log_thread_name(name.c_str());
    try {
      runtime_ = std::make_unique<Runtime>(index_, first_, control_, stats_);
    } catch (const std::exception& e) {
      started.set_value(std::string("worker ") + std::to_string(index_) + ": " + e.what());
      return;
    }
    first_ = ConfigUpdate{};
    started.set_value({});
    thread_main();
  });
  std::string error = result.get();
  if (!error.empty()) join();
  return error;
}

void Worker::thread_main() {
  runtime_->reactor.run(worker_main(*runtime_, stats_));
  runtime_.reset();
  tls::release_thread_caches();
}

void Worker::drain() {
  Runtime* rt = runtime_.get();
  if (!rt) return;
  rt->reactor.execute([rt] { rt->drain_requested.set(); });
}

core::Channel<WorkerMessage>& Worker::inbox() { return runtime_->inbox; }

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace ringress::app
