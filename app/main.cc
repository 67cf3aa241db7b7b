// ringress: entry point. Loads the config, binds every listener once per worker (so a port that
// is taken fails here, before anything runs), starts the workers, then waits for signals.
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "app/cli.h"
#include "app/worker.h"
#include "conf/config.h"
#include "core/log.h"
#include "core/socket.h"

using namespace ringress;

namespace {

void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

core::LogLevel to_core(conf::LogLevel l) {
  switch (l) {
    case conf::LogLevel::debug: return core::LogLevel::debug;
    case conf::LogLevel::info: return core::LogLevel::info;
    case conf::LogLevel::warn: return core::LogLevel::warn;
    case conf::LogLevel::error: return core::LogLevel::error;
  }
  return core::LogLevel::info;
}

unsigned worker_count(const conf::Config& config) {
  if (config.runtime.workers > 0) return config.runtime.workers;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

int run(const conf::Config& config) {
  const unsigned workers = worker_count(config);
  std::vector<std::vector<core::Socket>> sockets(workers);
  for (unsigned w = 0; w < workers; ++w) {
    for (const auto& l : config.listeners) {
      std::string error;
      core::Socket s = core::listen_tcp(l.address, static_cast<int>(l.backlog), true, error);
      if (!s.valid()) {
        std::fprintf(stderr, "ringress: listener %s: %s\n", l.name.c_str(), error.c_str());
        return 1;
      }
      sockets[w].push_back(std::move(s));
    }
  }

  // Signals are taken synchronously by this thread; workers inherit the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<std::unique_ptr<app::Worker>> pool;
  for (unsigned w = 0; w < workers; ++w) {
    pool.push_back(std::make_unique<app::Worker>(w, config, std::move(sockets[w])));
    std::string error = pool.back()->start();
    if (!error.empty()) {
      std::fprintf(stderr, "ringress: %s\n", error.c_str());
      for (auto& p : pool) p->drain();
      return 1;
    }
  }
  for (const auto& l : config.listeners)
    RLOG_INFO("listener %s on %s (tcp -> cluster %s)", l.name.c_str(), l.address.to_string().c_str(),
              config.clusters[l.cluster].name.c_str());
  RLOG_INFO("ringress %s running with %u worker(s), config %s", RINGRESS_VERSION, workers,
            config.path.c_str());

  for (;;) {
    int sig = sigwaitinfo(&signals, nullptr);
    if (sig == SIGHUP) {
      RLOG_WARN("SIGHUP: configuration reload is not available yet; restart to apply changes");
      continue;
    }
    if (sig == SIGTERM || sig == SIGINT) break;
  }
  RLOG_INFO("stopping: no new connections; open ones get up to %lld ms to finish",
            static_cast<long long>(config.runtime.drain_timeout.count()));
  for (auto& p : pool) p->drain();
  app::TcpStats total;
  for (auto& p : pool) {
    p->join();
    total.add(p->stats());
  }
  RLOG_INFO(
      "stopped: %llu connections, %llu upstream connect failures, %llu without upstream, "
      "%llu idle timeouts, %llu resets, %llu bytes up, %llu bytes down",
      (unsigned long long)total.accepted, (unsigned long long)total.upstream_connect_failed,
      (unsigned long long)total.no_upstream, (unsigned long long)total.idle_timeout,
      (unsigned long long)total.reset, (unsigned long long)total.bytes_downstream_to_upstream,
      (unsigned long long)total.bytes_upstream_to_downstream);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  app::CliOptions options;
  std::string error;
  if (!app::parse_cli(argc, argv, options, error)) {
    std::fprintf(stderr, "ringress: %s\n\n%s", error.c_str(), app::usage_text());
    return 2;
  }
  if (options.help) {
    std::fputs(app::usage_text(), stdout);
    return 0;
  }
  if (options.version) {
    std::printf("ringress %s\n", RINGRESS_VERSION);
    return 0;
  }
  conf::Config config;
  try {
    config = conf::load_config(options.config_path);
  } catch (const conf::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  if (options.validate) {
    std::printf("%s: configuration ok (%zu listeners, %zu clusters)\n", config.path.c_str(),
                config.listeners.size(), config.clusters.size());
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();
  core::set_log_level(to_core(config.runtime.log_level));
  int rc = run(config);
  core::log_flush();
  return rc;
}
