#include "http/chunked_decoder.h"

#include "core/hex_digit.h"
#include "http/header_map.h"

namespace ringress::http {
namespace {

bool is_ws(unsigned char c) { return c == ' ' || c == '\t'; }
bool is_ctl(unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }

// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (RFC 9110 §5.6.4)
bool is_qdtext(unsigned char c) {
  return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
         (c >= 0x5d && c <= 0x7e) || c >= 0x80;
}

// What may follow a backslash in a quoted-pair: HTAB / SP / VCHAR / obs-text.
bool is_escapable(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

// Why a byte cannot continue a chunk extension (a CR: the line ends where it may not).
const char* extension_error(unsigned char c) {
  if (c == '\n') return "bare LF as line terminator";
  if (is_ctl(c) && c != '\r') return "control character";
  return "Invalid character in chunk extensions";
}

}  // namespace

ChunkedDecoder::Result ChunkedDecoder::fail(const char* why, std::size_t consumed) {
  state_ = State::failed;
  error_ = why;
  return {Status::error, consumed, 0};
}

ChunkedDecoder::Result ChunkedDecoder::decode(const char* begin, const char* end) {
  if (state_ == State::failed) return {Status::error, 0, 0};
  if (state_ == State::done) return {Status::last_chunk, 0, 0};
  const char* p = begin;
  while (p < end) {
    if (state_ == State::data) {
      const auto n =
          static_cast<std::size_t>(uint64_t(end - p) < size_ ? uint64_t(end - p) : size_);
      p += n;
      size_ -= n;
      if (size_ == 0) state_ = State::data_cr;
      framing_ = 0;
      return {Status::data, std::size_t(p - begin), n};
    }
    const auto c = static_cast<unsigned char>(*p);
    const auto at = std::size_t(p - begin);
    if (++framing_ > kMaxFraming) return fail("chunk size line too long", at);
    ++p;
    switch (state_) {
      case State::size_first: {
        const int v = core::hex_digit(c);
        if (v < 0) return fail("Invalid character in chunk size", at);
        size_ = uint64_t(v);
        state_ = State::size;
        break;
      }
      case State::size:
        if (const int v = core::hex_digit(c); v >= 0) {
          if (size_ >> 60) return fail("Chunk size overflow", at);
          size_ = size_ << 4 | uint64_t(v);
        } else if (c == ';') {
          state_ = State::ext_start;
        } else if (is_ws(c)) {
          state_ = State::size_bws;
        } else if (c == '\r') {
          state_ = State::line_lf;
        } else {
          return fail("Invalid character in chunk size", at);
        }
        break;
      case State::size_bws:
        if (c == ';')
          state_ = State::ext_start;
        else if (!is_ws(c))
          return fail("Invalid character in chunk size", at);
        break;
      case State::ext_start:
        if (is_tchar(char(c)))
          state_ = State::ext_name;
        else if (!is_ws(c))
          return fail(extension_error(c), at);
        break;
      case State::ext_name:
        if (is_tchar(char(c))) break;
        if (c == '=')
          state_ = State::ext_value_bws;
        else if (c == ';')
          state_ = State::ext_start;
        else if (is_ws(c))
          state_ = State::ext_name_bws;
        else if (c == '\r')
          state_ = State::line_lf;
        else
          return fail(extension_error(c), at);
        break;
      case State::ext_name_bws:
        if (c == '=')
          state_ = State::ext_value_bws;
        else if (c == ';')
          state_ = State::ext_start;
        else if (!is_ws(c))
          return fail(extension_error(c), at);
        break;
      case State::ext_value_bws:
        if (is_tchar(char(c)))
          state_ = State::ext_token;
        else if (c == '"')
          state_ = State::ext_quoted;
        else if (!is_ws(c))
          return fail(extension_error(c), at);
        break;
      case State::ext_token:
        if (is_tchar(char(c))) break;
        [[fallthrough]];
      case State::ext_end:
        if (c == ';')
          state_ = State::ext_start;
        else if (is_ws(c))
          state_ = State::ext_end_bws;
        else if (c == '\r')
          state_ = State::line_lf;
        else
          return fail(extension_error(c), at);
        break;
      case State::ext_end_bws:
        if (c == ';')
          state_ = State::ext_start;
        else if (!is_ws(c))
          return fail(extension_error(c), at);
        break;
      case State::ext_quoted:
        if (c == '"')
          state_ = State::ext_end;
        else if (c == '\\')
          state_ = State::ext_escape;
        else if (c == '\r' || c == '\n')
          return fail("unterminated quoted-string in chunk extension", at);
        else if (!is_qdtext(c))
          return fail(extension_error(c), at);
        break;
      case State::ext_escape:
        if (c == '\r' || c == '\n')
          return fail("unterminated quoted-string in chunk extension", at);
        if (!is_escapable(c)) return fail(extension_error(c), at);
        state_ = State::ext_quoted;
        break;
      case State::line_lf:
        if (c != '\n') return fail("CR not followed by LF", at);
        if (size_ == 0) {
          state_ = State::done;
          return {Status::last_chunk, std::size_t(p - begin), 0};
        }
        state_ = State::data;
        break;
      case State::data_cr:
        if (c != '\r') return fail("Expected CRLF after chunk", at);
        state_ = State::data_lf;
        break;
      case State::data_lf:
        if (c != '\n') return fail("Expected CRLF after chunk", at);
        state_ = State::size_first;
        break;
      case State::data:
      case State::done:
      case State::failed:
        break;
    }
  }
  return {Status::need_more, std::size_t(p - begin), 0};
}

}  // namespace ringress::http
