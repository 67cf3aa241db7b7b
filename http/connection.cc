// The request loop of one downstream connection: read a head, run the filters, route, answer
// (locally or by proxying), then the next request.
#include "http/connection.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <deque>

#include "core/idle_free_list.h"
#include "core/log.h"
#include "http/path_normalize.h"

namespace ringress::http {
namespace {

// Request contexts kept for reuse per worker and set of parse limits.
constexpr std::size_t kMaxFreeContexts = 1024;

// How long a plain connection waits for a request before it parks: four times its last wait,
// so a connection that a client keeps busy (a request every few milliseconds, or every 60 ms
// for 1,000 connections on one core) does not park between its requests; at least
// kMinParkDelay, so a burst of connections that go idle together has few fully built at
// once (their frames stay in the pools when they park); at most kMaxParkDelay.
constexpr core::Duration kMinParkDelay = std::chrono::milliseconds(20);
constexpr core::Duration kMaxParkDelay = std::chrono::seconds(1);
core::Duration park_delay(uint32_t last_gap_us) {
  return std::clamp<core::Duration>(4 * std::chrono::microseconds(last_gap_us), kMinParkDelay,
                                    kMaxParkDelay);
}
uint32_t micros_capped(core::Duration d) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return static_cast<uint32_t>(std::clamp<int64_t>(us, 0, UINT32_MAX));
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
  else if (f == flags::kStreamIdleTimeout)
    ++stats.request_body_timeout;
  else if (f == flags::kDownstreamClosed)
    ++stats.downstream_closed;
  else if (f == flags::kCancelled)
    ++stats.cancelled;
}

// The exchange of a request that starts now.
Exchange new_exchange(core::Arena& arena, core::CancelToken& cancel, std::string_view client_ip,
                      uint16_t client_port) {
  Exchange e(arena);
  e.cancel = &cancel;
  e.start = core::Clock::now();
  e.start_wall = core::Clock::wall();
  e.client_ip = client_ip;
  e.client_port = client_port;
  return e;
}

}  // namespace

HttpListener::Connection::Connection(HttpListener& l, core::Socket socket, Peer& peer)
    : l_(l),
      peer_(peer),
      transport_(std::move(socket), l.buffers_, l.connection_buffer_),
      client_ip_(peer.ip_text()),
      client_port_(peer.port),
      client_trusted_(peer.trusted),
      accepted_at_(peer.accepted_at),
      requests_served_(peer.requests_served) {
  idle_.owner = this;
}

void HttpListener::Connection::cancel() {
  down_->cancel();
  if (upstream_) upstream_->stream().cancel();
  cancel_.cancel();
}

core::Task<bool> HttpListener::Connection::accept_tls() {
  const tls::ServerContext& context = *l_.listener_.tls_context;
  core::TimePoint deadline = core::deadline_after(context.settings().handshake_timeout);
  tls::ClientHello hello = co_await transport_.read_client_hello(deadline);
  if (hello.outcome == tls::ClientHello::Outcome::none) {
    if (hello.failed) ++l_.stats_.tls_handshake_failures;
    co_return false;  // closed (or timed out) before a ClientHello
  }
  if (hello.outcome == tls::ClientHello::Outcome::plain_http) {
    ++l_.stats_.tls_plain_http;
    RLOG_INFO("listener %s: %s:%u sent plain HTTP to a TLS port", l_.listener_.name.c_str(),
              client_ip_.c_str(), client_port_);
    // A request like any other answered 400 (DPE): logged and counted, through the filters.
    ++l_.stats_.requests;
    acquire_context();
    exchange_ = new_exchange(ctx_->arena, cancel_, client_ip_, client_port_);
    co_await reply(400, "This port speaks TLS: use https:// to connect.\n", flags::kBadRequest,
                   true);
    finish();
    release_context();
    co_return false;
  }
  ++l_.stats_.tls_handshakes;
  int rc = co_await transport_.accept(context, std::move(hello), deadline);
  if (rc != 0) {
    ++l_.stats_.tls_handshake_failures;
    RLOG_INFO("listener %s: TLS handshake with %s:%u failed: %s", l_.listener_.name.c_str(),
              client_ip_.c_str(), client_port_, transport_.failure().c_str());
    co_return false;
  }
  if (transport_.resumed()) ++l_.stats_.tls_resumed;
  down_ = &transport_.stream();
  tls_ = true;
  if (context.settings().forward_client_cert)
    client_cert_ = transport_.client_certificate_details();
  co_return true;
}

core::Task<void> HttpListener::Connection::close() {
  if (down_->cancelled() || down_->closed_by_peer()) co_return;
  const bool client_may_send = body_unread_ || in_off_ < in_.size() || tcp_.has_unread_data();
  const bool linger = client_may_send && l_.settings_.lingering_timeout.count() > 0;
  in_.reset();
  in_off_ = 0;
  if (!tls_ && !linger) co_return;
  int rc = co_await down_->shutdown_write();
  if (rc < 0 || !linger) co_return;
  const core::TimePoint deadline = core::deadline_after(l_.settings_.lingering_timeout);
  for (;;) {
    core::ReadResult r = co_await down_->read(deadline);
    if (r.error < 0 || r.eof()) co_return;
  }
}

core::Task<void> HttpListener::Connection::run() {
  park_ = false;
  while (!close_) {
    bool keep_going = co_await serve_one();
    if (!keep_going) break;
    ++requests_served_;
  }
  release_context();
  peer_.requests_served = requests_served_;
}

// The request contexts that no request of the worker holds now, for reuse without allocating.
// A context depends on its listener only through the parse limits it was built with, so it is
// kept per worker (thread) and set of limits: listeners with the same limits share them, and
// no cached context refers to a listener that a reload destroyed. The cache gives back what a
// whole trim period of the worker's buffer pool did not use (core::IdleFreeList), so the
// memory of a burst of concurrent requests does not stay with the worker once the load fell.
class HttpListener::Connection::ContextCache final : public core::IdleTrimmer {
 public:
  ~ContextCache() {
    if (core::BufferPool* pool = trim_pool()) pool->remove_trimmer(this);
  }
  std::unique_ptr<RequestContext> take(const ParseLimits& limits, core::BufferPool& pool) {
    if (trim_pool() != &pool) pool.add_trimmer(this);  // the worker's pool (a new one in tests)
    Shelf& shelf = shelf_of(limits);
    if (std::unique_ptr<RequestContext> ctx = shelf.free.take()) return ctx;
    auto ctx = std::make_unique<RequestContext>(limits);
    // Built small, since every request in flight has one: the batches' texts and the arena
    // grow to what this worker's requests need (and keep it, so a steady load allocates
    // nothing), instead of 4 KiB each up front. 1,000 concurrent 64 B requests used a tenth of
    // the texts and a few hundred bytes of the arena.
    ctx->out.text().shrink_to_fit();
    ctx->up_out.text().shrink_to_fit();
    ctx->arena = core::Arena(kArenaBlockBytes);  // still empty: the parsers' reference holds
    return ctx;
  }
  void put(const ParseLimits& limits, std::unique_ptr<RequestContext> ctx) {
    shelf_of(limits).free.put(std::move(ctx));
  }
  std::size_t trim_idle() override {
    std::size_t freed = 0;
    for (Shelf& shelf : shelves_) freed += shelf.free.trim();
    return freed * kContextBytes;
  }

 private:
  // What a context holds on the heap with small requests (the object, its parsers' header
  // maps, the arena's first block, the batches): an estimate, for the pool's malloc_trim rule.
  static constexpr std::size_t kContextBytes = sizeof(RequestContext) + 6 * 1024;
  // A request head and its response head's copies fit in one block when they are small (a
  // larger copy gets a block of its own size).
  static constexpr std::size_t kArenaBlockBytes = 1024;
  struct Shelf {
    ParseLimits limits;
    core::IdleFreeList<RequestContext> free{kMaxFreeContexts};
  };
  Shelf& shelf_of(const ParseLimits& limits) {
    for (Shelf& shelf : shelves_)
      if (shelf.limits.max_head_bytes == limits.max_head_bytes &&
          shelf.limits.max_header_count == limits.max_header_count &&
          shelf.limits.max_uri_length == limits.max_uri_length)
        return shelf;
    shelves_.push_back(Shelf{limits});
    return shelves_.back();
  }
  std::deque<Shelf> shelves_;  // one per set of limits in use: usually one
};

HttpListener::Connection::ContextCache& HttpListener::Connection::context_cache() {
  thread_local ContextCache cache;
  return cache;
}

void HttpListener::Connection::acquire_context() {
  ctx_ = context_cache().take(l_.limits_, l_.buffers_);  // reset when it was given back
}

void HttpListener::Connection::release_context() {
  if (!ctx_) return;
  // A pooled context must hold no receive buffer (the parsers keep their last body slice).
  ctx_->request_parser.reset();
  ctx_->response_parser.reset();
  ctx_->arena.reset();
  ctx_->out.clear();
  ctx_->up_out.clear();
  context_cache().put(l_.limits_, std::move(ctx_));
  ctx_.reset();
}

// Reads until the parser reports an event. `started` tells whether a byte of the request has
// been seen. Deadlines: the first request's head must arrive within request_headers_timeout of
// the accept (a peer that connects and sends nothing holds a slot no longer than that); later
// ones get the keep-alive idle timeout until their first byte, then request_headers_timeout.
core::Task<HttpListener::Connection::Input> HttpListener::Connection::next_request_event(
    ParseStatus& status, bool& started) {
  const core::TimePoint first_head_deadline =
      deadline_from(accepted_at_, l_.settings_.request_headers_timeout);
  core::TimePoint idle_deadline =
      requests_served_ == 0 ? first_head_deadline : deadline_or_none(l_.settings_.idle_timeout);
  core::TimePoint head_deadline = core::kNoDeadline;
  // A plain connection still idle at park_at parks (TLS ones do not: see docs/design.md).
  const core::TimePoint idle_since = core::Clock::now();
  const core::TimePoint park_at =
      tls_ ? core::kNoDeadline
           : std::min(idle_deadline, idle_since + park_delay(peer_.last_gap_us));
  for (;;) {
    // The parser may hold events that need no new bytes: ask it until it needs more.
    if (!in_.empty()) {
      if (!started && in_off_ < in_.size()) {
        started = true;
        head_deadline = requests_served_ == 0
                            ? first_head_deadline
                            : deadline_or_none(l_.settings_.request_headers_timeout);
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
    const bool may_park = idle && park_at < idle_deadline;
    const core::TimePoint deadline = may_park ? park_at : idle ? idle_deadline : head_deadline;
    core::ReadResult r = co_await down_->read(deadline);
    idle_.leave_scope();
    if (r.error == -ETIMEDOUT && may_park) {
      peer_.idle_deadline = idle_deadline;
      co_return Input::park;
    }
    if (r.error == -ETIMEDOUT) co_return Input::timeout;
    if (r.error < 0 || r.eof()) co_return Input::closed;
    if (idle) peer_.last_gap_us = micros_capped(core::Clock::now() - idle_since);
    in_ = std::move(r.data);
    in_off_ = 0;
  }
}

core::Task<bool> HttpListener::Connection::serve_one() {
  if (ctx_) ctx_->arena.reset();  // a pipelined request follows: same memory, fresh arena
  request_complete_ = continue_sent_ = client_gone_ = false;
  body_ = Body::none;
  ParseStatus st = ParseStatus::need_more;
  bool started = false;
  Input got = co_await next_request_event(st, started);
  if (got == Input::park) {
    park_ = true;
    co_return false;
  }
  if (got == Input::timeout && !started) co_return false;  // nothing sent: close quietly
  if (got == Input::closed) co_return false;
  ++l_.stats_.requests;  // answered, one way or another
  if (!ctx_) acquire_context();
  exchange_ = new_exchange(ctx_->arena, cancel_, client_ip_, client_port_);
  if (got == Input::timeout) {
    co_await reply(408, "request headers not received in time\n", flags::kRequestTimeout, true);
    finish();
    co_return false;
  }
  if (st == ParseStatus::error) {
    co_await reply_bad_request(ctx_->request_parser.error_status(),
                               ctx_->request_parser.error_reason());
    finish();
    co_return false;
  }
  if (st != ParseStatus::head) co_return false;

  RequestHead& req = ctx_->request_parser.head();
  exchange_.request = &req;
  if (!req.keep_alive || l_.draining_ || l_.retired_) close_ = true;
  if (req.upgrade) {
    // The parser stops at `upgrade`: what follows is tunnel data if a route takes it, else the
    // next request (resume_after_upgrade).
    if (ctx_->request_parser.parse(in_, in_off_) != ParseStatus::upgrade) close_ = true;
    request_complete_ = true;
  } else if (!has_body(req)) {
    if (ctx_->request_parser.parse(in_, in_off_) != ParseStatus::message_complete) close_ = true;
    request_complete_ = true;
    if (in_off_ >= in_.size()) {
      // The head is in the arena: its receive buffer goes back now, not after the response
      // (1,000 requests in flight held 1,000 buffers, a page written in each).
      in_.reset();
      in_off_ = 0;
    }
  }
  co_await run_filters_and_route();
  finish();
  co_return !close_;
}

core::Task<void> HttpListener::Connection::run_filters_and_route() {
  RequestHead& req = ctx_->request_parser.head();
  NormalizedPath np = normalize_path(req.path, l_.path_normalization_, ctx_->arena);
  if (np.error != PathError::none) {
    co_await reply(400, path_error_text(np.error), flags::kBadRequest, !request_complete_);
    co_return;
  }
  if (np.path.data() != req.path.data()) {
    // The path is a prefix of origin_target: what follows it ("?query") follows the new one.
    std::string_view rest = req.origin_target.substr(req.path.size());
    req.origin_target = rest.empty() ? np.path : ctx_->arena.extend(np.path, rest);
    req.path = np.path;
  }
  for (auto& f : l_.filters_) {
    FilterStatus fs = co_await f->on_request_headers(exchange_);
    if (fs == FilterStatus::stop) {
      const LocalReply& lr = exchange_.local;
      co_await reply(lr.status, lr.body, lr.flags, lr.close_connection || !request_complete_);
      co_return;
    }
  }

  const conf::VirtualHost* vhost = nullptr;
  const conf::Route* route =
      l_.routes_.match({req.host, req.method, req.path, req.query, &req.headers}, &vhost);
  exchange_.vhost = vhost;
  exchange_.route = route;
  const bool tunnel_route = route && route->allow_upgrade && !route->clusters.empty();
  if (req.upgrade && !tunnel_route && req.method == "CONNECT") {
    // Forwarded as a plain request, a CONNECT could open a tunnel the upstream and ringress
    // disagree about: only a route that takes upgrades carries one (Envoy's 404 too).
    co_await reply(404, "no route takes CONNECT requests here\n", flags::kNoRoute, true);
    co_return;
  }
  if (req.upgrade && !tunnel_route) {
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
}

// Counts and logs the exchange, whatever answered it.
void HttpListener::Connection::finish() {
  l_.stats_.request_time.record(core::Clock::now() - exchange_.start);
  if (exchange_.status >= 100 && exchange_.status < 600)
    ++l_.stats_.responses_by_class[exchange_.status / 100];
  count_reply(l_.stats_, exchange_.response_flags);
  for (auto it = l_.filters_.rbegin(); it != l_.filters_.rend(); ++it)
    (*it)->on_complete(exchange_);
  if (!request_complete_) {
    close_ = true;  // the rest of the request body is still on the wire
    body_unread_ = true;
  }
}

// Until the response head: the route timeout from the end of the request body (Envoy's route
// timeout), or, while the body still flows, the route's idle timeout. Then the idle timeout.
core::TimePoint HttpListener::Connection::response_deadline(const Attempt& a) const {
  if (!a.head_sent && request_complete_ && a.route.timeout.count() > 0)
    return std::min(body_done_at_ + a.route.timeout, a.try_deadline);
  if (!a.head_sent && request_complete_) return a.try_deadline;
  return deadline_or_none(a.route.idle_timeout);
}

}  // namespace ringress::http
