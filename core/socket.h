// Socket: sole owner of a file descriptor (move-only), plus the few socket set-up calls made
// outside the ring: creating listening and client sockets and setting options.
#pragma once

#include <string>
#include <utility>

#include "core/socket_address.h"

namespace ringress::core {

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Socket& operator=(Socket&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { reset(); }

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset();

 private:
  int fd_ = -1;
};

// A listening TCP socket with SO_REUSEADDR and, when `reuse_port`, SO_REUSEPORT (one per
// worker). On failure returns an invalid Socket and fills `error`.
Socket listen_tcp(const SocketAddress& address, int backlog, bool reuse_port, std::string& error);
// An unconnected TCP socket for `family`; invalid on failure (errno kept).
Socket tcp_socket(int family);
void set_nodelay(int fd);
// The local address a socket is bound to (e.g. to learn an ephemeral port).
SocketAddress local_address(int fd);

}  // namespace ringress::core
