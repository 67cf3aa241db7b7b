// The per-connection side of HttpListener: request loop, local replies, proxying.
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <random>

#include "core/log.h"
#include "core/stream_bridge.h"
#include "core/tcp_stream.h"
#include "http/format.h"
#include "http/header_mutations.h"
#include "http/http_listener.h"
#include "http/output_batch.h"
#include "http/serializer.h"
#include "http/status.h"
#include "tls/hello_reader.h"
#include "tls/peer_certificate.h"
#include "tls/tls_stream.h"

namespace ringress::http {
namespace {

std::string_view number_in(core::Arena& arena, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return arena.copy(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
         method == "DELETE" || method == "TRACE";
}

bool has_body(const RequestHead& r) {
  return r.chunked || (r.has_content_length && r.content_length > 0);
}

// Whether the retry policy retries a response with `status` (or the local reply it would cause).
bool retries_on_status(const conf::RetryPolicy& p, uint16_t status) {
  if (p.status_5xx && status >= 500 && status <= 599) return true;
  return p.gateway_errors && (status == 502 || status == 503 || status == 504);
}

// Whether it retries an upstream that closed or reset before responding (a 502 otherwise).
bool retries_on_reset(const conf::RetryPolicy& p) { return p.reset || retries_on_status(p, 502); }

// A per-thread generator: seeding one per connection from std::random_device cost ~11% of the
// CPU of a new-connection-per-request load.
uint64_t random_u64() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

// Request contexts kept for reuse per listener and worker (about 12 KiB each).
constexpr std::size_t kMaxFreeContexts = 1024;

// Deadline `d` from now, or none for a zero duration.
core::TimePoint deadline_or_none(conf::Duration d) {
  return d.count() > 0 ? core::deadline_after(d) : core::kNoDeadline;
}

void count_reply(HttpStats& stats, std::string_view f) {
  if (f == flags::kNoRoute)
    ++stats.no_route;
  else if (f == flags::kDirectResponse)
    ++stats.direct_responses;
  else if (f == flags::kRedirect)
    ++stats.redirects;
  else if (f == flags::kBadRequest)
    ++stats.bad_request;
  else if (f == flags::kUpstreamConnectFailure)
    ++stats.upstream_connect_failed;
  else if (f == flags::kUpstreamReset)
    ++stats.upstream_reset;
  else if (f == flags::kUpstreamProtocolError)
    ++stats.upstream_protocol_error;
  else if (f == flags::kUpstreamTimeout)
    ++stats.upstream_timeout;
  else if (f == flags::kRateLimited)
    ++stats.rate_limited;
  else if (f == flags::kFaultInjected)
    ++stats.fault_injected;
  else if (f == flags::kBodyTooLarge)
    ++stats.body_too_large;
  else if (f == flags::kRequestTimeout)
    ++stats.request_headers_timeout;
}

}  // namespace

// One downstream connection. Lives in the frame of HttpListener::serve.
class HttpListener::Connection final : public core::Cancellable {
 public:
  Connection(HttpListener& l, core::Socket socket)
      : l_(l), tcp_(std::move(socket), l.buffers_, l.connection_buffer_) {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    if (::getpeername(tcp_.fd(), reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      core::SocketAddress peer(reinterpret_cast<sockaddr*>(&ss), len);
      client_ip_ = peer.ip_text();
      client_port_ = peer.port();
      for (const auto& range : l.proxy_headers_.trusted_proxies)
        client_trusted_ |= range.contains(peer);
    }
    idle_.owner = this;
  }

  void cancel() override {
    down_->cancel();
    if (upstream_) upstream_->stream().cancel();
  }

  // The TLS handshake of a tls listener (before run()); false: the connection is done.
  core::Task<bool> accept_tls();
  core::Task<void> run();
  // Ends a TLS session with close_notify, so the client can tell a complete close-delimited
  // response from a cut one.
  core::Task<void> close_tls() {
    if (tls_ && !tls_->cancelled() && !tls_->closed_by_peer()) co_await tls_->shutdown_write();
  }

 private:
  // Registered with the listener while waiting for a request, so drain() can close it.
  struct IdleWait final : core::Cancellable {
    Connection* owner = nullptr;
    void cancel() override { owner->down_->cancel(); }
  };
  enum class Input { event, timeout, closed };
  // Results of proxying one request.
  // How one exchange ended: done (answered, one way or another), or to be tried again on a
  // fresh connection to the same host (keep-alive race) or on the next host (retry policy).
  enum class Upstream { done, retry_fresh, retry_next };

  core::Task<bool> serve_one();
  core::Task<Input> next_request_event(ParseStatus& status, bool& started);
  core::Task<void> reply(uint16_t status, std::string_view body, std::string_view flags, bool close,
                         std::string_view location = {},
                         std::string_view content_type = "text/plain");
  core::Task<void> proxy(const conf::Route& route);
  core::Task<Upstream> exchange_with(lb::UpstreamCluster& cluster, const conf::Route& route,
                                     bool reused, bool may_retry, std::string_view head);
  core::Task<void> send_request_body(lb::UpstreamConnection& up, const conf::Route& route);
  // Closes the current upstream connection (it is not reused) and passes `u` on.
  Upstream drop_upstream(Upstream u) {
    upstream_.reset();
    return u;
  }
  void finish();

  // Takes request memory from the listener (when a request starts) / gives it back (when the
  // connection goes idle with nothing buffered, or closes).
  void acquire_context();
  void release_context();

  HttpListener& l_;
  core::TcpStream tcp_;
  std::unique_ptr<tls::TlsStream> tls_;  // on tls listeners
  core::Stream* down_ = &tcp_;           // tcp_, or tls_ over it
  std::string client_cert_;              // X-Forwarded-Client-Cert value, when forwarded
  std::unique_ptr<RequestContext> ctx_;  // only while a request is being served
  Exchange exchange_;
  core::BufferSlice in_;
  uint32_t in_off_ = 0;
  std::string client_ip_;
  uint16_t client_port_ = 0;
  bool client_trusted_ = false;
  bool close_ = false;             // close after the current response
  bool request_complete_ = false;  // the request's last byte was read
  bool body_failed_ = false;       // sending the request body upstream failed
  bool body_too_large_ = false;
  core::TimePoint body_done_at_{};
  std::unique_ptr<lb::UpstreamConnection> upstream_;
  IdleWait idle_;
};

core::Task<bool> HttpListener::Connection::accept_tls() {
  const tls::ServerContext& context = *l_.listener_.tls_context;
  core::TimePoint deadline = core::deadline_after(context.settings().handshake_timeout);
  tls::HelloRead hello = co_await tls::read_client_hello(tcp_, deadline);
  if (hello.status == tls::HelloStatus::kNeedMore) {
    if (!hello.bytes.empty() || hello.error == -ETIMEDOUT) ++l_.stats_.tls_handshake_failures;
    co_return false;  // closed (or timed out) before a ClientHello
  }
  if (hello.status == tls::HelloStatus::kNotTls && tls::looks_like_http(hello.bytes)) {
    ++l_.stats_.tls_plain_http;
    RLOG_INFO("listener %s: %s:%u sent plain HTTP to a TLS port", l_.listener_.name.c_str(),
              client_ip_.c_str(), client_port_);
    static constexpr std::string_view kReply =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 47\r\n"
        "Connection: close\r\n\r\nThis port speaks TLS: use https:// to connect.\n";
    co_await tcp_.write(kReply.data(), kReply.size(), deadline);
    co_return false;
  }
  tls_ = std::make_unique<tls::TlsStream>(tcp_, l_.buffers_,
                                          context.new_session(hello.info.server_name));
  tls_->set_initial_input(std::move(hello.bytes));
  ++l_.stats_.tls_handshakes;
  int rc = co_await tls_->handshake(true, deadline);
  if (rc != 0) {
    ++l_.stats_.tls_handshake_failures;
    RLOG_INFO("listener %s: TLS handshake with %s:%u failed: %s", l_.listener_.name.c_str(),
              client_ip_.c_str(), client_port_, tls_->failure().c_str());
    co_return false;
  }
  if (wolfSSL_session_reused(tls_->ssl())) ++l_.stats_.tls_resumed;
  down_ = tls_.get();
  if (context.settings().forward_client_cert)
    client_cert_ = tls::client_certificate_details(tls_->ssl());
  co_return true;
}

core::Task<void> HttpListener::Connection::run() {
  while (!close_) {
    bool keep_going = co_await serve_one();
    if (!keep_going) break;
  }
  release_context();
}

void HttpListener::Connection::acquire_context() {
  auto& pool = l_.free_contexts_;
  if (pool.empty()) {
    ctx_ = std::make_unique<RequestContext>(l_.limits_);
  } else {
    ctx_ = std::move(pool.back());  // reset when it was given back
    pool.pop_back();
  }
}

void HttpListener::Connection::release_context() {
  if (!ctx_) return;
  // A pooled context must hold no receive buffer (the parsers keep their last body slice).
  ctx_->request_parser.reset();
  ctx_->response_parser.reset();
  ctx_->arena.reset();
  ctx_->out.clear();
  ctx_->up_out.clear();
  if (l_.free_contexts_.size() < kMaxFreeContexts) l_.free_contexts_.push_back(std::move(ctx_));
  ctx_.reset();
}

// Reads until the parser reports an event. `started` tells whether a byte of the request has
// been seen (then the request headers timeout applies instead of the keep-alive idle timeout).
core::Task<HttpListener::Connection::Input> HttpListener::Connection::next_request_event(
    ParseStatus& status, bool& started) {
  core::TimePoint idle_deadline = deadline_or_none(l_.settings_.idle_timeout);
  core::TimePoint head_deadline = core::kNoDeadline;
  for (;;) {
    // The parser may hold events that need no new bytes: ask it until it needs more.
    if (!in_.empty()) {
      if (!started && in_off_ < in_.size()) {
        started = true;
        head_deadline = deadline_or_none(l_.settings_.request_headers_timeout);
      }
      if (!ctx_) acquire_context();
      status = ctx_->request_parser.parse(in_, in_off_);
      if (status != ParseStatus::need_more) co_return Input::event;
      in_.reset();  // all consumed: an idle connection holds no receive buffer
      in_off_ = 0;
    }
    bool idle = !started && !(ctx_ && ctx_->request_parser.in_message());
    if (idle && l_.draining_) co_return Input::closed;
    if (idle) {
      release_context();  // an idle keep-alive connection holds no request memory
      l_.idle_connections_.add(idle_);
    }
    core::ReadResult r = co_await down_->read(idle ? idle_deadline : head_deadline);
    idle_.leave_scope();
    if (r.error == -ETIMEDOUT) co_return Input::timeout;
    if (r.error < 0 || r.eof()) co_return Input::closed;
    in_ = std::move(r.data);
    in_off_ = 0;
  }
}

core::Task<bool> HttpListener::Connection::serve_one() {
  if (ctx_) ctx_->arena.reset();  // a pipelined request follows: same memory, fresh arena
  request_complete_ = body_failed_ = body_too_large_ = false;
  ParseStatus st = ParseStatus::need_more;
  bool started = false;
  Input got = co_await next_request_event(st, started);
  exchange_ = ctx_ ? Exchange(ctx_->arena) : Exchange();
  if (got == Input::timeout) {
    if (!started) co_return false;  // keep-alive idle timeout: close quietly
    co_await reply(408, "request headers not received in time\n", flags::kRequestTimeout, true);
    co_return false;
  }
  if (got == Input::closed) co_return false;
  if (st == ParseStatus::error) {
    RLOG_DEBUG("listener %s: %s: bad request: %.*s", l_.listener_.name.c_str(), client_ip_.c_str(),
               static_cast<int>(ctx_->request_parser.error_reason().size()),
               ctx_->request_parser.error_reason().data());
    std::string_view body =
        ctx_->arena.extend(ctx_->arena.copy(ctx_->request_parser.error_reason()), "\n");
    co_await reply(ctx_->request_parser.error_status(), body, flags::kBadRequest, true);
    co_return false;
  }
  if (st != ParseStatus::head) co_return false;

  RequestHead& req = ctx_->request_parser.head();
  ++l_.stats_.requests;
  exchange_.request = &req;
  exchange_.start = core::Clock::now();
  exchange_.start_wall = core::Clock::wall();
  exchange_.client_ip = client_ip_;
  exchange_.client_port = client_port_;
  if (!req.keep_alive || l_.draining_) close_ = true;
  if (req.upgrade) {
    // The parser stops at `upgrade`: what follows is tunnel data if a route takes it, else the
    // next request (resume_after_upgrade below).
    if (ctx_->request_parser.parse(in_, in_off_) != ParseStatus::upgrade) close_ = true;
    request_complete_ = true;
  } else if (!has_body(req)) {
    if (ctx_->request_parser.parse(in_, in_off_) != ParseStatus::message_complete) close_ = true;
    request_complete_ = true;
  }

  for (auto& f : l_.filters_) {
    FilterStatus fs = co_await f->on_request_headers(exchange_);
    if (fs == FilterStatus::stop) {
      const LocalReply& lr = exchange_.local;
      co_await reply(lr.status, lr.body, lr.flags, lr.close_connection || !request_complete_);
      finish();
      co_return !close_;
    }
  }

  const conf::VirtualHost* vhost = nullptr;
  const conf::Route* route =
      l_.routes_.match({req.host, req.method, req.path, req.query, &req.headers}, &vhost);
  exchange_.vhost = vhost;
  exchange_.route = route;
  if (req.upgrade && !(route && route->allow_upgrade && !route->clusters.empty())) {
    ctx_->request_parser.resume_after_upgrade();
    req.upgrade = false;
    req.headers.remove("upgrade");
  }
  if (!route) {
    co_await reply(404, "no route matched this request\n", flags::kNoRoute, !request_complete_);
  } else if (route->direct_response) {
    const auto& dr = *route->direct_response;
    co_await reply(dr.status, dr.body, flags::kDirectResponse, !request_complete_, {},
                   dr.content_type);
  } else if (route->redirect) {
    std::string_view location = l_.routes_.redirect_location(
        *route, l_.proxy_headers_.scheme, req.host, req.path, req.query, ctx_->arena);
    co_await reply(route->redirect->status, {}, flags::kRedirect, !request_complete_, location);
  } else if (route->max_body_size > 0 && req.has_content_length &&
             req.content_length > route->max_body_size) {
    co_await reply(413, "request body larger than this route allows\n", flags::kBodyTooLarge, true);
  } else {
    co_await proxy(*route);
  }
  finish();
  co_return !close_;
}

void HttpListener::Connection::finish() {
  if (exchange_.status >= 100 && exchange_.status < 600)
    ++l_.stats_.responses_by_class[exchange_.status / 100];
  count_reply(l_.stats_, exchange_.response_flags);
  for (auto it = l_.filters_.rbegin(); it != l_.filters_.rend(); ++it)
    (*it)->on_complete(exchange_);
  if (!request_complete_) close_ = true;  // the rest of the request body is still on the wire
}

core::Task<void> HttpListener::Connection::reply(uint16_t status, std::string_view body,
                                                 std::string_view why, bool close,
                                                 std::string_view location,
                                                 std::string_view content_type) {
  if (close || l_.draining_) close_ = true;
  HeaderMap& headers = ctx_->reply_headers;
  headers.clear();
  if (!location.empty()) headers.add("Location", location);
  if (!body.empty()) headers.add("Content-Type", content_type);
  headers.add("Content-Length", number_in(ctx_->arena, body.size()));
  if (close_)
    headers.add("Connection", "close");
  else if (exchange_.request && exchange_.request->version_minor == 0)
    headers.add("Connection", "keep-alive");
  for (auto it = l_.filters_.rbegin(); it != l_.filters_.rend(); ++it)
    (*it)->on_response_headers(exchange_, headers);
  if (exchange_.route) apply_mutations(exchange_.route->response_headers, headers, exchange_);
  exchange_.status = status;
  exchange_.response_flags = why;
  exchange_.response_headers = &headers;
  std::size_t start = ctx_->out.text_size();
  write_response_head(ctx_->out.text(), status, reason_phrase(status), headers);
  bool head_only = exchange_.request && exchange_.request->method == "HEAD";
  if (!head_only) ctx_->out.text().append(body);
  ctx_->out.commit_text(start);
  exchange_.bytes_sent = head_only ? 0 : body.size();
  int rc = co_await ctx_->out.flush(*down_, deadline_or_none(l_.settings_.idle_timeout));
  exchange_.response_headers = nullptr;
  if (rc < 0) close_ = true;
}

core::Task<void> HttpListener::Connection::proxy(const conf::Route& route) {
  RequestHead& req = ctx_->request_parser.head();
  // Pick the cluster (weighted when the route splits traffic).
  std::size_t index = route.clusters.front().cluster;
  if (route.clusters.size() > 1) {
    uint64_t total = 0;
    for (const auto& wc : route.clusters) total += wc.weight;
    uint64_t r = random_u64() % total;
    for (const auto& wc : route.clusters) {
      if (r < wc.weight) {
        index = wc.cluster;
        break;
      }
      r -= wc.weight;
    }
  }
  lb::UpstreamCluster& cluster = l_.clusters_[index];
  exchange_.cluster_name = cluster.config.name;
  const bool upgrading = req.upgrade;

  std::string_view host_override = route.host_rewrite;
  std::size_t host = cluster.picker.pick();
  if (route.auto_host_rewrite) host_override = cluster.pool.host(host).name;
  prepare_upstream_request(req.headers, exchange_, l_.proxy_headers_, client_trusted_,
                           host_override, upgrading);
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

  // Attempts: an idle pooled connection to the picked host if there is one, else a new one. A
  // connect failure, or a retryable failure or status (route retry policy; only for requests
  // without a body, which can be replayed), moves on to the next host while retries are left. A
  // reused connection that fails before any response byte is retried once on a fresh one
  // without using a retry: that is the keep-alive race, not an upstream failure.
  uint32_t retries_left = route.retry.attempts;
  const bool replayable = !has_body(req) && !upgrading;
  bool fresh_only = false;
  bool continue_sent = false;
  for (;;) {
    bool reused = false;
    while (!upstream_) {
      if (!fresh_only) upstream_ = cluster.pool.take_idle(host);
      if (upstream_) {
        reused = true;
        break;
      }
      lb::ConnectOutcome c = co_await cluster.pool.connect(host);
      if (c.error == 0) {
        upstream_ = std::move(c.connection);
        break;
      }
      const bool tls_failed = !c.tls_failure.empty();
      const char* why = tls_failed ? c.tls_failure.c_str() : std::strerror(-c.error);
      if (tls_failed) ++l_.stats_.upstream_tls_failed;
      RLOG_WARN("listener %s: %s to %s (cluster %s) failed: %s", l_.listener_.name.c_str(),
                tls_failed ? "TLS handshake" : "connect",
                cluster.pool.host(host).address_text.c_str(), cluster.config.name.c_str(), why);
      if (!route.retry.connect_failure || retries_left == 0 || down_->cancelled()) {
        std::string_view body =
            ctx_->arena.extend(ctx_->arena.copy(tls_failed ? "upstream TLS handshake failed: "
                                                           : "upstream connect error: "),
                               why);
        co_await reply(503, ctx_->arena.extend(body, "\n"), flags::kUpstreamConnectFailure,
                       !request_complete_);
        co_return;
      }
      --retries_left;
      ++l_.stats_.upstream_retries;
      host = cluster.picker.pick();
    }
    fresh_only = false;
    exchange_.upstream_host = cluster.pool.host(upstream_->host()).address_text;
    if (req.expect_continue && has_body(req) && !continue_sent) {
      continue_sent = true;
      ctx_->out.append_text("HTTP/1.1 100 Continue\r\n\r\n");
      int rc = co_await ctx_->out.flush(*down_, deadline_or_none(l_.settings_.idle_timeout));
      if (rc < 0) {
        close_ = true;
        co_return;
      }
    }
    ++l_.stats_.upstream_requests;
    const bool may_retry = replayable && retries_left > 0;
    Upstream result = co_await exchange_with(cluster, route, reused, may_retry, ctx_->head);
    if (result == Upstream::done) break;
    if (result == Upstream::retry_fresh) {
      ++l_.stats_.stale_connection_retries;
      fresh_only = true;
      continue;
    }
    --retries_left;
    ++l_.stats_.upstream_retries;
    host = cluster.picker.pick();
  }
  upstream_.reset();
}

// Sends the request body from the downstream parser to the upstream, framing it as the client
// did (Content-Length as is, chunked re-chunked). Runs beside the response reader.
core::Task<void> HttpListener::Connection::send_request_body(lb::UpstreamConnection& up,
                                                             const conf::Route& route) {
  RequestHead& req = ctx_->request_parser.head();
  const bool chunked = req.chunked;
  for (;;) {
    ParseStatus st = ParseStatus::need_more;
    if (!in_.empty()) st = ctx_->request_parser.parse(in_, in_off_);
    if (st == ParseStatus::body) {
      core::BufferSlice& b = ctx_->request_parser.body();
      exchange_.bytes_received += b.size();
      if (route.max_body_size > 0 && exchange_.bytes_received > route.max_body_size) {
        body_too_large_ = true;
        up.stream().cancel();
        co_return;
      }
      for (auto& f : l_.filters_) f->on_request_body(exchange_, b);
      ctx_->up_out.append_body(std::move(b), chunked);
      if (ctx_->up_out.bytes() < 256 * 1024) continue;
    } else if (st == ParseStatus::message_complete || st == ParseStatus::upgrade) {
      if (chunked) ctx_->up_out.append_last_chunk(ctx_->request_parser.trailers());
      int rc = co_await ctx_->up_out.flush(up.stream(), deadline_or_none(route.idle_timeout));
      if (rc < 0) body_failed_ = true;
      request_complete_ = true;
      body_done_at_ = core::Clock::now();
      co_return;
    } else if (st == ParseStatus::error) {
      body_failed_ = true;
      close_ = true;
      up.stream().cancel();
      co_return;
    }
    // Bytes that already arrived join this send; only then flush and wait for more.
    if (core::BufferSlice more = down_->try_read(); !more.empty()) {
      in_ = std::move(more);
      in_off_ = 0;
      continue;
    }
    int rc = co_await ctx_->up_out.flush(up.stream(), deadline_or_none(route.idle_timeout));
    if (rc < 0) {
      body_failed_ = true;
      co_return;
    }
    in_.reset();
    in_off_ = 0;
    core::ReadResult r = co_await down_->read(deadline_or_none(route.idle_timeout));
    if (r.error < 0 || r.eof()) {
      // The client went away (or stalled) mid-body: the upstream request cannot complete.
      body_failed_ = true;
      close_ = true;
      up.stream().cancel();
      co_return;
    }
    in_ = std::move(r.data);
    in_off_ = 0;
  }
}

core::Task<HttpListener::Connection::Upstream> HttpListener::Connection::exchange_with(
    lb::UpstreamCluster& cluster, const conf::Route& route, bool reused, bool may_retry,
    std::string_view head) {
  RequestHead& req = ctx_->request_parser.head();
  lb::UpstreamConnection& up = *upstream_;
  const bool upgrading = req.upgrade;
  const bool body = has_body(req);
  ctx_->up_out.append_text(head);
  body_done_at_ = core::Clock::now();

  core::TaskScope body_sender;
  if (body) {
    body_sender.spawn(send_request_body(up, route));
  } else {
    int rc = co_await ctx_->up_out.flush(up.stream(), deadline_or_none(route.idle_timeout));
    if (rc < 0 && reused && idempotent(req.method)) co_return drop_upstream(Upstream::retry_fresh);
    if (rc < 0 && may_retry && retries_on_reset(route.retry))
      co_return drop_upstream(Upstream::retry_next);
    if (rc < 0) {
      co_await reply(502, "upstream reset the connection\n", flags::kUpstreamReset,
                     !request_complete_);
      co_return Upstream::done;
    }
  }

  ResponseParser& rp = ctx_->response_parser;
  rp.reset();
  rp.expect_response_to(req.method);
  core::BufferSlice uin;
  uint32_t uoff = 0;
  bool got_bytes = false;
  bool head_sent = false;
  bool reusable = false;
  bool out_chunked = false;
  bool ok = false;
  std::string_view failure;  // set when the exchange failed before the response head went out
  std::string_view failure_flags;
  uint16_t failure_status = 0;

  for (;;) {
    ParseStatus st = ParseStatus::need_more;
    if (!uin.empty()) st = rp.parse(uin, uoff);
    if (st == ParseStatus::need_more) {
      uin.reset();
      uoff = 0;
      if (core::BufferSlice more = up.stream().try_read(); !more.empty()) {
        uin = std::move(more);  // already here: parse it into the same send
        continue;
      }
      int rc = 0;
      if (head_sent)
        rc = co_await ctx_->out.flush(*down_, deadline_or_none(l_.settings_.idle_timeout));
      if (rc < 0) {
        close_ = true;
        break;
      }
      core::TimePoint deadline;
      if (head_sent)
        deadline = deadline_or_none(route.idle_timeout);
      else if (request_complete_ && route.timeout.count() > 0)
        deadline = body_done_at_ + route.timeout;
      else
        deadline = deadline_or_none(route.idle_timeout);
      core::ReadResult r = co_await up.stream().read(deadline);
      if (r.error == -ETIMEDOUT) {
        if (!head_sent && !request_complete_ && route.idle_timeout.count() == 0) continue;
        if (!head_sent && may_retry && retries_on_status(route.retry, 504))
          co_return drop_upstream(Upstream::retry_next);
        failure = "upstream did not respond in time\n";
        failure_flags = flags::kUpstreamTimeout;
        failure_status = 504;
        break;
      }
      if (r.error < 0 || r.eof()) {
        if (r.eof() && head_sent && rp.finish_on_eof() == ParseStatus::message_complete) {
          st = ParseStatus::message_complete;
        } else {
          if (!got_bytes && reused && !body && idempotent(req.method) && !body_too_large_)
            co_return drop_upstream(Upstream::retry_fresh);
          if (!got_bytes && may_retry && retries_on_reset(route.retry))
            co_return drop_upstream(Upstream::retry_next);
          if (body_too_large_) {
            failure = "request body larger than this route allows\n";
            failure_flags = flags::kBodyTooLarge;
            failure_status = 413;
          } else {
            failure = got_bytes ? "upstream closed the connection mid-response\n"
                                : "upstream closed the connection before responding\n";
            failure_flags = flags::kUpstreamReset;
            failure_status = 502;
          }
          break;
        }
      } else {
        got_bytes = true;
        uin = std::move(r.data);
        uoff = 0;
        continue;
      }
    }
    if (st == ParseStatus::error) {
      if (!head_sent && may_retry && retries_on_status(route.retry, 502))
        co_return drop_upstream(Upstream::retry_next);
      RLOG_WARN("listener %s: bad response from %.*s: %.*s", l_.listener_.name.c_str(),
                static_cast<int>(exchange_.upstream_host.size()), exchange_.upstream_host.data(),
                static_cast<int>(rp.error_reason().size()), rp.error_reason().data());
      failure = "upstream sent an invalid response\n";
      failure_flags = flags::kUpstreamProtocolError;
      failure_status = 502;
      break;
    }
    if (st == ParseStatus::head) {
      ResponseHead& resp = rp.head();
      if (resp.status < 200 && resp.status != 101) {
        // Interim responses: 100 was answered by ringress itself; others go through.
        if (resp.status != 100) {
          std::size_t start = ctx_->out.text_size();
          write_response_head(ctx_->out.text(), resp.status, resp.reason, resp.headers);
          ctx_->out.commit_text(start);
        }
        continue;
      }
      if (may_retry && retries_on_status(route.retry, resp.status))
        co_return drop_upstream(Upstream::retry_next);
      exchange_.response = &resp;
      HeaderMap& h = resp.headers;
      const bool tunnel = upgrading && resp.status == 101;
      for (auto it = l_.filters_.rbegin(); it != l_.filters_.rend(); ++it)
        (*it)->on_response_headers(exchange_, h);
      apply_mutations(route.response_headers, h, exchange_);
      prepare_downstream_response(h, l_.proxy_headers_, tunnel);
      const bool no_body = resp.no_body || tunnel;
      if (!no_body && !resp.chunked && !resp.has_content_length) {
        // Delimited by the upstream's close: re-chunk for HTTP/1.1 clients, close for 1.0.
        if (req.version_minor == 1)
          out_chunked = true;
        else
          close_ = true;
      }
      if (!no_body && resp.chunked) out_chunked = true;
      if (out_chunked) h.add("Transfer-Encoding", "chunked");
      if (l_.draining_ && !tunnel) close_ = true;
      if (!tunnel) {
        if (close_)
          h.add("Connection", "close");
        else if (req.version_minor == 0)
          h.add("Connection", "keep-alive");
      }
      exchange_.status = resp.status;
      exchange_.response_headers = &h;
      std::size_t start = ctx_->out.text_size();
      write_response_head(ctx_->out.text(), resp.status, resp.reason, h);
      ctx_->out.commit_text(start);
      head_sent = true;
      if (tunnel) {
        ++l_.stats_.upgrades;
        int rc = co_await ctx_->out.flush(*down_, deadline_or_none(l_.settings_.idle_timeout));
        if (rc < 0) break;
        core::BufferSlice down_rest =
            in_off_ < in_.size() ? in_.sub(in_off_, in_.size() - in_off_) : core::BufferSlice{};
        core::BufferSlice up_rest =
            uoff < uin.size() ? uin.sub(uoff, uin.size() - uoff) : core::BufferSlice{};
        in_.reset();
        in_off_ = 0;
        uin.reset();
        core::BridgeResult br = co_await core::bridge(
            *down_, up.stream(),
            route.idle_timeout.count() > 0 ? route.idle_timeout : std::chrono::hours(24),
            std::move(down_rest), std::move(up_rest));
        exchange_.bytes_received += br.a_to_b;
        exchange_.bytes_sent += br.b_to_a;
        close_ = true;
        request_complete_ = true;
        ok = true;
        reusable = false;
        break;
      }
      continue;
    }
    if (st == ParseStatus::body) {
      core::BufferSlice& b = rp.body();
      exchange_.bytes_sent += b.size();
      for (auto it = l_.filters_.rbegin(); it != l_.filters_.rend(); ++it)
        (*it)->on_response_body(exchange_, b);
      ctx_->out.append_body(std::move(b), out_chunked);
      int rc = 0;
      if (ctx_->out.bytes() >= 256 * 1024)
        rc = co_await ctx_->out.flush(*down_, deadline_or_none(l_.settings_.idle_timeout));
      if (rc < 0) {
        close_ = true;
        break;
      }
      continue;
    }
    if (st == ParseStatus::message_complete || st == ParseStatus::upgrade) {
      if (!head_sent) continue;  // the end of an interim (1xx) response
      if (out_chunked) ctx_->out.append_last_chunk(rp.trailers());
      ok = true;
      reusable = rp.head().keep_alive && uoff >= uin.size() && st != ParseStatus::upgrade;
      break;
    }
  }

  if (ok) {
    int rc = co_await ctx_->out.flush(*down_, deadline_or_none(l_.settings_.idle_timeout));
    if (rc < 0) close_ = true;
  }
  if (body_sender.size() > 0 && !ok) {
    // The exchange failed before the request body was sent: stop sending it.
    close_ = true;
    up.stream().cancel();
    reusable = false;
  }
  // An upstream that answered early still gets the rest of the body (as HAProxy does), so both
  // connections stay usable; a sender that fails or stalls past the route's idle timeout
  // closes them instead (finish() closes the client when its body was not read to the end).
  co_await body_sender.join();
  if (body_failed_) reusable = false;
  if (!ok) {
    ctx_->out.clear();
    if (!head_sent && failure_status != 0) {
      co_await reply(failure_status, failure, failure_flags, !request_complete_);
    } else {
      exchange_.response_flags = failure_flags.empty() ? flags::kUpstreamReset : failure_flags;
      close_ = true;  // the client got a head and part of a body: never leave it guessing
    }
  }
  exchange_.response_headers = nullptr;
  up.count_request();
  cluster.pool.release(std::move(upstream_), ok && reusable);
  co_return Upstream::done;
}

HttpListener::HttpListener(const conf::Listener& listener,
                           std::deque<lb::UpstreamCluster>& clusters, core::BufferPool& buffers,
                           uint32_t connection_buffer, AccessLogSinks& logs, HttpStats& stats)
    : listener_(listener),
      settings_(listener.http),
      clusters_(clusters),
      buffers_(buffers),
      connection_buffer_(connection_buffer),
      stats_(stats),
      routes_(listener.http.virtual_hosts),
      filters_(make_filters(listener.http.filters, logs)) {
  for (const auto& cidr : settings_.trusted_proxies)
    if (auto r = core::CidrRange::parse(cidr)) proxy_headers_.trusted_proxies.push_back(*r);
  if (!settings_.via.empty()) proxy_headers_.via = "1.1 " + settings_.via;
  proxy_headers_.generate_request_id = settings_.generate_request_id;
  if (listener.tls.enabled) proxy_headers_.scheme = "https";
  limits_.max_head_bytes = settings_.max_request_headers;
  limits_.max_header_count = settings_.max_header_count;
  limits_.max_uri_length = settings_.max_uri_length;
}

HttpListener::~HttpListener() = default;

core::Task<void> HttpListener::serve(core::Socket client, core::TaskScope& scope) {
  ++stats_.connections;
  ++stats_.active_connections;
  {
    Connection c(*this, std::move(client));
    scope.add(c);
    bool ready = true;
    if (listener_.tls_context) ready = co_await c.accept_tls();
    if (ready) {
      co_await c.run();
      co_await c.close_tls();
    }
  }
  --stats_.active_connections;
}

void HttpListener::drain() {
  draining_ = true;
  idle_connections_.cancel();
}

}  // namespace ringress::http
