#include "core/socket.h"

#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ringress::core {

void Socket::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Socket listen_tcp(const SocketAddress& address, int backlog, bool reuse_port, std::string& error) {
  Socket s(::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) {
    error = std::string("socket: ") + std::strerror(errno);
    return {};
  }
  int one = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (reuse_port && ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    error = std::string("SO_REUSEPORT: ") + std::strerror(errno);
    return {};
  }
  if (::bind(s.fd(), address.get(), address.size()) != 0) {
    error = "bind " + address.to_string() + ": " + std::strerror(errno);
    return {};
  }
  if (::listen(s.fd(), backlog) != 0) {
    error = "listen " + address.to_string() + ": " + std::strerror(errno);
    return {};
  }
  return s;
}

Socket tcp_socket(int family) { return Socket(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)); }

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

SocketAddress local_address(int fd) {
  SocketAddress a;
  *a.size_mut() = sizeof(sockaddr_storage);
  if (::getsockname(fd, a.get_mut(), a.size_mut()) != 0) return {};
  return a;
}

}  // namespace ringress::core
