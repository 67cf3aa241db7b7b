// The request body, client -> upstream, beside the response relay: parsed (de-chunked) from the
// client's bytes and framed again for the upstream as the client framed it (Content-Length as
// is, chunked re-chunked). Backpressure is the loop itself: read, then send.
#include <cerrno>

#include "http/connection.h"

namespace ringress::http {

core::Task<void> HttpListener::Connection::pump_request_body(lb::UpstreamConnection& up,
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
        end_body(Body::too_large, up);
        co_return;
      }
      for (auto& f : l_.filters_) f->on_request_body(exchange_, b);
      ctx_->up_out.append_body(std::move(b), chunked);
      if (ctx_->up_out.bytes() < kBatchBytes) continue;
    } else if (st == ParseStatus::message_complete || st == ParseStatus::upgrade) {
      if (chunked) ctx_->up_out.append_last_chunk(ctx_->request_parser.trailers());
      int rc = co_await ctx_->up_out.flush(up.stream(), deadline_or_none(route.idle_timeout));
      if (body_ == Body::abandoned) co_return;
      request_complete_ = true;
      body_done_at_ = core::Clock::now();
      end_body(rc < 0 ? Body::upstream_failed : Body::done, up);
      co_return;
    } else if (st == ParseStatus::error) {
      end_body(Body::invalid, up);
      co_return;
    }
    // Bytes that already arrived join this send; only then flush and wait for more.
    if (core::BufferSlice more = down_->try_read(); !more.empty()) {
      in_ = std::move(more);
      in_off_ = 0;
      continue;
    }
    int rc = co_await ctx_->up_out.flush(up.stream(), deadline_or_none(route.idle_timeout));
    if (body_ == Body::abandoned) co_return;
    if (rc < 0) {
      end_body(Body::upstream_failed, up);
      co_return;
    }
    in_.reset();
    in_off_ = 0;
    core::ReadResult r = co_await down_->read(deadline_or_none(route.idle_timeout));
    if (body_ == Body::abandoned) co_return;
    if (r.error == -EAGAIN) continue;
    if (r.error == -ETIMEDOUT) {
      end_body(Body::client_timeout, up);
      co_return;
    }
    if (r.error < 0 || r.eof()) {
      end_body(Body::client_closed, up);
      co_return;
    }
    in_ = std::move(r.data);
    in_off_ = 0;
  }
}

void HttpListener::Connection::end_body(Body how, lb::UpstreamConnection& up) {
  body_ = how;
  if (how == Body::done) {
    up.stream().interrupt_read();  // the response reader re-arms with the route timeout
  } else if (how != Body::upstream_failed) {
    // The client's side failed: the upstream request cannot complete, and the client
    // connection's framing is lost.
    close_ = true;
    up.stream().cancel();
  }
}

}  // namespace ringress::http
