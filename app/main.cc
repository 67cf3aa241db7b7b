// ringress: entry point. Loads the config, binds every listener once per worker (so a port that
// is taken fails here, before anything runs), starts the workers, then waits for signals.
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "app/cli.h"
#include "app/config_reload.h"
#include "app/control_loop.h"
#include "app/sd_notify.h"
#include "app/upgrade_client.h"
#include "app/upgrade_server.h"
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

unsigned worker_count(const conf::Config& config) {
  if (config.runtime.workers > 0) return config.runtime.workers;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

void log_totals(const conf::Config& config, const app::WorkerStats& t) {
  using ull = unsigned long long;
  bool has_tcp = false, has_http = false;
  for (const auto& l : config.listeners) {
    has_tcp |= l.protocol == conf::Protocol::tcp;
    has_http |= l.protocol == conf::Protocol::http;
  }
  if (has_tcp)
    RLOG_INFO(
        "tcp: %llu connections, %llu upstream connect failures, %llu without upstream, "
        "%llu no healthy upstream, %llu over circuit breakers, "
        "%llu idle timeouts, %llu resets, %llu bytes up, %llu bytes down",
        (ull)t.tcp.accepted, (ull)t.tcp.upstream_connect_failed, (ull)t.tcp.no_upstream,
        (ull)t.tcp.no_healthy_upstream, (ull)t.tcp.overflow, (ull)t.tcp.idle_timeout,
        (ull)t.tcp.reset, (ull)t.tcp.bytes_downstream_to_upstream,
        (ull)t.tcp.bytes_upstream_to_downstream);
  const auto& h = t.http;
  if (has_http)
    RLOG_INFO(
        "http: %llu connections, %llu requests (%llu 2xx, %llu 3xx, %llu 4xx, %llu 5xx), "
        "%llu upstream requests, %llu retries, %llu with no retry left (URX), "
        "%llu stale-connection retries, %llu upgrades; "
        "local: %llu bad request, %llu header timeout, %llu body timeout, %llu client gone, "
        "%llu cut at drain, %llu no route, %llu too large, "
        "%llu no healthy upstream (UH), %llu over circuit breakers (UO), "
        "%llu connect failed, %llu upstream reset, %llu upstream protocol error, "
        "%llu upstream timeout, %llu rate limited",
        (ull)h.connections, (ull)h.requests, (ull)h.responses_by_class[2],
        (ull)h.responses_by_class[3], (ull)h.responses_by_class[4], (ull)h.responses_by_class[5],
        (ull)h.upstream_requests, (ull)h.upstream_retries, (ull)h.retry_limit_exceeded,
        (ull)h.stale_connection_retries, (ull)h.upgrades, (ull)h.bad_request,
        (ull)h.request_headers_timeout, (ull)h.request_body_timeout, (ull)h.downstream_closed,
        (ull)h.cancelled, (ull)h.no_route, (ull)h.body_too_large, (ull)h.no_healthy_upstream,
        (ull)h.upstream_overflow, (ull)h.upstream_connect_failed, (ull)h.upstream_reset,
        (ull)h.upstream_protocol_error, (ull)h.upstream_timeout, (ull)h.rate_limited);
  bool has_tls = false;
  for (const auto& l : config.listeners) has_tls |= l.tls.enabled;
  if (has_tls || t.tcp.sni_no_route > 0)
    RLOG_INFO(
        "tls listeners: %llu handshakes (%llu resumed), %llu failed, %llu plain HTTP on a TLS "
        "port, %llu without an sni route",
        (ull)(t.tcp.tls_handshakes + h.tls_handshakes), (ull)(t.tcp.tls_resumed + h.tls_resumed),
        (ull)(t.tcp.tls_handshake_failures + h.tls_handshake_failures), (ull)h.tls_plain_http,
        (ull)t.tcp.sni_no_route);
  if (t.rejected_overload > 0)
    RLOG_WARN("%llu connections refused over listeners' max_connections", (ull)t.rejected_overload);
  for (std::size_t i = 0; i < t.clusters.size(); ++i) {
    const auto& c = t.clusters[i];
    if (c.no_healthy_upstream + c.panic_picks + c.overflow_connections + c.overflow_pending +
            c.overflow_requests + c.overflow_retries + c.retry_budget_exhausted + c.retry_backoffs +
            c.per_try_timeouts + c.reports_dropped ==
        0)
      continue;
    RLOG_INFO(
        "cluster %s: %llu no healthy upstream, %llu panic picks; over circuit breakers: %llu "
        "max_connections, %llu max_pending_requests, %llu max_requests, %llu max_retries; "
        "%llu retries over budget, %llu retry backoffs, %llu per-try timeouts, "
        "%llu outcome reports dropped",
        config.clusters[i].name.c_str(), (ull)c.no_healthy_upstream, (ull)c.panic_picks,
        (ull)c.overflow_connections, (ull)c.overflow_pending, (ull)c.overflow_requests,
        (ull)c.overflow_retries, (ull)c.retry_budget_exhausted, (ull)c.retry_backoffs,
        (ull)c.per_try_timeouts, (ull)c.reports_dropped);
  }
  for (std::size_t i = 0; i < t.pools.size(); ++i) {
    const auto& p = t.pools[i];
    if (p.connections_opened == 0 && p.connect_failures == 0) continue;
    RLOG_INFO(
        "cluster %s: %llu connections opened, %llu reused, %llu connect failures, "
        "%llu closed by upstream while idle, %llu idle timeouts",
        config.clusters[i].name.c_str(), (ull)p.connections_opened, (ull)p.reused,
        (ull)p.connect_failures, (ull)p.closed_by_upstream, (ull)p.idle_timeouts);
    if (p.tls_handshakes > 0)
      RLOG_INFO("cluster %s: %llu TLS handshakes, %llu resumed, %llu failed",
                config.clusters[i].name.c_str(), (ull)p.tls_handshakes, (ull)p.tls_resumed,
                (ull)p.tls_failures);
  }
}

// The successor's last step of an upgrade, once its workers accept: systemd learns the new main
// process before the old one may exit, the old one is told to drain, and this process's
// upgrade socket replaces the old one's at the path.
void finish_takeover(app::UpgradeClient& takeover, app::UpgradeServer& upgrade) {
  app::sd_notify::main_pid();
  std::string error;
  int old = 0;
  if (takeover.finish(error, old))
    RLOG_INFO("upgrade: took %zu of %zu listening sockets; process %d drains and exits",
              takeover.taken(), takeover.received(), old);
  else
    RLOG_WARN("upgrade: the old process did not confirm its drain (%s); serving anyway",
              error.c_str());
  error = upgrade.open(true);
  if (!error.empty())
    RLOG_WARN("upgrade socket %s: %s; SIGUSR2 and --upgrade-from are not available",
              upgrade.path().c_str(), error.c_str());
}

int run(std::shared_ptr<const conf::Config> loaded, std::string text,
        const app::CliOptions& options, std::vector<std::string> argv) {
  const conf::Config& first = *loaded;
  const unsigned workers = worker_count(first);
  // --upgrade-from: the running process's sockets replace binding (docs/operations.md).
  std::unique_ptr<app::UpgradeClient> takeover;
  if (!options.upgrade_from.empty()) {
    std::string error;
    takeover = app::UpgradeClient::connect(options.upgrade_from, error);
    if (!takeover) {
      std::fprintf(stderr, "ringress: upgrade: %s\n", error.c_str());
      return 1;
    }
  }
  auto sockets = std::make_shared<app::NewListenerSockets>();
  sockets->per_worker.resize(workers);
  for (unsigned w = 0; w < workers; ++w) {
    for (const auto& l : first.listeners) {
      std::string error;
      core::Socket s = takeover ? takeover->take(w, l) : core::Socket();
      if (!s.valid()) s = core::listen_tcp(l.address, static_cast<int>(l.backlog), true, error);
      if (!s.valid()) {
        std::fprintf(stderr, "ringress: listener %s: %s\n", l.name.c_str(), error.c_str());
        return 1;
      }
      sockets->per_worker[w].emplace_back(l.name, std::move(s));
    }
  }

  // Signals are taken by the control loop (a signalfd on this thread's ring); blocked here
  // before any thread starts, so workers inherit the mask and none is delivered to them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR2);
  sigaddset(&signals, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  app::UpgradeServer upgrade(app::upgrade_socket_path(options, first.runtime.upgrade_socket),
                             std::move(argv));
  for (unsigned w = 0; w < workers; ++w)
    for (std::size_t i = 0; i < first.listeners.size(); ++i)
      upgrade.add_socket(w, first.listeners[i].name, first.listeners[i].address.to_string(),
                         sockets->per_worker[w][i].second.fd());
  if (!takeover) {
    std::string error = upgrade.open(false);
    if (!error.empty())
      RLOG_WARN("upgrade socket %s: %s; SIGUSR2 and --upgrade-from are not available",
                upgrade.path().c_str(), error.c_str());
  }

  // Constructed first and destroyed last: workers report to its inbox until they are joined.
  app::ControlLoop control(loaded, std::move(text));
  if (!control.admin_error().empty()) {
    std::fprintf(stderr, "ringress: %s\n", control.admin_error().c_str());
    return 1;
  }
  control.serve_upgrades(upgrade);
  std::vector<std::unique_ptr<app::Worker>> pool;
  for (unsigned w = 0; w < workers; ++w) {
    pool.push_back(
        std::make_unique<app::Worker>(w, control.first_update(sockets), control.inbox()));
    std::string error = pool.back()->start();
    if (!error.empty()) {
      std::fprintf(stderr, "ringress: %s\n", error.c_str());
      for (auto& p : pool) p->drain();
      return 1;
    }
    control.registry().add(w, pool.back()->inbox());
  }
  const conf::Config& config = first;
  for (const auto& l : config.listeners) {
    const char* tls = l.tls.enabled ? ", tls" : "";
    if (l.protocol == conf::Protocol::tcp && l.has_cluster)
      RLOG_INFO("listener %s on %s (tcp%s -> cluster %s, %zu sni routes)", l.name.c_str(),
                l.address.to_string().c_str(), tls, config.clusters[l.cluster].name.c_str(),
                l.sni_routes.size());
    else if (l.protocol == conf::Protocol::tcp)
      RLOG_INFO("listener %s on %s (tcp%s, %zu sni routes)", l.name.c_str(),
                l.address.to_string().c_str(), tls, l.sni_routes.size());
    else
      RLOG_INFO("listener %s on %s (http%s, %zu virtual hosts)", l.name.c_str(),
                l.address.to_string().c_str(), tls, l.http.virtual_hosts.size());
  }
  for (const auto& c : config.clusters)
    if (c.tls.enabled && !c.tls.verify)
      RLOG_WARN("cluster %s: tls.verify = false: upstream certificates are not checked",
                c.name.c_str());
  RLOG_INFO("ringress %s running with %u worker(s), config %s", RINGRESS_VERSION, workers,
            config.path.c_str());
  if (takeover) finish_takeover(*takeover, upgrade);
  app::sd_notify::ready();

  control.run(signals);
  upgrade.close();
  if (!upgrade.handed_over()) app::sd_notify::stopping();
  const conf::Config& last = control.config();
  RLOG_INFO("stopping: no new connections; open ones get up to %lld ms to finish",
            static_cast<long long>(last.runtime.drain_timeout.count()));
  for (auto& p : pool) p->drain();
  control.wait_for_workers();  // the admin endpoint answers (/ready: 503) until they stopped
  app::WorkerStats total;
  total.pools.resize(last.clusters.size());
  total.clusters.resize(last.clusters.size());
  for (auto& p : pool) {
    p->join();
    total.tcp.add(p->stats().tcp);
    total.http.add(p->stats().http);
    total.rejected_overload += p->stats().rejected_overload;
    for (std::size_t i = 0; i < p->stats().clusters.size() && i < total.clusters.size(); ++i)
      total.clusters[i].add(p->stats().clusters[i]);
    for (std::size_t i = 0; i < p->stats().pools.size() && i < total.pools.size(); ++i) {
      const auto& s = p->stats().pools[i];
      auto& t = total.pools[i];
      t.connections_opened += s.connections_opened;
      t.reused += s.reused;
      t.connect_failures += s.connect_failures;
      t.closed_by_upstream += s.closed_by_upstream;
      t.idle_timeouts += s.idle_timeouts;
      t.tls_handshakes += s.tls_handshakes;
      t.tls_resumed += s.tls_resumed;
      t.tls_failures += s.tls_failures;
    }
  }
  log_totals(last, total);
  control.log_totals();
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
  std::shared_ptr<const conf::Config> loaded;
  std::string text;
  try {
    text = conf::read_config_file(options.config_path);
    loaded = std::make_shared<const conf::Config>(conf::parse_config(text, options.config_path));
  } catch (const conf::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  const conf::Config& config = *loaded;
  if (options.validate) {
    std::printf("%s: configuration ok (%zu listeners, %zu clusters)\n", config.path.c_str(),
                config.listeners.size(), config.clusters.size());
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();
  core::set_log_level(app::core_log_level(config.runtime.log_level));
  int rc =
      run(std::move(loaded), std::move(text), options, std::vector<std::string>(argv, argv + argc));
  core::log_flush();
  return rc;
}
