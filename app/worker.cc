#include "app/worker.h"

#include <chrono>
#include <future>

#include "app/tcp_proxy.h"
#include "core/acceptor.h"
#include "core/buffer_pool.h"
#include "core/event.h"
#include "core/io_op.h"
#include "core/log.h"
#include "core/reactor.h"
#include "core/task_scope.h"

namespace ringress::app {

// Everything that lives on the worker's thread, built there and destroyed there.
struct Worker::Runtime {
  Runtime(const conf::Config& config, TcpStats& stats)
      : pool(reactor, config.runtime.buffer_size, config.runtime.buffers_per_worker) {
    for (const auto& l : config.listeners)
      proxies.push_back(std::make_unique<TcpProxy>(l, config.clusters[l.cluster], pool,
                                                   config.runtime.connection_buffer, stats));
  }
  core::Reactor reactor;
  core::BufferPool pool;
  std::vector<std::unique_ptr<TcpProxy>> proxies;
  core::Event drain_requested;
};

namespace {

core::Task<void> accept_loop(core::Acceptor& acceptor, TcpProxy& proxy, const conf::Listener& l,
                             core::TaskScope& sessions, TcpStats& stats) {
  for (;;) {
    core::AcceptResult r = co_await acceptor.accept();
    if (r.error == -ECANCELED) co_return;
    if (r.error < 0) continue;
    if (stats.active >= l.max_connections) {
      ++stats.rejected_overload;
      RLOG_WARN("listener %s: %u connections open on this worker; refusing one", l.name.c_str(),
                l.max_connections);
      continue;
    }
    sessions.spawn(proxy.serve(std::move(r.socket), sessions));
  }
}

core::Task<void> worker_main(Worker::Runtime& rt, const conf::Config& config,
                             std::vector<core::Socket>& sockets, TcpStats& stats) {
  std::vector<std::unique_ptr<core::Acceptor>> acceptors;
  core::TaskScope accepting;
  core::TaskScope sessions;
  for (std::size_t i = 0; i < sockets.size(); ++i) {
    acceptors.push_back(std::make_unique<core::Acceptor>(std::move(sockets[i])));
    accepting.spawn(
        accept_loop(*acceptors[i], *rt.proxies[i], config.listeners[i], sessions, stats));
  }
  co_await rt.drain_requested.wait();

  for (auto& a : acceptors) a->stop();
  co_await accepting.join();
  auto deadline = core::deadline_after(config.runtime.drain_timeout);
  while (sessions.size() > 0 && core::Clock::now() < deadline)
    co_await core::sleep_for(std::chrono::milliseconds(20));
  if (sessions.size() > 0) {
    RLOG_INFO("drain timeout: closing %zu open connections", sessions.size());
    sessions.cancel();
  }
  co_await sessions.join();
}

}  // namespace

Worker::Worker(unsigned index, const conf::Config& config, std::vector<core::Socket> sockets)
    : index_(index), config_(config), sockets_(std::move(sockets)) {}

Worker::~Worker() { join(); }

std::string Worker::start() {
  std::promise<std::string> started;
  auto result = started.get_future();
  thread_ = std::thread([this, &started] {
    std::string name = "w" + std::to_string(index_);
    core::set_log_thread_name(name.c_str());
    try {
      runtime_ = std::make_unique<Runtime>(config_, stats_);
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
}

void Worker::drain() {
  Runtime* rt = runtime_.get();
  if (!rt) return;
  rt->reactor.execute([rt] { rt->drain_requested.set(); });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace ringress::app
