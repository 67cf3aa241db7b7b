// Answers ringress writes itself: errors, direct responses, redirects. Every one goes through
// reply(), so every one passes the response filters, is counted and logged by finish().
#include "core/log.h"
#include "http/connection.h"
#include "http/header_mutations.h"
#include "http/serializer.h"
#include "http/status.h"

namespace ringress::http {

core::Task<void> HttpListener::Connection::reply(uint16_t status, std::string_view body,
                                                 std::string_view why, bool close,
                                                 std::string_view location,
                                                 std::string_view content_type) {
  if (close || l_.draining_) close_ = true;
  HeaderMap& headers = ctx_->reply_headers;
  headers.clear();
  if (!location.empty()) headers.add("Location", location);
  if (!body.empty()) headers.add("Content-Type", content_type);
  headers.add("Content-Length", decimal_in(ctx_->arena, body.size()));
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
  int rc = co_await flush_to_client();
  exchange_.response_headers = nullptr;
  if (rc < 0) close_ = true;
}

// A request the codec rejected (400, 413, 414, 431, 501, 505): the reason goes to the client
// and to the log; the connection closes, since its framing can no longer be trusted.
core::Task<void> HttpListener::Connection::reply_bad_request(uint16_t status,
                                                             std::string_view reason) {
  RLOG_INFO("listener %s: %s:%u: bad request (%u): %.*s", l_.listener_.name.c_str(),
            client_ip_.c_str(), client_port_, static_cast<unsigned>(status),
            static_cast<int>(reason.size()), reason.data());
  std::string_view body = ctx_->arena.extend(ctx_->arena.copy(reason), "\n");
  co_await reply(status, body, flags::kBadRequest, true);
}

core::Task<int> HttpListener::Connection::flush_to_client() {
  int rc = co_await ctx_->out.flush(*down_, deadline_or_none(l_.settings_.idle_timeout));
  co_return rc;
}

}  // namespace ringress::http
