// The response, upstream -> client: interim responses, the head (filters, proxy headers, framing
// written from the parsed framing), the body (re-chunked when needed), or a tunnel.
#include <cerrno>

#include "core/log.h"
#include "core/stream_bridge.h"
#include "http/connection.h"
#include "http/header_mutations.h"
#include "http/serializer.h"

namespace ringress::http {
namespace {

// The try's first response byte (%RESPONSE_DURATION%, %UPSTREAM_SERVICE_TIME%).
void note_first_byte(Exchange& e) {
  if (e.upstream_first_byte == core::TimePoint{}) e.upstream_first_byte = core::Clock::now();
}

// A response the policy retries that no retry followed: the request could have been sent again
// (retries on, no body, no upgrade), so what stopped it was the attempts, budget or breaker.
bool retry_limit_reached(const conf::RetryPolicy& p, const RequestHead& req) {
  return p.attempts > 0 && !has_body(req) && !req.upgrade;
}

}  // namespace

core::Task<HttpListener::Connection::Outcome> HttpListener::Connection::relay_response(Attempt& a) {
  ResponseParser& rp = ctx_->response_parser;
  for (;;) {
    ParseStatus st = ParseStatus::need_more;
    if (!a.in.empty()) st = rp.parse(a.in, a.in_off);
    if (st == ParseStatus::need_more) {
      Step s = co_await receive_response(a);
      if (s == Step::failed) co_return Outcome::failed;
      if (s == Step::more) continue;
      st = ParseStatus::message_complete;  // the upstream's close ended the body
    }
    if (st == ParseStatus::error) {
      RLOG_WARN("listener %s: bad response from %.*s: %.*s", l_.listener_.name.c_str(),
                static_cast<int>(exchange_.upstream_host.size()), exchange_.upstream_host.data(),
                static_cast<int>(rp.error_reason().size()), rp.error_reason().data());
      a.failure = Failure::upstream_invalid;
      co_return Outcome::failed;
    }
    if (st == ParseStatus::head) {
      Step s = co_await on_response_head(a);
      if (s == Step::failed) co_return Outcome::failed;
      if (s == Step::retry) co_return Outcome::retry_next;
      if (s == Step::ended) co_return Outcome::complete;  // a tunnel ran and ended
      continue;
    }
    if (st == ParseStatus::body) {
      core::BufferSlice& b = rp.body();
      exchange_.bytes_sent += b.size();
      for (auto it = l_.filters_.rbegin(); it != l_.filters_.rend(); ++it)
        (*it)->on_response_body(exchange_, b);
      ctx_->out.append_body(std::move(b), a.out_chunked);
      if (ctx_->out.bytes() < kBatchBytes) continue;
      int rc = co_await flush_to_client();
      if (rc < 0) {
        a.failure = Failure::client_write;
        co_return Outcome::failed;
      }
      continue;
    }
    // message_complete (or upgrade, which ends a message too).
    if (!a.head_sent) continue;  // the end of an interim (1xx) response
    if (a.out_chunked) ctx_->out.append_last_chunk(rp.trailers());
    a.reusable = rp.head().keep_alive && a.in_off >= a.in.size() && st != ParseStatus::upgrade;
    l_.stats_.upstream_time.record(core::Clock::now() - a.started);
    co_return Outcome::complete;
  }
}

// More response bytes into a.in (more), the end of a close-delimited body (ended), or a
// failure. What the client is owed goes out before waiting.
core::Task<HttpListener::Connection::Step> HttpListener::Connection::receive_response(Attempt& a) {
  a.in.reset();
  a.in_off = 0;
  if (core::BufferSlice more = a.up.stream().try_read(); !more.empty()) {
    a.in = std::move(more);  // already here: parse it into the same send
    a.got_bytes = true;
    note_first_byte(exchange_);
    co_return Step::more;
  }
  if (a.head_sent) {
    int rc = co_await flush_to_client();
    if (rc < 0) {
      a.failure = Failure::client_write;
      co_return Step::failed;
    }
  }
  for (;;) {
    const bool watch = body_ == Body::none || body_ == Body::done;  // else the pump reads it
    if (watch) watch_client(true);
    core::ReadResult r = co_await a.up.stream().read(response_deadline(a));
    if (watch) watch_client(false);
    if (client_gone_) {
      a.failure = Failure::client_gone;
      co_return Step::failed;
    }
    if (r.error == -EAGAIN) continue;  // the request body is done: the route timeout starts
    // While the request body flows, an upstream that is quiet is waiting for it, not late: the
    // pump holds the idle timeouts of that phase (as Envoy's stream idle timeout, activity either
    // way counts). A client that stalls ends this read at once (408 SI, not a 504 blamed on the
    // upstream); an upstream that stops reading fails the pump's write, and this read then times
    // out as usual (504 UT); a body that keeps coming for longer than idle_timeout is not cut.
    if (r.error == -ETIMEDOUT && body_ == Body::sending) continue;
    if (!r.data.empty()) {
      a.got_bytes = true;
      note_first_byte(exchange_);
      a.in = std::move(r.data);
      co_return Step::more;
    }
    if (r.eof() && a.head_sent &&
        ctx_->response_parser.finish_on_eof() == ParseStatus::message_complete)
      co_return Step::ended;
    if (body_ == Body::client_closed || body_ == Body::client_timeout || body_ == Body::invalid ||
        body_ == Body::too_large)
      a.failure = Failure::request_body;  // the pump cancelled this read
    else if (r.error == -ETIMEDOUT)
      a.failure = Failure::upstream_timeout;
    else
      a.failure = Failure::upstream_closed;
    co_return Step::failed;
  }
}

core::Task<HttpListener::Connection::Step> HttpListener::Connection::on_response_head(Attempt& a) {
  ResponseHead& resp = ctx_->response_parser.head();
  const RequestHead& req = ctx_->request_parser.head();
  if (resp.upgrade && !req.upgrade) {
    RLOG_WARN("listener %s: %.*s switched protocols unasked (status %u)", l_.listener_.name.c_str(),
              static_cast<int>(exchange_.upstream_host.size()), exchange_.upstream_host.data(),
              static_cast<unsigned>(resp.status));
    a.failure = Failure::upstream_invalid;
    co_return Step::failed;
  }
  if (resp.status < 200 && !resp.upgrade) {
    // Interim responses: 100 was answered by ringress itself; others (103 Early Hints) go on,
    // to HTTP/1.1 clients only (RFC 9110 15.2).
    if (resp.status != 100 && req.version_minor == 1) {
      remove_hop_by_hop(resp.headers, false);
      resp.headers.remove("content-length");
      std::size_t start = ctx_->out.text_size();
      write_response_head(ctx_->out.text(), resp.status, resp.reason, resp.headers);
      ctx_->out.commit_text(start);
    }
    co_return Step::more;
  }
  if (retries_on_status(a.route.retry, resp.status)) {
    if (a.may_retry) co_return Step::retry;
    if (retry_limit_reached(a.route.retry, req)) {
      exchange_.response_flags = flags::kRetryLimitExceeded;
      ++l_.stats_.retry_limit_exceeded;
    }
  }
  exchange_.response = &resp;
  const bool tunnel = resp.upgrade;
  HeaderMap& h = resp.headers;
  for (auto it = l_.filters_.rbegin(); it != l_.filters_.rend(); ++it)
    (*it)->on_response_headers(exchange_, h);
  apply_mutations(a.route.response_headers, h, exchange_);
  if (!a.set_cookie.empty()) h.add("Set-Cookie", a.set_cookie);
  prepare_downstream_response(h, l_.proxy_headers_, tunnel);
  write_response_framing(a, resp, tunnel);
  exchange_.status = resp.status;
  exchange_.response_headers = &h;
  std::size_t start = ctx_->out.text_size();
  write_response_head(ctx_->out.text(), resp.status, resp.reason, h);
  ctx_->out.commit_text(start);
  a.head_sent = true;
  if (!tunnel) co_return Step::more;
  Step s = co_await this->tunnel(a);
  co_return s;
}

// Content-Length / Transfer-Encoding / Connection for the client, from the parsed framing and
// the client's version; whatever framing fields the upstream (or a filter) left are dropped.
void HttpListener::Connection::write_response_framing(Attempt& a, ResponseHead& resp, bool tunnel) {
  HeaderMap& h = resp.headers;
  const RequestHead& req = ctx_->request_parser.head();
  h.remove("content-length");
  h.remove("transfer-encoding");
  if (tunnel) {
    // 101 and a 2xx to CONNECT: no body, bytes follow.
  } else if (resp.no_body) {
    // HEAD and 304 may announce the length of the body they do not carry.
    if (resp.has_content_length && resp.status != 204)
      h.add("Content-Length", decimal_in(ctx_->arena, resp.content_length));
  } else if (resp.has_content_length && !resp.chunked) {
    h.add("Content-Length", decimal_in(ctx_->arena, resp.content_length));
  } else if (req.version_minor == 1) {
    // Chunked, or delimited by the upstream's close: chunked for the client, so the
    // connection can stay open.
    a.out_chunked = true;
    h.add("Transfer-Encoding", "chunked");
  } else {
    // HTTP/1.0 knows no chunked coding (RFC 9112 6.1): the body ends where we close.
    close_ = true;
  }
  if (tunnel) return;
  if (l_.draining_) close_ = true;
  if (close_)
    h.add("Connection", "close");
  else if (req.version_minor == 0)
    h.add("Connection", "keep-alive");
}

void HttpListener::Connection::watch_client(bool on) {
  down_->set_close_listener(on ? this : nullptr);
  if (on && down_->closed_by_peer()) on_peer_closed();
}

void HttpListener::Connection::on_peer_closed() {
  // Bytes behind the request (pipelined, or a TLS close_notify still to be read) mean the
  // client may only have half-closed: serve on.
  if (client_gone_ || in_off_ < in_.size() || tcp_.has_unread_data()) return;
  client_gone_ = true;
  if (upstream_) upstream_->stream().cancel();
}

// An upgrade the upstream accepted: bytes both ways until either side closes. The connection
// closes after it.
core::Task<HttpListener::Connection::Step> HttpListener::Connection::tunnel(Attempt& a) {
  ++l_.stats_.upgrades;
  close_ = true;
  request_complete_ = true;
  a.reusable = false;
  int rc = co_await flush_to_client();
  if (rc < 0) {
    a.failure = Failure::client_write;
    co_return Step::failed;
  }
  core::BufferSlice down_rest =
      in_off_ < in_.size() ? in_.sub(in_off_, in_.size() - in_off_) : core::BufferSlice{};
  core::BufferSlice up_rest =
      a.in_off < a.in.size() ? a.in.sub(a.in_off, a.in.size() - a.in_off) : core::BufferSlice{};
  in_.reset();
  in_off_ = 0;
  a.in.reset();
  a.in_off = 0;
  const core::Duration idle = a.route.idle_timeout.count() > 0
                                  ? core::Duration(a.route.idle_timeout)
                                  : core::Duration(std::chrono::hours(24));
  core::BridgeResult br =
      co_await core::bridge(*down_, a.up.stream(), idle, std::move(down_rest), std::move(up_rest));
  exchange_.bytes_received += br.a_to_b;
  exchange_.bytes_sent += br.b_to_a;
  // Both sides closing (FIN) is the tunnel's normal end: no flag.
  if (cancel_.cancelled())
    exchange_.response_flags = flags::kCancelled;
  else if (br.idle_timeout)
    exchange_.response_flags = flags::kStreamIdleTimeout;
  else if (br.reset)
    exchange_.response_flags = br.a_failed ? flags::kDownstreamClosed : flags::kUpstreamReset;
  co_return Step::ended;
}

}  // namespace ringress::http
