// TlsStream: a TLS session over a TcpStream, itself a Stream, so http/, the TCP proxy and
// bridge() use it unchanged. wolfSSL never touches the socket: its I/O callbacks read
// ciphertext from the slices the transport's multishot receive delivered and append what it
// writes to receive-pool buffers that go out in one send per write() (records coalesced). WANT_READ
// becomes a co_await on the transport. Decrypted bytes land in receive-pool buffers, so readers
// get BufferSlices exactly as from a TcpStream.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffer_pool.h"
#include "core/cancel_token.h"
#include "core/stream.h"
#include "core/tcp_stream.h"
#include "tls/wolfssl.h"

namespace ringress::tls {

class TlsStream final : public core::Stream {
 public:
  // `transport` must outlive this. `ssl` comes from a ServerContext or ClientContext.
  TlsStream(core::TcpStream& transport, core::BufferPool& pool, SslPtr ssl);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Bytes read from the transport before this existed (the ClientHello a listener looked at);
  // wolfSSL reads them first.
  void set_initial_input(std::string bytes) { prefix_ = std::move(bytes); }

  // Runs the handshake as server (accept) or client (connect) until `deadline`: 0, or -errno
  // (-ETIMEDOUT, -ECONNRESET when the peer closed, -EPROTO when TLS failed; failure() says why;
  // -ECANCELED when `cancel` was cancelled meanwhile, which cancels this stream).
  core::Task<int> handshake(bool server, core::TimePoint deadline,
                            core::CancelToken* cancel = nullptr);
  const std::string& failure() const { return failure_; }
  // The negotiated application protocol ("http/1.1"), empty if none.
  std::string_view alpn() const;
  WOLFSSL* ssl() const { return ssl_.get(); }

  core::Task<core::ReadResult> read(core::TimePoint deadline = core::kNoDeadline) override;
  core::BufferSlice try_read() override;
  core::Task<int> write(const char* data, std::size_t size,
                        core::TimePoint deadline = core::kNoDeadline) override;
  core::Task<int> writev(std::span<iovec> iov,
                         core::TimePoint deadline = core::kNoDeadline) override;
  core::Task<int> shutdown_write() override;
  void cancel() override;
  bool cancelled() const override { return cancelled_; }
  bool closed_by_peer() const override { return peer_closed_ || transport_.closed_by_peer(); }
  bool has_unread_data() override;
  void set_close_listener(core::PeerCloseListener* l) override { transport_.set_close_listener(l); }
  void interrupt_read() override { transport_.interrupt_read(); }
  // Of ciphertext: the socket under the session.
  void cap_receive_window(uint32_t bytes) override { transport_.cap_receive_window(bytes); }

  // For the wolfSSL I/O callbacks.
  int on_recv(char* buf, int size);
  int on_send(const char* buf, int size);

 private:
  struct BufferWait final : core::BufferWaiter {
    std::coroutine_handle<> waiter;
    void on_buffers_available() override;
  };
  struct FlushWaitAwaiter {
    TlsStream& s;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { s.flush_waiters_.push_back(h); }
    void await_resume() const noexcept {}
  };
  struct BufferWaitAwaiter {
    TlsStream& s;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() const noexcept {}
  };

  bool input_pending() const;
  // Decrypts what is already here into a pool buffer; empty when nothing is (or no buffer is
  // free: then *no_buffer is set). Sets peer_closed_ / error_ on close_notify or failure.
  core::BufferSlice decrypt(bool* no_buffer);
  // Waits for ciphertext: 1 got some, 0 end of stream, -errno.
  core::Task<int> fill(core::TimePoint deadline);
  // Sends what wolfSSL wrote. While one flush runs, another waits for it to end (it sends what
  // was queued meanwhile too), so a caller returns only once its bytes went out or failed.
  core::Task<int> flush(core::TimePoint deadline);
  // Encrypts [data, data+size) into out_; false on a TLS failure.
  bool encrypt(const char* data, std::size_t size);
  std::string describe_failure(int err) const;

  core::TcpStream& transport_;
  core::BufferPool& pool_;
  SslPtr ssl_;
  std::string prefix_;
  std::size_t prefix_off_ = 0;
  core::BufferSlice in_;
  // The buffer of ciphertext wolfSSL has copied out, kept to decrypt into (plaintext is never
  // longer than its ciphertext); given back before waiting, so idle sessions hold none.
  core::BufferSlice spare_;
  bool in_eof_ = false;
  int in_error_ = 0;
  // Ciphertext, in receive-pool buffers taken when wolfSSL writes and given back once sent:
  // an idle session holds none, and the memory follows the sends in flight, not the sessions
  // (a string per session grew to a whole batch and kept it). What does not fit in kSlices
  // buffers, or finds the pool empty, goes to `overflow` (rare; freed once sent).
  struct Ciphertext {
    static constexpr std::size_t kSlices = 16;
    std::array<core::BufferSlice, kSlices> slices;
    std::size_t count = 0;
    std::size_t bytes = 0;
    std::string overflow;
    bool empty() const { return bytes == 0; }
    void append(core::BufferPool& pool, const char* p, std::size_t n);
    void clear();
  };
  Ciphertext out_;      // ciphertext wolfSSL wrote, not yet sent
  Ciphertext sending_;  // ciphertext being sent (out_ may grow meanwhile, e.g. a reader's
                        // reply to a key update while a writer waits for the socket)
  bool flushing_ = false;
  int write_error_ = 0;  // a send failed: a record may be cut, nothing more can be sent
  std::vector<std::coroutine_handle<>> flush_waiters_;
  std::string stage_;  // small writev pieces gathered into one record
  std::string failure_;
  int error_ = 0;  // a fatal TLS error seen while reading
  bool peer_closed_ = false;
  bool cancelled_ = false;
  BufferWait buffer_wait_;
};

}  // namespace ringress::tls
