// The parsed heads of HTTP/1.x requests and responses. Views point into the Arena given to the
// parser (or into static strings) and stay valid until that Arena is reset; the parser clears a
// head when the next message starts.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/header_map.h"

namespace ringress::http {

struct RequestHead {
  std::string_view method;  // a method llhttp knows, e.g. "GET" (static string)
  std::string_view target;  // request-target as received
  std::string_view path;    // up to '?' ("*" for OPTIONS *, "" for CONNECT)
  std::string_view query;   // after '?', without it ("" if none)
  // The target to send upstream: path[?query]. Equals `target` except for absolute-form, where
  // it is the part after the authority ("/" if that part is empty or starts with '?').
  std::string_view origin_target;
  uint8_t version_minor = 1;  // HTTP/1.0 or HTTP/1.1
  HeaderMap headers;          // as received, in order, original case
  // The Host value, or the authority of an absolute-form / CONNECT target (which then must equal
  // the Host header). "" if absent (only legal for HTTP/1.0).
  std::string_view host;
  bool keep_alive = true;  // llhttp_should_keep_alive (HTTP/1.0 keep-alive honoured)
  bool chunked = false;    // Transfer-Encoding: chunked (the only coding accepted)
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool upgrade =
      false;  // CONNECT, or Connection: upgrade + Upgrade on a body-less HTTP/1.1 request
  bool expect_continue = false;  // Expect: 100-continue (HTTP/1.1 only)
  bool absolute_form = false;    // the target was absolute-form (http://host/path)

  void clear();
};

struct ResponseHead {
  uint16_t status = 0;
  std::string_view reason;  // as received (may be empty)
  uint8_t version_minor = 1;
  HeaderMap headers;
  bool keep_alive = true;  // false also for a body that ends at connection close
  bool chunked = false;    // the body is chunked (never set when no_body)
  bool has_content_length = false;
  uint64_t content_length = 0;  // as received; for HEAD/304 it describes the absent body
  bool upgrade = false;         // 101 Switching Protocols, or a 2xx answer to CONNECT
  // No body follows, whatever the framing headers say: the answer to HEAD, 1xx, 204, 304, and a
  // 2xx answer to CONNECT (a tunnel follows instead).
  bool no_body = false;

  void clear();
};

inline void RequestHead::clear() {
  method = target = path = query = origin_target = host = {};
  version_minor = 1;
  headers.clear();
  keep_alive = true;
  chunked = has_content_length = upgrade = expect_continue = absolute_form = false;
  content_length = 0;
}

inline void ResponseHead::clear() {
  status = 0;
  reason = {};
  version_minor = 1;
  headers.clear();
  keep_alive = true;
  chunked = has_content_length = upgrade = no_body = false;
  content_length = 0;
}

}  // namespace ringress::http
