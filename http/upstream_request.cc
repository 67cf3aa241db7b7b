// Proxying one request: the cluster and host, the upstream request head, and the attempts.
//
// The request holds the cluster's current host-set snapshot (lb/upstream_cluster.h) from start
// to end, so its picks and retries see one set of hosts. The cluster's policy picks the host
// (with the route's hash key for ring_hash and maglev; a generated sticky cookie goes on the
// response). No available host: 503 "no healthy upstream" (UH). Over one of the cluster's
// circuit breakers (this worker's share): 503 naming it (UO).
//
// Attempts: an idle pooled connection to the picked host if there is one, else a new one. A
// connect failure, or a retryable failure or status (the route's retry policy; only requests
// without a body can be replayed), moves on to a host not tried yet, after a backoff with full
// jitter, while retries are left and the cluster's max_retries and the route's retry budget
// allow one. A reused connection that fails before any response byte is retried once on a
// fresh one without using a retry: that is the keep-alive race, not an upstream failure.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/io_op.h"
#include "core/log.h"
#include "http/connection.h"
#include "http/hash_key.h"
#include "http/header_mutations.h"
#include "http/serializer.h"
#include "lb/hash.h"
#include "lb/weighted_clusters.h"

namespace ringress::http {

namespace {

constexpr std::string_view kNoHealthyUpstream = "no healthy upstream\n";
// One TLS record's worth of plaintext (a receive buffer by default).
constexpr uint32_t kTlsClientUpstreamWindow = 16 * 1024;
constexpr std::string_view kOverMaxRequests =
    "upstream overflow: the cluster's circuit breaker max_requests is reached\n";
constexpr std::string_view kOverMaxPending =
    "upstream overflow: the cluster's circuit breaker max_pending_requests is reached\n";
constexpr std::string_view kOverMaxConnections =
    "upstream overflow: the cluster's circuit breaker max_connections is reached\n";

// A request in flight to the cluster, for max_requests and the retry budget.
struct RequestCount {
  explicit RequestCount(lb::UpstreamCluster& c) : cluster(c) { cluster.request_started(); }
  ~RequestCount() { cluster.request_ended(); }
  lb::UpstreamCluster& cluster;
};

// A request that retried is counted once in the cluster's retries in flight (next_try) until
// it ends.
template <typename Attempts>
struct RetryCount {
  ~RetryCount() {
    if (at.retrying) cluster.retrying_ended();
  }
  lb::UpstreamCluster& cluster;
  const Attempts& at;
};

// Retry n (from 1) waits a random time below min(max, base * 2^(n-1)): full jitter.
core::Duration backoff(const conf::RetryPolicy& p, uint32_t n, lb::Random& random) {
  const int64_t base = p.backoff_base.count();
  int64_t cap = p.backoff_max.count();
  if (base <= 0 || cap <= 0) return core::Duration{0};
  const uint32_t shift = std::min<uint32_t>(n > 0 ? n - 1 : 0, 30);
  if (base <= (cap >> shift)) cap = base << shift;
  return core::Duration{static_cast<int64_t>(random.below(static_cast<uint64_t>(cap)))};
}

// What an upstream's response status tells about the host: 502, 503 and 504 are gateway
// failures (Envoy's consecutive_gateway_failure counts them; they are 5xx too), other 5xx plain
// ones.
lb::HostOutcome outcome_of_status(uint16_t status) {
  if (status == 502 || status == 503 || status == 504) return lb::HostOutcome::gateway_failure;
  return status >= 500 ? lb::HostOutcome::status_5xx : lb::HostOutcome::success;
}

}  // namespace

core::Task<void> HttpListener::Connection::proxy(const conf::Route& route) {
  RequestHead& req = ctx_->request_parser.head();
  lb::UpstreamCluster& cluster = l_.clusters_[lb::choose_cluster(route.clusters)];
  exchange_.cluster_name = cluster.config.name;
  const bool upgrading = req.upgrade;
  if (cluster.requests_full()) {
    ++cluster.counters().overflow_requests;
    ++l_.stats_.upstream_overflow;
    co_await reply(503, kOverMaxRequests, flags::kUpstreamOverflow, !request_complete_);
    co_return;
  }
  RequestCount counted(cluster);
  lb::SnapshotLease snapshot(cluster);

  RequestHash hash;
  if (cluster.config.lb.hashes() && !route.hash_policy.empty())
    hash =
        request_hash(route.hash_policy, req, client_ip_,
                     lb::hash64(client_ip_, client_port_ ^ accepted_at_.time_since_epoch().count()),
                     ctx_->arena);
  Attempts at;
  at.retries_left = route.retry.attempts;
  RetryCount<Attempts> retrying{cluster, at};
  std::optional<std::size_t> first = cluster.pick(*snapshot, {hash.key, {}});
  if (!first) {
    ++l_.stats_.no_healthy_upstream;
    co_await reply(503, kNoHealthyUpstream, flags::kNoHealthyUpstream, !request_complete_);
    co_return;
  }
  at.host = *first;
  at.remember(at.host);
  std::string_view host_override = route.host_rewrite;
  if (route.auto_host_rewrite) host_override = snapshot->host(at.host).name;
  prepare_upstream_request(req.headers, exchange_, l_.proxy_headers_, client_trusted_,
                           host_override, upgrading, snapshot->host(at.host).name);
  // A client's own X-Forwarded-Client-Cert is passed on only from a trusted proxy to a plain
  // listener: an upstream may trust the header.
  if (tls_ || !client_trusted_) {
    req.headers.remove("X-Forwarded-Client-Cert");
    if (!client_cert_.empty()) req.headers.add("X-Forwarded-Client-Cert", client_cert_);
  }
  apply_mutations(route.request_headers, req.headers, exchange_);
  std::string_view target =
      l_.routes_.rewrite_target(route, req.path, req.query, req.origin_target, ctx_->arena);
  ctx_->head.clear();
  write_request_head(ctx_->head, req.method, target, 1, req.headers);

  const bool replayable = !has_body(req) && !upgrading;
  for (;;) {
    bool reused = false;
    bool connected = co_await open_upstream(cluster, *snapshot, route, at, reused);
    if (!connected) break;
    at.fresh_only = false;
    exchange_.upstream_host = snapshot->host(at.host).address_text;
    bool continued = co_await send_continue();
    if (!continued) break;
    ++l_.stats_.upstream_requests;
    ++exchange_.upstream_attempts;
    Attempt a{*upstream_, route};
    a.reused = reused;
    a.set_cookie = hash.set_cookie;
    if (route.retry.per_try_timeout.count() > 0)
      a.try_deadline = core::deadline_after(route.retry.per_try_timeout);
    a.may_retry = replayable && at.retries_left > 0 && admit_retry(cluster, route, at, false);
    cluster.try_started(*snapshot, at.host);
    Outcome o = co_await exchange_with(cluster, a);
    cluster.try_ended(*snapshot, at.host);
    report_try(cluster, *snapshot, at.host, a, o);
    if (o == Outcome::retry_fresh) {
      ++l_.stats_.stale_connection_retries;
      at.fresh_only = true;
      continue;
    }
    if (o != Outcome::retry_next) {
      // A try that could have been retried but for the breaker or the budget is counted.
      if (replayable && at.retries_left > 0 && !a.may_retry && exchange_.status >= 500 &&
          retries_on_status(route.retry, exchange_.status))
        admit_retry(cluster, route, at, true);
      break;
    }
    bool next = co_await next_try(cluster, *snapshot, route, at);
    if (!next) break;
  }
  upstream_.reset();
  // An upgrade the upstream declined (or that failed) leaves an HTTP connection: go on parsing.
  if (upgrading && !close_) {
    ctx_->request_parser.resume_after_upgrade();
    req.upgrade = false;
  }
}

bool HttpListener::Connection::admit_retry(lb::UpstreamCluster& cluster, const conf::Route& route,
                                           const Attempts& at, bool count) {
  const conf::RetryPolicy& p = route.retry;
  // This request's own retry, once counted, does not stand in its way.
  const uint32_t self = at.retrying ? 1 : 0;
  if (cluster.retries_full(self)) {
    if (count) ++cluster.counters().overflow_retries;
    return false;
  }
  if (!cluster.budget_allows_retry(p.budget_percent, p.budget_min_concurrency, self)) {
    if (count) ++cluster.counters().retry_budget_exhausted;
    return false;
  }
  return true;
}

// Uses a retry: picks a host not tried yet and waits the backoff. False: the request ends here
// (ringress is stopping; the client gets no reply).
core::Task<bool> HttpListener::Connection::next_try(lb::UpstreamCluster& cluster,
                                                    lb::UpstreamCluster::Snapshot& snapshot,
                                                    const conf::Route& route, Attempts& at) {
  --at.retries_left;
  ++at.retries_done;
  if (!at.retrying) cluster.retrying_started();
  at.retrying = true;
  ++l_.stats_.upstream_retries;
  std::optional<std::size_t> h = cluster.pick(snapshot, {std::nullopt, at.attempted()});
  at.host = h.value_or(at.host);
  at.remember(at.host);
  at.fresh_only = false;
  core::Duration wait = backoff(route.retry, at.retries_done, cluster.random());
  if (wait.count() > 0) {
    ++cluster.counters().retry_backoffs;
    int rc = co_await core::sleep_for(wait, &cancel_);
    if (rc == -ECANCELED) {
      exchange_.response_flags = flags::kCancelled;
      close_ = true;
      co_return false;
    }
  }
  co_return true;
}

// What the try told about its host, for outlier detection.
void HttpListener::Connection::report_try(lb::UpstreamCluster& cluster,
                                          const lb::UpstreamCluster::Snapshot& snapshot,
                                          std::size_t host, const Attempt& a, Outcome o) {
  if (a.failure == Failure::upstream_timeout && core::Clock::now() >= a.try_deadline)
    ++cluster.counters().per_try_timeouts;
  if (o == Outcome::retry_fresh) return;  // the keep-alive race: not the host's fault
  switch (a.failure) {
    case Failure::upstream_write:
    case Failure::upstream_closed:
    case Failure::upstream_timeout:
      cluster.report(snapshot, host, lb::HostOutcome::gateway_failure);
      return;
    case Failure::upstream_invalid:
      cluster.report(snapshot, host, lb::HostOutcome::status_5xx);
      return;
    case Failure::none:
      cluster.report(snapshot, host, outcome_of_status(ctx_->response_parser.head().status));
      return;
    default:
      return;  // the client's side failed: nothing learnt about the host
  }
}

// A TLS client's response is encrypted and sent a record or two at a time, far slower than a
// local upstream delivers it: what the upstream sent beyond kTlsClientUpstreamWindow waits in
// the kernel's socket buffer instead of in receive buffers (a 64 KiB response held four more
// buffers per connection, plus its ciphertext). A plain client's relay keeps the full window
// (its writes are cheap, and smaller receives cost it CPU: benchmarks/README.md).
void HttpListener::Connection::fit_upstream_window() {
  upstream_->stream().cap_receive_window(tls_ ? kTlsClientUpstreamWindow : 0);
}

// Sets upstream_ to an idle pooled connection or a new one; false when none could be had (the
// client got its 503).
core::Task<bool> HttpListener::Connection::open_upstream(lb::UpstreamCluster& cluster,
                                                         lb::UpstreamCluster::Snapshot& snapshot,
                                                         const conf::Route& route, Attempts& at,
                                                         bool& reused) {
  for (;;) {
    const std::size_t slot = snapshot.slots[at.host];
    exchange_.upstream_connect = core::Duration{-1};  // pooled, or none yet
    if (!at.fresh_only) upstream_ = cluster.pool.take_idle(slot);
    if (upstream_) {
      reused = true;
      fit_upstream_window();
      co_return true;
    }
    std::string_view overflow;
    if (cluster.pending_full()) {
      ++cluster.counters().overflow_pending;
      overflow = kOverMaxPending;
    } else if (cluster.connections_full()) {
      ++cluster.counters().overflow_connections;
      overflow = kOverMaxConnections;
    }
    if (!overflow.empty()) {
      ++l_.stats_.upstream_overflow;
      co_await reply(503, overflow, flags::kUpstreamOverflow, !request_complete_);
      co_return false;
    }
    cluster.pending_started();
    const core::TimePoint connect_started = core::Clock::now();
    lb::ConnectOutcome c = co_await cluster.pool.connect(slot, &cancel_);
    cluster.pending_ended();
    if (c.error == 0) {
      exchange_.upstream_connect = core::Clock::now() - connect_started;
      l_.stats_.upstream_connect_time.record(exchange_.upstream_connect);
      upstream_ = std::move(c.connection);
      fit_upstream_window();
      co_return true;
    }
    if (cancel_.cancelled()) {
      exchange_.response_flags = flags::kCancelled;  // drain_timeout or shutdown: no reply
      close_ = true;
      co_return false;
    }
    cluster.report(snapshot, at.host, lb::HostOutcome::gateway_failure);
    const bool tls_failed = !c.tls_failure.empty();
    const char* why = tls_failed ? c.tls_failure.c_str() : std::strerror(-c.error);
    if (tls_failed) ++l_.stats_.upstream_tls_failed;
    RLOG_WARN("listener %s: %s to %s (cluster %s) failed: %s", l_.listener_.name.c_str(),
              tls_failed ? "TLS handshake" : "connect", snapshot.host(at.host).address_text.c_str(),
              cluster.config.name.c_str(), why);
    const bool may_retry = route.retry.connect_failure && at.retries_left > 0 &&
                           !down_->cancelled() && admit_retry(cluster, route, at, true);
    if (!may_retry) {
      std::string_view body =
          ctx_->arena.extend(ctx_->arena.copy(tls_failed ? "upstream TLS handshake failed: "
                                                         : "upstream connect error: "),
                             why);
      co_await reply(503, ctx_->arena.extend(body, "\n"), flags::kUpstreamConnectFailure,
                     !request_complete_);
      co_return false;
    }
    bool next = co_await next_try(cluster, snapshot, route, at);
    if (!next) co_return false;
  }
}

// Expect: 100-continue is answered by ringress once a connection to an upstream is ready (the
// upstream never sees the Expect field). False: the client is gone.
core::Task<bool> HttpListener::Connection::send_continue() {
  RequestHead& req = ctx_->request_parser.head();
  if (!req.expect_continue || !has_body(req) || continue_sent_) co_return true;
  continue_sent_ = true;
  ctx_->out.append_text("HTTP/1.1 100 Continue\r\n\r\n");
  int rc = co_await flush_to_client();
  if (rc < 0) {
    close_ = true;
    exchange_.response_flags = flags::kDownstreamClosed;
    co_return false;
  }
  co_return true;
}

}  // namespace ringress::http
