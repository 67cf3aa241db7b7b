// HTTP/1.1 messages as the test side sees them, and a strict incremental parser for them, used
// both by the test client (responses) and by the test upstream (requests). Headers keep their
// order and the case they arrived in, so tests can assert exactly what crossed the wire. The
// parser refuses what a correct proxy never sends (bare LF, obs-fold, Content-Length with
// Transfer-Encoding, bad chunk lines), so "the peer saw valid framing" is a checkable fact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/digest.h"

namespace ringress::test {

// Header fields in arrival order, with their original case.
struct HeaderList {
  std::vector<std::pair<std::string, std::string>> fields;

  // The value of the first field named `name` (compared without case), if any.
  std::optional<std::string> get(std::string_view name) const;
  // How many fields are named `name` (any case).
  size_t count(std::string_view name) const;
  // True if a field named `name` lists `token` among its comma-separated elements (any case).
  bool has_token(std::string_view name, std::string_view token) const;
  // "Name: value" lines, for failure messages.
  std::string describe() const;
};

bool iequals(std::string_view a, std::string_view b);

struct HttpMessage {
  enum class Framing { none, content_length, chunked, until_close };

  // Empty when the message arrived complete and well-formed; else why not. The fields below
  // hold whatever was parsed before the failure.
  std::string error;
  std::string method, target;  // requests
  int status = 0;              // responses
  std::string reason;          // responses
  std::string version;         // "HTTP/1.1"
  HeaderList headers;
  std::string head;  // the raw head, start line to the empty line included
  Framing framing = Framing::none;
  std::string body;        // the decoded body, up to the parser's storage limit
  uint64_t body_size = 0;  // the decoded body's full size
  uint64_t body_digest = 0;
  size_t chunks = 0;  // data chunks, for chunked framing
  HeaderList trailers;

  bool ok() const { return error.empty(); }
  std::optional<std::string> header(std::string_view name) const { return headers.get(name); }
  // Start line, headers and the start of the body, for failure messages.
  std::string describe() const;
};

class MessageParser {
 public:
  enum class Kind { request, response };
  using BodySink = std::function<void(const char*, size_t)>;

  explicit MessageParser(Kind kind, size_t max_stored_body = 16 << 20);

  // Responses only: the next response answers a HEAD request, so it has no body.
  void set_head_request(bool head) { head_request_ = head; }
  // Decoded body bytes go to `sink` instead of HttpMessage::body (size and digest are kept).
  void set_body_sink(BodySink sink) { sink_ = std::move(sink); }

  // Consumes bytes of the current message and stops at its end (or at an error): returns how
  // many of `size` it took. The rest belongs to the next message.
  size_t feed(const char* data, size_t size);
  // The peer closed: completes a body delimited by the close; fails any other partial message.
  void feed_eof();

  bool done() const { return state_ == State::done || state_ == State::failed; }
  // True once a byte of the current message has arrived.
  bool started() const { return state_ != State::head || !head_.empty(); }
  // The finished message; the parser is then ready for the next one (head_request resets).
  HttpMessage take();

 private:
  enum class State { head, body, done, failed };
  enum class Chunk { size_line, data, data_crlf, trailers };

  void fail(std::string why);
  void parse_head();
  bool parse_start_line(std::string_view line);
  void choose_framing();
  size_t feed_body(const char* data, size_t size);
  size_t feed_chunked(const char* data, size_t size);
  // Collects one CRLF-terminated line into line_; returns bytes used and sets *complete.
  size_t take_line(const char* data, size_t size, bool* complete);
  void emit(const char* data, size_t size);

  Kind kind_;
  size_t max_stored_body_;
  bool head_request_ = false;
  BodySink sink_;
  State state_ = State::head;
  Chunk chunk_ = Chunk::size_line;
  std::string head_;
  std::string line_;
  uint64_t remaining_ = 0;
  Digest digest_;
  HttpMessage msg_;
};

// The bytes of a request with exactly these header fields (nothing is added).
std::string request_bytes(std::string_view method, std::string_view target,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          std::string_view body = {}, std::string_view version = "HTTP/1.1");
// "GET <target> HTTP/1.1" with just a Host field.
std::string get_request(std::string_view target, std::string_view host = "test.local");
// A WebSocket handshake for `target` (Host ws.example, RFC 6455's sample key).
std::string websocket_handshake(std::string_view target);
// The bytes of a response with these header fields; Content-Length is added unless
// `add_content_length` is false.
std::string response_bytes(int status, std::string_view reason,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string_view body, bool add_content_length = true);
// 200 OK with Content-Length and `body`.
std::string ok_response(std::string_view body,
                        const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace ringress::test
