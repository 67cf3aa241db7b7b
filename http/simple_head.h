// The common HTTP/1.1 head, read in one pass without llhttp: a known method, an origin-form
// target, `HTTP/1.1`, token field names, printable-ASCII values, CRLF everywhere, at most one
// Content-Length and no Transfer-Encoding (a response: a 2xx-5xx status and a printable reason).
// That is nearly every head a proxy sees, and reading it here costs a fraction of llhttp's
// callbacks plus the raw-byte scan.
//
// Anything else is declined, never rejected: the caller then gives the same bytes to llhttp, which
// parses and judges them as if this path did not exist. So what this path accepts must be a
// subset of what the llhttp path accepts, read to the same result; the parser fuzz targets run
// both on every input and compare (docs/http-codec.md, "Two ways in").
#pragma once

#include <cstdint>
#include <string_view>

#include "http/field_names.h"
#include "http/header_map.h"

namespace ringress::http::detail {

// What the head checks (http/parser.cc) need from the fields, gathered in one pass: by the
// simple path as it reads them, by the parser after llhttp.
struct FieldSurvey {
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t host = kNone;  // index of the first Host field
  uint32_t hosts = 0;
  uint32_t content_lengths = 0;
  bool transfer_encoding = false;
  bool connection = false;
  uint32_t expect = kNone;  // index of the first Expect field

  // Field number `index` is of kind `k`.
  void count(KnownField k, uint32_t index) {
    switch (k) {
      case KnownField::host:
        if (hosts++ == 0) host = index;
        break;
      case KnownField::content_length:
        ++content_lengths;
        break;
      case KnownField::transfer_encoding:
        transfer_encoding = true;
        break;
      case KnownField::connection:
        connection = true;
        break;
      case KnownField::expect:
        if (expect == kNone) expect = index;
        break;
      default:
        break;
    }
  }
};

// The start line and framing of a simple head. Views point into the bytes parsed.
struct SimpleHead {
  std::string_view method;  // request: a static string, e.g. "GET"
  std::string_view target;  // request: origin-form
  uint16_t status = 0;      // response: 200-599
  std::string_view reason;  // response: as received (may be empty)
  bool has_content_length = false;
  uint64_t content_length = 0;
  uint32_t length = 0;  // bytes of the head, its final empty line included
  FieldSurvey survey;   // of the fields read (appended to a map that was empty)
};

struct SimpleHeadLimits {
  uint32_t max_head_bytes;  // a longer head is declined
  uint32_t max_fields;
  uint32_t max_target;  // request-target bytes
};

// Reads a whole head from [p, p + len) into `head` and `fields` (appended; views into p). False
// when the bytes are not a whole simple head; `fields` may then hold some of them.
bool parse_simple_request_head(const char* p, uint32_t len, const SimpleHeadLimits& limits,
                               SimpleHead& head, HeaderMap& fields);
bool parse_simple_response_head(const char* p, uint32_t len, const SimpleHeadLimits& limits,
                                SimpleHead& head, HeaderMap& fields);

}  // namespace ringress::http::detail
