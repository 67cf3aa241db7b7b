#include "core/connect.h"

#include <cerrno>

#include "core/io_op.h"

namespace ringress::core {

Task<ConnectResult> connect_tcp(const SocketAddress& address, TimePoint deadline,
                                CancelToken* token) {
  ConnectResult out;
  if (token && token->cancelled()) {
    out.error = -ECANCELED;
    co_return out;
  }
  Socket s = tcp_socket(address.family());
  if (!s.valid()) {
    out.error = -errno;
    co_return out;
  }
  int fd = s.fd();
  const SocketAddress* a = &address;
  int rc = co_await io_op(
      [fd, a](io_uring_sqe* sqe) { io_uring_prep_connect(sqe, fd, a->get(), a->size()); }, deadline,
      token);
  if (rc == 0 && token && token->cancelled()) rc = -ECANCELED;
  if (rc < 0) {
    out.error = rc;
    co_return out;
  }
  set_nodelay(fd);
  out.socket = std::move(s);
  co_return out;
}

}  // namespace ringress::core
