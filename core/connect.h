// Opening an outgoing TCP connection through the ring, with a deadline.
#pragma once

#include "core/clock.h"
#include "core/socket.h"
#include "core/task.h"

namespace ringress::core {

struct ConnectResult {
  int error = 0;  // 0, or -errno (-ETIMEDOUT at the deadline, -ECONNREFUSED, ...)
  Socket socket;
};

// TCP_NODELAY is set on success.
Task<ConnectResult> connect_tcp(const SocketAddress& address, TimePoint deadline);

}  // namespace ringress::core
