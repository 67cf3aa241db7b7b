#include "tests/support/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

namespace ringress::test {

namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

int remaining_ms(Deadline deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
}

IoResult io_error(IoResult::Status status, size_t bytes, int error) {
  IoResult r;
  r.status = status;
  r.bytes = bytes;
  r.error = error;
  return r;
}

// Maps a failed send/recv errno to a status; EAGAIN is not a failure and is handled by callers.
IoResult failed(size_t bytes, int error) {
  bool reset = error == ECONNRESET || error == EPIPE;
  return io_error(reset ? IoResult::kReset : IoResult::kError, bytes, error);
}

}  // namespace

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string IoResult::describe() const {
  std::string s;
  switch (status) {
    case kOk:
      s = "ok";
      break;
    case kEof:
      s = "eof";
      break;
    case kReset:
      s = "reset";
      break;
    case kTimeout:
      s = "timeout";
      break;
    case kError:
      s = "error";
      break;
  }
  if (error != 0) s += std::string(" (") + strerror(error) + ")";
  return s + " after " + std::to_string(bytes) + " bytes";
}

uint16_t free_port() {
  Fd fd = listen_tcp(0, 1);
  return fd.valid() ? local_port(fd.get()) : 0;
}

Fd listen_tcp(uint16_t port, int backlog) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = loopback(port);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd.get(), backlog) != 0) {
    int saved = errno;
    fd.reset();
    errno = saved;
  }
  return fd;
}

uint16_t local_port(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  return ntohs(addr.sin_port);
}

Fd connect_tcp(uint16_t port, Deadline deadline) {
  return connect_tcp_from(nullptr, port, deadline);
}

Fd connect_tcp_from(const char* source, uint16_t port, Deadline deadline) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return fd;
  if (source != nullptr) {
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    int bind_error = 0;
    if (::inet_pton(AF_INET, source, &local.sin_addr) != 1)
      bind_error = EINVAL;
    else if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
      bind_error = errno;
    if (bind_error != 0) {
      fd.reset();
      errno = bind_error;
      return fd;
    }
  }
  sockaddr_in addr = loopback(port);
  int error = 0;
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      if (wait_ready(fd.get(), POLLOUT, deadline) == 0) {
        error = ETIMEDOUT;
      } else {
        socklen_t len = sizeof error;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len);
      }
    }
  }
  if (error != 0) {
    fd.reset();
    errno = error;
    return fd;
  }
  int flags = ::fcntl(fd.get(), F_GETFL);
  ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

short wait_ready(int fd, short events, Deadline deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return p.revents;
    if (n == 0 || errno != EINTR) return 0;
  }
}

IoResult send_all(int fd, const void* data, size_t size, Deadline deadline) {
  const char* p = static_cast<const char*>(data);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::send(fd, p + done, size - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return failed(done, errno);
    if (wait_ready(fd, POLLOUT, deadline) == 0) return io_error(IoResult::kTimeout, done, 0);
  }
  return io_error(IoResult::kOk, done, 0);
}

IoResult recv_exact(int fd, void* data, size_t size, Deadline deadline) {
  char* p = static_cast<char*>(data);
  size_t done = 0;
  while (done < size) {
    IoResult r = recv_some(fd, p + done, size - done, deadline);
    done += r.bytes;
    if (!r.ok()) return io_error(r.status, done, r.error);
  }
  return io_error(IoResult::kOk, done, 0);
}

IoResult recv_some(int fd, void* data, size_t capacity, Deadline deadline) {
  while (true) {
    ssize_t n = ::recv(fd, data, capacity, MSG_DONTWAIT);
    if (n > 0) return io_error(IoResult::kOk, static_cast<size_t>(n), 0);
    if (n == 0) return io_error(IoResult::kEof, 0, 0);
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return failed(0, errno);
    if (wait_ready(fd, POLLIN, deadline) == 0) return io_error(IoResult::kTimeout, 0, 0);
  }
}

IoResult recv_until_closed(int fd, std::string& out, size_t max, Deadline deadline) {
  size_t start = out.size();
  char buf[65536];
  while (true) {
    IoResult r = recv_some(fd, buf, sizeof buf, deadline);
    if (!r.ok()) return io_error(r.status, out.size() - start, r.error);
    out.append(buf, r.bytes);
    if (out.size() - start > max) return io_error(IoResult::kError, out.size() - start, EMSGSIZE);
  }
}

IoResult wait_closed(int fd, Deadline deadline) {
  size_t bytes = 0;
  char buf[65536];
  while (true) {
    IoResult r = recv_some(fd, buf, sizeof buf, deadline);
    bytes += r.bytes;
    if (!r.ok()) return io_error(r.status, bytes, r.error);
  }
}

void shutdown_write(int fd) { ::shutdown(fd, SHUT_WR); }

void set_linger_zero(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

rlim_t set_nofile_limit(rlim_t soft) {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = std::min(soft, lim.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &lim);
  ::getrlimit(RLIMIT_NOFILE, &lim);
  return lim.rlim_cur;
}

}  // namespace ringress::test
