// Helpers for core tests: connected loopback TCP socket pairs.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "core/socket.h"

namespace ringress::core::testing {

inline SocketAddress loopback_any_port() {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return SocketAddress(reinterpret_cast<sockaddr*>(&a), sizeof(a));
}

// Two ends of a TCP connection over 127.0.0.1 (blocking sockets, made without the ring).
inline std::pair<Socket, Socket> tcp_pair() {
  std::string error;
  Socket listener = listen_tcp(loopback_any_port(), 16, false, error);
  SocketAddress addr = local_address(listener.fd());
  Socket client = tcp_socket(AF_INET);
  if (::connect(client.fd(), addr.get(), addr.size()) != 0) return {};
  Socket server(::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC));
  return {std::move(client), std::move(server)};
}

// Writes all of `data` with a blocking send.
inline bool send_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

inline void set_timeouts(int fd, int ms) {
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

}  // namespace ringress::core::testing
