// Opening an outgoing TCP connection through the ring, with a deadline and a CancelToken.
#pragma once

#include "core/cancel_token.h"
#include "core/clock.h"
#include "core/socket.h"
#include "core/task.h"

namespace ringress::core {

struct ConnectResult {
  int error = 0;  // 0, or -errno (-ETIMEDOUT at the deadline, -ECANCELED, -ECONNREFUSED, ...)
  Socket socket;
};

// TCP_NODELAY is set on success. Cancelling `token` while the connect is in flight cancels it
// (the result is -ECANCELED, also when the connection was made in the same instant).
Task<ConnectResult> connect_tcp(const SocketAddress& address, TimePoint deadline,
                                CancelToken* token = nullptr);

}  // namespace ringress::core
