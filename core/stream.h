// Stream: a connected byte stream as the layers above see it. TcpStream is the plain one;
// tls::TlsStream encrypts over a TcpStream. http/, the TCP proxy and bridge() use only this
// interface, so the same code serves plain and TLS connections. A Stream is not movable: it
// lives in the frame of the coroutine (or the object) that owns the connection.
#pragma once

#include <sys/uio.h>

#include <span>

#include "core/clock.h"
#include "core/recv_queue.h"
#include "core/task.h"

namespace ringress::core {

class Stream {
 public:
  // Next received bytes, end of stream, or -errno (-ETIMEDOUT at the deadline, which leaves
  // the stream usable; -ECANCELED after cancel()).
  virtual Task<ReadResult> read(TimePoint deadline = kNoDeadline) = 0;
  // Already received bytes without waiting; empty when none are ready.
  virtual BufferSlice try_read() = 0;
  // Sends all of [data, data+size); returns size or -errno.
  virtual Task<int> write(const char* data, std::size_t size, TimePoint deadline = kNoDeadline) = 0;
  // Sends all the iovecs (the array may be modified); returns bytes or -errno.
  virtual Task<int> writev(std::span<iovec> iov, TimePoint deadline = kNoDeadline) = 0;
  // Ends the sending direction (FIN; for TLS a close_notify first); reading stays possible.
  virtual Task<int> shutdown_write() = 0;
  // Makes the pending and all later operations fail with -ECANCELED. Idempotent.
  virtual void cancel() = 0;
  virtual bool cancelled() const = 0;
  // The peer has closed or reset (seen without reading; for idle pooled connections).
  virtual bool closed_by_peer() const = 0;
  // Application bytes arrived that nobody asked for (an idle upstream connection must have
  // none). May process protocol records that arrived meanwhile (TLS session tickets).
  virtual bool has_unread_data() = 0;
  // See PeerCloseListener; nullptr to stop listening.
  virtual void set_close_listener(PeerCloseListener* l) = 0;
  // Receives at most about `bytes` ahead of the reader (0: the configured window again); the
  // rest waits in the kernel's socket buffer. For a reader much slower than its peer.
  virtual void cap_receive_window(uint32_t bytes) = 0;
  // Wakes a read waiting for bytes: it returns -EAGAIN, so its caller can read again with
  // another deadline (the route timeout starts when a request body is done). No-op otherwise.
  virtual void interrupt_read() = 0;

 protected:
  ~Stream() = default;
};

}  // namespace ringress::core
