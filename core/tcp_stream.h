// TcpStream: a connected TCP socket driven by the reactor; the plain implementation of the
// Stream interface (see core/stream.h). Reads come from a multishot RecvQueue, writes are sends
// of caller-owned bytes. Not movable: it lives in the frame of the coroutine that owns the
// connection, and its destructor closes the socket through the ring.
#pragma once

#include <sys/uio.h>

#include <span>

#include "core/io_op.h"
#include "core/recv_queue.h"
#include "core/socket.h"
#include "core/task.h"

namespace ringress::core {

class TcpStream {
 public:
  // high_watermark: bytes the receive side may hold before it stops reading (backpressure).
  TcpStream(Socket socket, BufferPool& pool, uint32_t high_watermark);
  ~TcpStream();
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;

  // Next received bytes, end of stream, or -errno (-ETIMEDOUT at the deadline, which leaves
  // the stream usable; -ECANCELED after cancel()).
  RecvQueue::ReadAwaiter read(TimePoint deadline = kNoDeadline) { return recv_->read(deadline); }
  // Already received bytes without waiting; empty when none are queued.
  BufferSlice try_read() { return recv_->try_take(); }
  // Sends all of [data, data+size); returns size or -errno.
  Task<int> write(const char* data, std::size_t size, TimePoint deadline = kNoDeadline);
  // Sends all the iovecs (the array is modified); returns bytes or -errno.
  Task<int> writev(std::span<iovec> iov, TimePoint deadline = kNoDeadline);
  // Sends FIN; reading stays possible.
  Task<int> shutdown_write();
  // Makes the pending and all later operations fail with -ECANCELED. Idempotent.
  void cancel();
  bool cancelled() const { return cancelled_; }
  // The peer has closed or reset (seen without reading; for idle pooled connections).
  bool closed_by_peer() const { return recv_->closed_by_peer(); }
  // Bytes arrived that nobody asked for (an idle upstream connection must have none).
  bool has_unread_data() const { return recv_->has_data(); }
  // See PeerCloseListener; nullptr to stop listening.
  void set_close_listener(PeerCloseListener* l) { recv_->set_close_listener(l); }

  int fd() const { return fd_; }

 private:
  int fd_;
  RecvQueue* recv_;
  bool cancelled_ = false;
};

}  // namespace ringress::core
