// A test HTTP client over one blocking socket: sends raw bytes (so a test can send anything,
// malformed or pipelined) and reads responses with the strict parser of http_message.h. Bytes
// that arrive after a response stay buffered for the next read, or for raw reads after a 101.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/http_message.h"
#include "tests/support/net.h"

namespace ringress::test {

// How HttpClient::read_response reads one response.
struct ResponseReadOptions {
  bool head_request = false;          // the response answers a HEAD: no body
  bool keep_interim = false;          // return 1xx responses instead of skipping them
  MessageParser::BodySink body_sink;  // decoded body bytes go here instead of into body
};

class HttpClient {
 public:
  using ReadOptions = ResponseReadOptions;

  HttpClient() = default;
  // Connects to 127.0.0.1:`port`; connected() tells whether that worked (errno says why not).
  explicit HttpClient(uint16_t port, Deadline deadline = deadline_in(std::chrono::seconds(5)));

  bool connected() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

  IoResult send(std::string_view bytes, Deadline deadline);
  // The next response. On failure its error says why ("timeout ...", "connection closed
  // before a message", a parse error), with what had been parsed kept. 1xx responses are
  // skipped (their statuses go to interim()) unless options.keep_interim.
  HttpMessage read_response(Deadline deadline, const ReadOptions& options = {});
  // send() then read_response().
  HttpMessage round_trip(std::string_view request, Deadline deadline,
                         const ReadOptions& options = {});

  // Statuses of the 1xx responses skipped so far.
  const std::vector<int>& interim() const { return interim_; }
  // Bytes received and not yet part of a response (tunnel data after a 101, say).
  std::string take_buffered();
  // Exactly `size` more raw bytes (buffered ones first), appended to `out`.
  IoResult recv_raw(std::string& out, size_t size, Deadline deadline);
  // Waits until the proxy closes the connection (EOF or RST); any bytes that come first,
  // buffered ones included, are appended to `extra` if given and counted in the result.
  IoResult wait_closed(Deadline deadline, std::string* extra = nullptr);

 private:
  Fd fd_;
  MessageParser parser_{MessageParser::Kind::response};
  std::string pending_;
  bool eof_ = false;
  std::vector<int> interim_;
};

}  // namespace ringress::test
