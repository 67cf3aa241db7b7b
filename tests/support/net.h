// Plain blocking-socket helpers for tests, all on 127.0.0.1. Every call that can wait takes a
// Deadline, so a misbehaving proxy makes a test fail instead of hang. Sends use MSG_NOSIGNAL so
// a peer that closed early shows up as an error, not as SIGPIPE killing the test process.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace ringress::test {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

inline Deadline deadline_in(Clock::duration d) { return Clock::now() + d; }

// Sole owner of a file descriptor (move-only).
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

// How an I/O helper ended, and how many bytes it moved before that.
struct IoResult {
  enum Status { kOk, kEof, kReset, kTimeout, kError };
  Status status = kOk;
  size_t bytes = 0;
  int error = 0;  // errno, for kReset and kError

  bool ok() const { return status == kOk; }
  // "ok", "eof", "timeout", "reset (Connection reset by peer)", ...
  std::string describe() const;
};

// A port on 127.0.0.1 that nothing listens on right now (bind port 0, read it, close). Another
// process could take it before the test does; that race is accepted.
uint16_t free_port();

// A listening socket on 127.0.0.1:`port` (0 = ephemeral). Invalid Fd on failure.
Fd listen_tcp(uint16_t port, int backlog = 4096);
uint16_t local_port(int fd);

// A connected socket to 127.0.0.1:`port`, or an invalid Fd with errno set (ECONNREFUSED,
// ETIMEDOUT when the deadline passed, ...). The socket stays in blocking mode.
Fd connect_tcp(uint16_t port, Deadline deadline);
// The same from the local address `source` (another loopback address such as "127.0.0.2", so
// that many connections do not run out of ephemeral ports: the port is picked per address).
Fd connect_tcp_from(const char* source, uint16_t port, Deadline deadline);

// Waits until `events` (POLLIN/POLLOUT) are ready on `fd` or the deadline passes. Returns the
// poll revents, or 0 on timeout.
short wait_ready(int fd, short events, Deadline deadline);

IoResult send_all(int fd, const void* data, size_t size, Deadline deadline);
inline IoResult send_all(int fd, const std::string& data, Deadline deadline) {
  return send_all(fd, data.data(), data.size(), deadline);
}
// Receives exactly `size` bytes (kOk), or fewer and the reason.
IoResult recv_exact(int fd, void* data, size_t size, Deadline deadline);
// Receives whatever is there (at least one byte, up to `capacity`) once `fd` is readable.
IoResult recv_some(int fd, void* data, size_t capacity, Deadline deadline);
// Appends everything to `out` until the peer closes (kEof or kReset) or `max` bytes arrived
// (kError, EMSGSIZE) or the deadline passed (kTimeout).
IoResult recv_until_closed(int fd, std::string& out, size_t max, Deadline deadline);

// True once the peer's close is visible: EOF or ECONNRESET. Any bytes that arrive first are
// counted in the result (a test usually expects none). kTimeout when nothing closed in time.
IoResult wait_closed(int fd, Deadline deadline);

void shutdown_write(int fd);
// Makes the next close() send RST instead of FIN (SO_LINGER with a zero timeout).
void set_linger_zero(int fd);

// Sets this process's RLIMIT_NOFILE soft limit to `soft` (capped at the hard limit); children
// started afterwards inherit it. Returns the soft limit now in force.
rlim_t set_nofile_limit(rlim_t soft);

}  // namespace ringress::test
