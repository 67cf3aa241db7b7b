// One attempt on one upstream connection: send the request (head, then the body beside the
// response), relay the response, and settle how it ended: a retry, a local reply, or a
// connection closed under a client that already has part of a response.
#include "core/log.h"
#include "http/connection.h"

namespace ringress::http {
namespace {

// Whether it retries an upstream that closed or reset before responding (a 502 otherwise).
bool retries_on_reset(const conf::RetryPolicy& p) { return p.reset || retries_on_status(p, 502); }

}  // namespace

core::Task<HttpListener::Connection::Outcome> HttpListener::Connection::exchange_with(
    lb::UpstreamCluster& cluster, Attempt& a) {
  RequestHead& req = ctx_->request_parser.head();
  exchange_.upstream_start = a.started;
  exchange_.upstream_first_byte = {};
  ctx_->up_out.append_text(ctx_->head);
  body_done_at_ = core::Clock::now();
  core::TaskScope pump;
  if (has_body(req)) {
    body_ = Body::sending;
    pump.spawn(pump_request_body(a.up, a.route));
  } else {
    int rc = co_await ctx_->up_out.flush(a.up.stream(), deadline_or_none(a.route.idle_timeout));
    if (rc < 0) a.failure = Failure::upstream_write;
  }
  Outcome o = Outcome::failed;
  if (a.failure == Failure::none) {
    ctx_->response_parser.reset();
    ctx_->response_parser.expect_response_to(req.method);
    o = co_await relay_response(a);
  }
  if (o == Outcome::complete) {
    int rc = co_await flush_to_client();
    if (rc < 0) {
      close_ = true;
      exchange_.response_flags = flags::kDownstreamClosed;
    }
  } else if (body_ == Body::sending) {
    // No response will follow: stop the pump, wherever it waits (reading the client, or
    // sending to the upstream). The rest of the body stays unread, so the client connection
    // closes after the reply.
    body_ = Body::abandoned;
    close_ = true;
    a.up.stream().cancel();
    down_->interrupt_read();
  }
  // An upstream that answered early still gets the rest of the body (as HAProxy does), so both
  // connections stay usable; a pump that fails or stalls past the route's idle timeout closes
  // them instead (finish() closes the client when its body was not read to the end).
  co_await pump.join();
  if (body_ != Body::none && body_ != Body::done) a.reusable = false;
  if (o == Outcome::failed) o = retry_or_fail(a);
  if (o == Outcome::retry_fresh || o == Outcome::retry_next) {
    upstream_.reset();  // never reused: it failed
    co_return o;
  }
  if (o == Outcome::failed) {
    co_await answer_failure(a);
  } else if (body_ == Body::invalid || body_ == Body::client_closed ||
             body_ == Body::client_timeout) {
    exchange_.response_flags =
        body_ == Body::invalid ? flags::kBadRequest : flags::kDownstreamClosed;
  }
  exchange_.response_headers = nullptr;
  a.up.count_request();
  cluster.pool.release(std::move(upstream_), o == Outcome::complete && a.reusable);
  co_return o;
}

// A failed attempt that may be made again: the keep-alive race (a reused connection that the
// upstream closed, FIN or reset, before or after the request went out, with no response byte;
// only for requests that are safe to send twice), or the route's retry policy.
HttpListener::Connection::Outcome HttpListener::Connection::retry_or_fail(const Attempt& a) const {
  if (a.head_sent) return Outcome::failed;
  const RequestHead& req = ctx_->request_parser.head();
  const bool gone = a.failure == Failure::upstream_write || a.failure == Failure::upstream_closed;
  if (gone && !a.got_bytes && a.reused && !has_body(req) && idempotent(req.method))
    return Outcome::retry_fresh;
  if (!a.may_retry) return Outcome::failed;
  const conf::RetryPolicy& p = a.route.retry;
  if ((gone && !a.got_bytes && retries_on_reset(p)) ||
      (a.failure == Failure::upstream_timeout && retries_on_status(p, 504)) ||
      (a.failure == Failure::upstream_invalid && retries_on_status(p, 502)))
    return Outcome::retry_next;
  return Outcome::failed;
}

// The local reply for a failed attempt, or, once the client has part of the response (or is
// gone), the flag and a closed connection: never leave a client guessing where a response ends.
core::Task<void> HttpListener::Connection::answer_failure(Attempt& a) {
  ctx_->out.clear();
  if (cancel_.cancelled()) {
    // Cut at drain_timeout or shutdown: whatever failed, it failed because ringress stopped it.
    exchange_.response_flags = flags::kCancelled;
    close_ = true;
    co_return;
  }
  uint16_t status = 0;
  std::string_view body;
  std::string_view flag = flags::kUpstreamReset;
  Failure f = a.failure;
  if (f == Failure::request_body && body_ == Body::upstream_failed) f = Failure::upstream_closed;
  switch (f) {
    case Failure::none:
    case Failure::upstream_write:
      status = 502;
      body = "upstream reset the connection\n";
      break;
    case Failure::upstream_closed:
      status = 502;
      body = a.got_bytes ? "upstream closed the connection mid-response\n"
                         : "upstream closed the connection before responding\n";
      break;
    case Failure::upstream_timeout:
      status = 504;
      body = "upstream did not respond in time\n";
      flag = flags::kUpstreamTimeout;
      break;
    case Failure::upstream_invalid:
      status = 502;
      body = "upstream sent an invalid response\n";
      flag = flags::kUpstreamProtocolError;
      break;
    case Failure::client_write:
    case Failure::client_gone:
      flag = flags::kDownstreamClosed;
      break;
    case Failure::request_body:
      if (body_ == Body::invalid && !a.head_sent) {
        co_await reply_bad_request(ctx_->request_parser.error_status(),
                                   ctx_->request_parser.error_reason());
        co_return;
      }
      if (body_ == Body::invalid) {
        flag = flags::kBadRequest;
      } else if (body_ == Body::too_large) {
        status = 413;
        body = "request body larger than this route allows\n";
        flag = flags::kBodyTooLarge;
      } else if (body_ == Body::client_timeout) {
        status = 408;
        body = "request body not received in time\n";
        flag = flags::kStreamIdleTimeout;
      } else {
        flag = flags::kDownstreamClosed;
      }
      break;
  }
  if (a.head_sent || status == 0) {
    exchange_.response_flags = flag;
    close_ = true;
    co_return;
  }
  co_await reply(status, body, flag, !request_complete_);
}

}  // namespace ringress::http
