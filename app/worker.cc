#include "app/worker.h"

#include <chrono>
#include <deque>
#include <functional>
#include <future>

#include "app/admin_snapshot.h"
#include "app/outcome_reporter.h"
#include "app/tcp_proxy.h"
#include "core/acceptor.h"
#include "core/buffer_pool.h"
#include "core/event.h"
#include "core/io_op.h"
#include "core/log.h"
#include "core/reactor.h"
#include "core/task_scope.h"
#include "http/access_log_sink.h"
#include "http/http_listener.h"
#include "lb/upstream_cluster.h"
#include "tls/wolfssl.h"

namespace ringress::app {

using ServeFn = std::function<core::Task<void>(core::Socket, core::TaskScope&)>;

// Everything that lives on the worker's thread, built there and destroyed there.
struct Worker::Runtime {
  Runtime(unsigned index, const conf::Config& config, std::vector<lb::HostSetPtr>& host_sets,
          core::Channel<ControlMessage>& control, WorkerStats& stats)
      : index(index),
        stats(stats),
        control(control),
        pool(reactor, config.runtime.buffer_size, config.runtime.buffers_per_worker) {
    const uint32_t cb = config.runtime.connection_buffer;
    open.assign(config.listeners.size(), 0);
    overflow.assign(config.listeners.size(), 0);
    for (std::size_t i = 0; i < config.clusters.size(); ++i)
      clusters.emplace_back(config.clusters[i], std::move(host_sets[i]), pool, cb,
                            (uint64_t{index} << 32) ^ (i * 0x9e3779b97f4a7c15ull));
    reporter = std::make_unique<OutcomeReporter>(index, clusters, control);
    for (const auto& l : config.listeners) {
      if (l.protocol == conf::Protocol::tcp) {
        auto& p = tcp.emplace_back(std::make_unique<TcpProxy>(l, clusters, pool, cb, stats.tcp));
        serve.push_back([p = p.get()](core::Socket s, core::TaskScope& scope) {
          return p->serve(std::move(s), scope);
        });
      } else {
        auto& h = http.emplace_back(
            std::make_unique<http::HttpListener>(l, clusters, pool, cb, logs, stats.http));
        serve.push_back([h = h.get()](core::Socket s, core::TaskScope& scope) {
          return h->serve(std::move(s), scope);
        });
      }
    }
  }
  unsigned index;
  WorkerStats& stats;
  core::Channel<ControlMessage>& control;
  core::Reactor reactor;
  core::BufferPool pool;
  std::deque<lb::UpstreamCluster> clusters;
  http::AccessLogSinks logs;
  std::vector<std::unique_ptr<TcpProxy>> tcp;
  std::vector<std::unique_ptr<http::HttpListener>> http;
  std::vector<ServeFn> serve;      // per listener, in config order
  std::vector<uint32_t> open;      // per listener: its sessions on this worker
  std::vector<uint64_t> overflow;  // per listener: connections refused over max_connections
  core::Event drain_requested;
  core::Channel<WorkerMessage> inbox;
  std::unique_ptr<OutcomeReporter> reporter;
};

namespace {

core::Task<void> accept_loop(core::Acceptor& acceptor, const ServeFn& serve,
                             const conf::Listener& l, core::TaskScope& sessions, uint32_t& open,
                             uint64_t& rejected) {
  // Refusals are logged at most once a second, with how many there were: a flood must not
  // become a flood of log lines.
  core::TimePoint next_log{};
  uint64_t unlogged = 0;
  for (;;) {
    core::AcceptResult r = co_await acceptor.accept();
    if (r.error == -ECANCELED) co_return;
    if (r.error < 0) continue;
    if (open >= l.max_connections) {
      ++rejected;
      ++unlogged;
      if (core::Clock::now() >= next_log) {
        RLOG_WARN(
            "listener %s: %u connections open on this worker; refused %llu since the last "
            "such line",
            l.name.c_str(), l.max_connections, static_cast<unsigned long long>(unlogged));
        unlogged = 0;
        next_log = core::Clock::now() + std::chrono::seconds(1);
      }
      continue;
    }
    sessions.spawn(serve(std::move(r.socket), sessions), &open);
  }
}

void on_messages(Worker::Runtime& rt, std::span<WorkerMessage> batch) {
  for (WorkerMessage& m : batch) {
    if (auto* update = std::get_if<HostSetUpdate>(&m)) {
      if (update->cluster < rt.clusters.size())
        rt.clusters[update->cluster].update(std::move(update->set));
    } else if (auto* request = std::get_if<StatsRequest>(&m)) {
      rt.control.send(StatsReply{
          request->id,
          std::make_shared<const WorkerSnapshot>(snapshot_worker(
              rt.index, rt.stats.tcp, rt.stats.http, rt.open, rt.overflow, rt.pool, rt.clusters))});
    }
  }
}

core::Task<void> worker_main(Worker::Runtime& rt, const conf::Config& config,
                             std::vector<core::Socket>& sockets, WorkerStats& stats) {
  core::TaskScope control;
  control.spawn(rt.inbox.receive([&rt](std::span<WorkerMessage> batch) { on_messages(rt, batch); },
                                 control.token()));
  control.spawn(rt.reporter->run());
  std::vector<std::unique_ptr<core::Acceptor>> acceptors;
  core::TaskScope accepting;
  core::TaskScope sessions;
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    acceptors.push_back(std::make_unique<core::Acceptor>(std::move(sockets[i])));
    accepting.spawn(accept_loop(*acceptors[i], rt.serve[i], config.listeners[i], sessions,
                                rt.open[i], rt.overflow[i]));
  }
  co_await rt.drain_requested.wait();

  for (auto& a : acceptors) a->stop();
  // The accept loops end first: one may still start a session from a connection accepted
  // before stop(), and none may spawn into `sessions` once it is joined.
  co_await accepting.join();
  for (auto& h : rt.http) h->drain();
  auto deadline = core::deadline_after(config.runtime.drain_timeout);
  while (sessions.size() > 0 && core::Clock::now() < deadline)
    co_await core::sleep_for(std::chrono::milliseconds(20));
  if (sessions.size() > 0) {
    RLOG_INFO("drain timeout: closing %zu open connections", sessions.size());
    sessions.cancel();
  }
  co_await sessions.join();
  rt.reporter->stop();
  control.cancel();
  co_await control.join();
  for (uint64_t n : rt.overflow) stats.rejected_overload += n;
  for (auto& c : rt.clusters) {
    stats.pools.push_back(c.pool.stats());
    stats.clusters.push_back(c.counters());
    c.pool.close_idle();
  }
  co_await rt.logs.drain();
  rt.control.send(WorkerStopped{rt.index});
}

}  // namespace

Worker::Worker(unsigned index, const conf::Config& config, std::vector<core::Socket> sockets,
               std::vector<lb::HostSetPtr> host_sets, core::Channel<ControlMessage>& control)
    : index_(index),
      config_(config),
      sockets_(std::move(sockets)),
      host_sets_(std::move(host_sets)),
      control_(control) {}

Worker::~Worker() { join(); }

std::string Worker::start() {
  std::promise<std::string> started;
  auto result = started.get_future();
  thread_ = std::thread([this, &started] {
    std::string name = "w" + std::to_string(index_);
    core::set_log_thread_name(name.c_str());
    try {
      runtime_ = std::make_unique<Runtime>(index_, config_, host_sets_, control_, stats_);
    } catch (const std::exception& e) {
      started.set_value(std::string("worker ") + std::to_string(index_) + ": " + e.what());
      return;
    }
    started.set_value({});
    thread_main();
  });
  std::string error = result.get();
  if (!error.empty()) join();
  return error;
}

void Worker::thread_main() {
  runtime_->reactor.run(worker_main(*runtime_, config_, sockets_, stats_));
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
