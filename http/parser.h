// HTTP/1.x parsers for downstream requests and upstream responses: llhttp 8.1 in strict mode,
// plus the checks llhttp leaves out (see docs/http-codec.md for every rejected input). The
// common head takes a shorter way in (http/simple_head.h) to the same result.
//
// Pure code, no I/O. The caller feeds each received BufferSlice and acts on one event per call:
//   while ((st = parser.parse(slice, offset)) != ParseStatus::need_more) { ... act on st ... }
// An event may come without consuming bytes (e.g. message_complete right after the last body
// bytes), so keep calling parse() until need_more, also when offset == slice.size().
//
// Memory: header names, values and the target are copied into the caller's Arena (extended
// in place when a field is split across slices); the parser never resets that Arena, the caller
// does, between messages. Body bytes are never copied: body() is a sub-slice of the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/arena.h"
#include "core/buffer_pool.h"
#include "http/chunked_decoder.h"
#include "http/header_map.h"
#include "http/message.h"

struct llhttp__internal_s;  // llhttp_t; llhttp.h stays out of this header

namespace ringress::http {

struct ParseLimits {
  uint32_t max_head_bytes = 60 * 1024;  // start line + header section (and, apart, the trailers)
  uint32_t max_header_count = 100;      // header fields (and, apart, trailer fields)
  uint32_t max_uri_length = 8192;       // request-target
};

enum class ParseStatus { need_more, head, body, message_complete, upgrade, error };

namespace detail {

// The engine shared by RequestParser and ResponseParser: drives llhttp, pausing after each
// event, and checks the raw protocol bytes (start line, header lines, chunk framing, trailers)
// for what llhttp 8.1 accepts but ringress rejects.
class MessageParser {
 public:
  enum class Kind : uint8_t { request, response };

  MessageParser(Kind kind, const ParseLimits& limits, core::Arena& arena, RequestHead* request,
                ResponseHead* response);
  MessageParser(const MessageParser&) = delete;
  MessageParser& operator=(const MessageParser&) = delete;

  ParseStatus parse(const core::BufferSlice& input, uint32_t& offset);
  void resume_after_upgrade();
  void expect_response_to(std::string_view method);
  // Back to the state of a new parser (keeping allocated capacity): for reuse on a new stream.
  void reset();
  ParseStatus finish_on_eof();

  core::BufferSlice& body() { return body_; }
  HeaderMap& trailers() { return trailers_; }
  uint16_t error_status() const { return error_status_; }
  std::string_view error_reason() const { return error_reason_; }
  bool in_message() const { return in_message_; }
  // Off: every head goes through llhttp (for tests that compare the two ways in).
  void set_simple_heads(bool on) { simple_heads_ = on; }

 private:
  // Forgets the previous message's head, trailers and field state.
  void clear_message();
  friend struct Callbacks;
  enum class Phase : uint8_t { head, body, trailers };
  enum class Line : uint8_t { idle, request, status_version, status_code, reason, fields };
  // State of the raw-byte check over the protocol bytes of the current message.
  struct LineCheck {
    Line line = Line::idle;
    bool prev_cr = false;     // the last byte was CR
    bool line_start = false;  // no byte of the current line seen yet
    bool prev_sp = false;     // request line: the last byte was SP
    uint8_t count = 0;        // request line: spaces seen; status line: digits seen
    uint8_t matched = 0;      // request line: bytes of "HTTP/" matched after the second SP
  };

  uint16_t status_for(uint16_t request_status) const {
    return kind_ == Kind::request ? request_status : 502;
  }
  // Both take the status a request gets; a response always gets 502.
  ParseStatus fail(uint16_t request_status, const char* reason);
  int reject(uint16_t request_status, const char* reason);
  const char* scan(const unsigned char* p, const unsigned char* end);
  bool in_request_target(char next) const;
  uint32_t cap_at_target_limit(const char* start, uint32_t len) const;
  uint16_t llhttp_error_status(int err, const char* pos, const char* end) const;
  bool parse_simple_head(const core::BufferSlice& input, uint32_t& offset);
  ParseStatus parse_simple_body(const core::BufferSlice& input, uint32_t& offset);
  ParseStatus parse_chunked(const core::BufferSlice& input, uint32_t& offset);
  bool start_trailers();

  int on_message_begin();
  int on_url(const char* at, std::size_t n);
  int on_status(const char* at, std::size_t n);
  int on_version(const char* at, std::size_t n);
  int on_header_field(const char* at, std::size_t n);
  int on_header_field_complete();
  int on_header_value(const char* at, std::size_t n);
  int on_header_value_complete();
  int on_headers_complete();
  int on_body(const char* at, std::size_t n);
  int on_chunk_header();
  int on_message_complete();

  alignas(8) unsigned char llhttp_storage_[128];  // the llhttp_t (its size is checked in .cc)
  llhttp__internal_s* ll_;
  Kind kind_;
  ParseLimits limits_;
  core::Arena& arena_;
  RequestHead* request_;
  ResponseHead* response_;
  HeaderMap* fields_;      // where header lines go: the head's headers, then the trailers
  HeaderMap trailers_{0};  // rare: grows when a message has trailers
  core::BufferSlice body_;

  // The message being parsed.
  Phase phase_ = Phase::head;
  uint32_t budget_;  // head / trailer bytes still allowed
  // A chunked body is decoded here, not by llhttp (which refuses valid chunk extensions); llhttp
  // gets a plain last-chunk line and then the trailer section.
  bool chunked_body_ = false;
  ChunkedDecoder chunks_;
  uint32_t fields_seen_ = 0;
  bool in_name_ = false;  // inside a header name (else between fields or in a value)
  std::string_view name_, value_, target_, reason_;
  char version_[4] = {};  // "1.1" as received (on_version), for 400 vs 505
  uint8_t version_len_ = 0;
  LineCheck check_;
  bool reset_check_ = false;  // the message ended: reset check_ after scanning this call's bytes

  // The current parse() call.
  ParseStatus event_ = ParseStatus::need_more;
  const char* body_at_ = nullptr;
  std::size_t body_len_ = 0;

  bool in_message_ = false;
  bool upgraded_ = false;  // reported upgrade; waiting for resume_after_upgrade()
  bool failed_ = false;
  bool rejected_ = false;  // a callback rejected the message (error_* already set)
  bool simple_heads_ = true;
  bool simple_body_ = false;  // the message came the simple way: its body is counted here
  uint64_t simple_left_ = 0;  // body bytes still to come
  // llhttp parsed a message that ends the connection: the bytes after it are llhttp's to refuse.
  bool closing_ = false;
  uint16_t head_connection_flags_ = 0;  // llhttp's keep-alive flags as the head left them
  bool head_request_ = false;           // response parser: answering HEAD
  bool connect_request_ = false;        // response parser: answering CONNECT
  uint16_t error_status_ = 0;
  const char* error_reason_ = "";
};

}  // namespace detail

// One per downstream connection.
class RequestParser {
 public:
  RequestParser(const ParseLimits& limits, core::Arena& arena)
      : core_(detail::MessageParser::Kind::request, limits, arena, &head_, nullptr) {}

  // Parses `input` from `offset`, stops right after the first event and advances `offset` past
  // the bytes consumed.
  //  need_more: all of input consumed without an event.
  //  head: a request head is complete (valid until the next message starts).
  //  body: body() holds the next body bytes (a sub-slice of input, de-chunked; zero copy).
  //  message_complete: the request ended (trailers() holds trailers, if any).
  //  upgrade: the head of an upgrade request (head().upgrade, CONNECT included) was reported and
  //    the request is over (no message_complete for it): the bytes from `offset` on are not
  //    HTTP. To refuse the upgrade and go on as HTTP, call resume_after_upgrade().
  //  error: error_status() (400, 414, 431, 501, 505) and error_reason(); close afterwards.
  ParseStatus parse(const core::BufferSlice& input, uint32_t& offset) {
    return core_.parse(input, offset);
  }
  RequestHead& head() { return head_; }
  core::BufferSlice& body() { return core_.body(); }
  HeaderMap& trailers() { return core_.trailers(); }
  uint16_t error_status() const { return core_.error_status(); }
  std::string_view error_reason() const { return core_.error_reason(); }
  void resume_after_upgrade() { core_.resume_after_upgrade(); }
  // Some bytes of a message were consumed and it is not complete yet.
  bool in_message() const { return core_.in_message(); }
  // Forgets everything (another connection, between messages), keeping allocated capacity.
  void reset() { core_.reset(); }
  // Every head through llhttp, none the simple way (http/simple_head.h): for tests comparing them.
  void llhttp_only() { core_.set_simple_heads(false); }

 private:
  RequestHead head_;
  detail::MessageParser core_;
};

// One per upstream connection.
class ResponseParser {
 public:
  ResponseParser(const ParseLimits& limits, core::Arena& arena)
      : core_(detail::MessageParser::Kind::response, limits, arena, nullptr, &head_) {}

  // Call before each response: HEAD gets no body, a 2xx to CONNECT is a tunnel. It holds
  // across 1xx responses until the next call.
  void expect_response_to(std::string_view method) { core_.expect_response_to(method); }
  // Forgets everything (a new upstream connection or exchange), keeping allocated capacity.
  void reset() { core_.reset(); }
  void llhttp_only() { core_.set_simple_heads(false); }
  // Same contract as RequestParser::parse. A 1xx other than 101 is reported as head +
  // message_complete, then the real response follows. 101 (and a 2xx to CONNECT) is head +
  // upgrade. error_status() is 502 for any malformed response.
  ParseStatus parse(const core::BufferSlice& input, uint32_t& offset) {
    return core_.parse(input, offset);
  }
  ResponseHead& head() { return head_; }
  core::BufferSlice& body() { return core_.body(); }
  HeaderMap& trailers() { return core_.trailers(); }
  uint16_t error_status() const { return core_.error_status(); }
  std::string_view error_reason() const { return core_.error_reason(); }
  bool in_message() const { return core_.in_message(); }
  // The upstream closed. message_complete if that legally ended a response whose body runs to
  // the connection close (no Content-Length, not chunked); else error (502), also when no
  // response had started.
  ParseStatus finish_on_eof() { return core_.finish_on_eof(); }

 private:
  ResponseHead head_;
  detail::MessageParser core_;
};

}  // namespace ringress::http
