// A test peer scripted step by step over one TCP connection: read a head, read so many body
// bytes, send part of a message, then end with FIN or RST at the exact point a test is about.
// HttpUpstream answers whole requests; this is for the fault phases in between. ScriptedUpstream
// runs one script per accepted connection.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "tests/support/net.h"
#include "tests/support/tcp_server.h"

namespace ringress::test {

class RawConnection {
 public:
  // `fd` stays owned by the caller; every wait ends at `deadline` at the latest.
  RawConnection(int fd, Deadline deadline) : fd_(fd), deadline_(deadline) {}

  int fd() const { return fd_; }
  // The next message head, through its empty line; bytes after it stay buffered for the next
  // read. nullopt if the peer closed or the deadline passed first (last() says which).
  std::optional<std::string> read_head();
  // Exactly `size` more bytes (buffered ones first), appended to `out` if given.
  IoResult read_exact(size_t size, std::string* out = nullptr);
  // Reads and drops bytes until the peer closes; the result counts them (buffered ones too).
  IoResult read_until_closed();
  IoResult send(std::string_view bytes);
  // Ends with FIN: shuts down the write side, then reads and drops until the peer closes, so
  // that closing the socket afterwards sends no RST for unread bytes.
  IoResult fin();
  // Ends with RST: the close of the socket that follows sends a reset (SO_LINGER 0).
  void reset() { set_linger_zero(fd_); }
  // How the last read that returned nullopt ended.
  const IoResult& last() const { return last_; }

 private:
  int fd_;
  Deadline deadline_;
  std::string buffered_;
  IoResult last_;
};

// The request target of a request head ("" if the request line is malformed).
std::string head_target(std::string_view head);
// The Content-Length value of a head (first field, any case), or nullopt.
std::optional<uint64_t> head_content_length(std::string_view head);

// A TcpServer whose connections each run `script` with a RawConnection (deadline: 60 s, cut
// short by stop()) and the connection's number, 0, 1, ... in the order the scripts start (the
// accept order when connections come one at a time). The socket is closed when the script
// returns (with a reset if the script called reset()).
class ScriptedUpstream {
 public:
  using Script = std::function<void(size_t connection, RawConnection& c)>;

  explicit ScriptedUpstream(Script script);
  ~ScriptedUpstream() { stop(); }

  uint16_t port() const { return server_.port(); }
  size_t accepted() const { return server_.accepted(); }
  bool wait_accepted(size_t n, Deadline deadline) const {
    return server_.wait_accepted(n, deadline);
  }
  void stop() { server_.stop(); }

 private:
  Script script_;
  std::atomic<size_t> next_{0};
  TcpServer server_;  // last: its threads use the members above
};

}  // namespace ringress::test
