// TcpStream: a connected TCP socket driven by the reactor; the plain implementation of the
// Stream interface (core/stream.h). Reads come from a multishot RecvQueue, writes are sends
// of caller-owned bytes. Not movable: it lives in the frame of the coroutine that owns the
// connection, and its destructor closes the socket through the ring.
#pragma once

#include <sys/uio.h>

#include <span>

#include "core/io_op.h"
#include "core/recv_queue.h"
#include "core/socket.h"
#include "core/stream.h"
#include "core/task.h"

namespace ringress::core {

class TcpStream final : public Stream {
 public:
  // high_watermark: what the receive side may hold before it stops reading (backpressure), in
  // bytes and in whole pool buffers (see RecvQueue).
  TcpStream(Socket socket, BufferPool& pool, uint32_t high_watermark);
  ~TcpStream();
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;

  Task<ReadResult> read(TimePoint deadline = kNoDeadline) override;
  BufferSlice try_read() override { return recv_->try_take(); }
  Task<int> write(const char* data, std::size_t size, TimePoint deadline = kNoDeadline) override;
  Task<int> writev(std::span<iovec> iov, TimePoint deadline = kNoDeadline) override;
  Task<int> shutdown_write() override;
  void cancel() override;
  bool cancelled() const override { return cancelled_; }
  bool closed_by_peer() const override { return recv_->closed_by_peer(); }
  bool has_unread_data() override { return recv_->has_data(); }
  void set_close_listener(PeerCloseListener* l) override { recv_->set_close_listener(l); }
  void interrupt_read() override { recv_->interrupt(); }
  void cap_receive_window(uint32_t bytes) override { recv_->cap_watermark(bytes); }

  // The multishot receive itself, awaited without a coroutine frame (TlsStream reads its
  // ciphertext through this).
  RecvQueue::ReadAwaiter receive(TimePoint deadline = kNoDeadline) { return recv_->read(deadline); }
  // Stops the receive side until nothing more can arrive in it (RecvQueue::quiesce): true when
  // something is queued (then it receives again), false when the socket may be released.
  RecvQueue::QuiesceAwaiter quiesce() { return recv_->quiesce(); }
  // After quiesce() resumed false: the socket, still open; the stream may then only be destroyed.
  Socket release();
  int fd() const { return fd_; }

 private:
  int fd_;
  RecvQueue* recv_;
  bool cancelled_ = false;
};

}  // namespace ringress::core
