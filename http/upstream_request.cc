// Proxying one request: the cluster and host, the upstream request head, and the attempts.
//
// Attempts: an idle pooled connection to the picked host if there is one, else a new one. A
// connect failure, or a retryable failure or status (the route's retry policy; only requests
// without a body can be replayed), moves on to the next host while retries are left. A reused
// connection that fails before any response byte is retried once on a fresh one without using
// a retry: that is the keep-alive race, not an upstream failure.
#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "http/connection.h"
#include "http/header_mutations.h"
#include "http/serializer.h"
#include "lb/weighted_clusters.h"

namespace ringress::http {

core::Task<void> HttpListener::Connection::proxy(const conf::Route& route) {
  RequestHead& req = ctx_->request_parser.head();
  lb::UpstreamCluster& cluster = l_.clusters_[lb::choose_cluster(route.clusters)];
  exchange_.cluster_name = cluster.config.name;
  const bool upgrading = req.upgrade;

  Attempts at;
  at.host = cluster.picker.pick();
  at.retries_left = route.retry.attempts;
  std::string_view host_override = route.host_rewrite;
  if (route.auto_host_rewrite) host_override = cluster.pool.host(at.host).name;
  prepare_upstream_request(req.headers, exchange_, l_.proxy_headers_, client_trusted_,
                           host_override, upgrading, cluster.pool.host(at.host).name);
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
    bool connected = co_await open_upstream(cluster, route, at, reused);
    if (!connected) break;
    at.fresh_only = false;
    exchange_.upstream_host = cluster.pool.host(upstream_->host()).address_text;
    bool continued = co_await send_continue();
    if (!continued) break;
    ++l_.stats_.upstream_requests;
    Attempt a{*upstream_, route};
    a.reused = reused;
    a.may_retry = replayable && at.retries_left > 0;
    Outcome o = co_await exchange_with(cluster, a);
    if (o == Outcome::retry_fresh) {
      ++l_.stats_.stale_connection_retries;
      at.fresh_only = true;
      continue;
    }
    if (o != Outcome::retry_next) break;
    --at.retries_left;
    ++l_.stats_.upstream_retries;
    at.host = cluster.picker.pick();
  }
  upstream_.reset();
  // An upgrade the upstream declined (or that failed) leaves an HTTP connection: go on parsing.
  if (upgrading && !close_) {
    ctx_->request_parser.resume_after_upgrade();
    req.upgrade = false;
  }
}

// Sets upstream_ to an idle pooled connection or a new one; false when none could be had (the
// client got its 503).
core::Task<bool> HttpListener::Connection::open_upstream(lb::UpstreamCluster& cluster,
                                                         const conf::Route& route, Attempts& at,
                                                         bool& reused) {
  for (;;) {
    if (!at.fresh_only) upstream_ = cluster.pool.take_idle(at.host);
    if (upstream_) {
      reused = true;
      co_return true;
    }
    lb::ConnectOutcome c = co_await cluster.pool.connect(at.host, &cancel_);
    if (c.error == 0) {
      upstream_ = std::move(c.connection);
      co_return true;
    }
    if (cancel_.cancelled()) {
      exchange_.response_flags = flags::kCancelled;  // drain_timeout or shutdown: no reply
      close_ = true;
      co_return false;
    }
    const bool tls_failed = !c.tls_failure.empty();
    const char* why = tls_failed ? c.tls_failure.c_str() : std::strerror(-c.error);
    if (tls_failed) ++l_.stats_.upstream_tls_failed;
    RLOG_WARN("listener %s: %s to %s (cluster %s) failed: %s", l_.listener_.name.c_str(),
              tls_failed ? "TLS handshake" : "connect",
              cluster.pool.host(at.host).address_text.c_str(), cluster.config.name.c_str(), why);
    if (!route.retry.connect_failure || at.retries_left == 0 || down_->cancelled()) {
      std::string_view body =
          ctx_->arena.extend(ctx_->arena.copy(tls_failed ? "upstream TLS handshake failed: "
                                                         : "upstream connect error: "),
                             why);
      co_await reply(503, ctx_->arena.extend(body, "\n"), flags::kUpstreamConnectFailure,
                     !request_complete_);
      co_return false;
    }
    --at.retries_left;
    ++l_.stats_.upstream_retries;
    at.host = cluster.picker.pick();
    at.fresh_only = false;
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
