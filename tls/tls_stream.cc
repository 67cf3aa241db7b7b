#include "tls/tls_stream.h"

#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/reactor.h"
#include "tls/io_callbacks.h"

namespace ringress::tls {
namespace {

// Ciphertext gathered before it is sent: large writes go out in pieces of about this much.
constexpr std::size_t kFlushAt = 64 * 1024;
// writev pieces below this are gathered into one record instead of a record each.
constexpr std::size_t kSmallPiece = 4096;
constexpr std::size_t kRecordPlaintext = 16 * 1024;

int recv_callback(WOLFSSL*, char* buf, int size, void* ctx) {
  return static_cast<TlsStream*>(ctx)->on_recv(buf, size);
}

int send_callback(WOLFSSL*, char* buf, int size, void* ctx) {
  return static_cast<TlsStream*>(ctx)->on_send(buf, size);
}

}  // namespace

void install_io_callbacks(WOLFSSL_CTX* ctx) {
  wolfSSL_CTX_SetIORecv(ctx, recv_callback);
  wolfSSL_CTX_SetIOSend(ctx, send_callback);
}

TlsStream::TlsStream(core::TcpStream& transport, core::BufferPool& pool, SslPtr ssl)
    : transport_(transport), pool_(pool), ssl_(std::move(ssl)) {
  wolfSSL_SetIOReadCtx(ssl_.get(), this);
  wolfSSL_SetIOWriteCtx(ssl_.get(), this);
  wolfSSL_set_using_nonblock(ssl_.get(), 1);
}

TlsStream::~TlsStream() {
  if (buffer_wait_.waiter) pool_.cancel_wait(&buffer_wait_);
}

int TlsStream::on_recv(char* buf, int size) {
  auto want = static_cast<std::size_t>(size);
  if (prefix_off_ < prefix_.size()) {
    std::size_t n = std::min(want, prefix_.size() - prefix_off_);
    std::memcpy(buf, prefix_.data() + prefix_off_, n);
    prefix_off_ += n;
    if (prefix_off_ == prefix_.size()) {
      prefix_.clear();
      prefix_.shrink_to_fit();
      prefix_off_ = 0;
    }
    return static_cast<int>(n);
  }
  if (in_.empty()) in_ = transport_.try_read();
  if (in_.empty()) {
    if (in_error_ != 0) return WOLFSSL_CBIO_ERR_CONN_RST;
    if (in_eof_) return WOLFSSL_CBIO_ERR_CONN_CLOSE;
    return WOLFSSL_CBIO_ERR_WANT_READ;
  }
  std::size_t n = std::min<std::size_t>(want, in_.size());
  std::memcpy(buf, in_.data(), n);
  in_.consume(static_cast<uint32_t>(n));
  if (in_.empty()) {
    if (!spare_.unique() && in_.unique())
      spare_ = std::move(in_);
    else
      in_.reset();
  }
  return static_cast<int>(n);
}

int TlsStream::on_send(const char* buf, int size) {
  out_.append(pool_, buf, static_cast<std::size_t>(size));
  return size;
}

void TlsStream::Ciphertext::append(core::BufferPool& pool, const char* p, std::size_t n) {
  bytes += n;
  while (n > 0 && overflow.empty()) {
    std::size_t k = 0;
    if (const uint32_t room = count > 0 ? slices[count - 1].room() : 0; room > 0) {
      k = std::min<std::size_t>(n, room);
      slices[count - 1].append(p, static_cast<uint32_t>(k));
    } else {
      uint16_t bid = 0;
      if (count == kSlices || !pool.acquire(bid)) break;
      k = std::min<std::size_t>(n, pool.buffer_size());
      std::memcpy(pool.writable(bid), p, k);
      slices[count++] = pool.adopt(bid, static_cast<uint32_t>(k));
    }
    p += k;
    n -= k;
  }
  if (n > 0) overflow.append(p, n);
}

void TlsStream::Ciphertext::clear() {
  for (std::size_t i = 0; i < count; ++i) slices[i].reset();
  count = 0;
  bytes = 0;
  if (overflow.capacity() > 0) {
    overflow.clear();
    overflow.shrink_to_fit();
  }
}

std::string_view TlsStream::alpn() const {
  char* name = nullptr;
  unsigned short size = 0;
  if (wolfSSL_ALPN_GetProtocol(ssl_.get(), &name, &size) != WOLFSSL_SUCCESS || !name) return {};
  return {name, size};
}

std::string TlsStream::describe_failure(int err) const {
  switch (err) {
    case ASN_NO_SIGNER_E:
      return "certificate not signed by a trusted CA";
    case DOMAIN_NAME_MISMATCH:
      return "certificate does not match the server name";
    case ASN_AFTER_DATE_E:
      return "certificate has expired";
    case ASN_BEFORE_DATE_E:
      return "certificate is not valid yet";
    case NO_PEER_CERT:
      return "peer sent no certificate";
    case VERSION_ERROR:
      return "protocol version not accepted";
    case MATCH_SUITE_ERROR:
      return "no cipher suite in common";
    default:
      return error_text(err);
  }
}

core::Task<int> TlsStream::flush(core::TimePoint deadline) {
  while (flushing_) co_await FlushWaitAwaiter{*this};
  if (write_error_ != 0) co_return write_error_;
  if (out_.empty()) co_return 0;
  flushing_ = true;
  int rc = 0;
  std::array<iovec, Ciphertext::kSlices + 1> iov;
  while (!out_.empty()) {
    std::swap(sending_, out_);
    std::size_t n = 0;
    for (std::size_t i = 0; i < sending_.count; ++i)
      iov[n++] = {const_cast<char*>(sending_.slices[i].data()), sending_.slices[i].size()};
    if (!sending_.overflow.empty()) iov[n++] = {sending_.overflow.data(), sending_.overflow.size()};
    rc = co_await transport_.writev(std::span<iovec>(iov.data(), n), deadline);
    sending_.clear();  // the buffers go back to the pool at once, still warm
    if (rc < 0) {
      write_error_ = rc;
      break;
    }
  }
  flushing_ = false;
  for (std::coroutine_handle<> h : flush_waiters_) core::Reactor::current().post(h);
  flush_waiters_.clear();
  co_return rc < 0 ? rc : 0;
}

core::Task<int> TlsStream::fill(core::TimePoint deadline) {
  core::ReadResult r = co_await transport_.receive(deadline);
  if (r.error < 0) {
    if (r.error != -ETIMEDOUT && r.error != -EAGAIN) in_error_ = r.error;  // both leave it usable
    co_return r.error;
  }
  if (r.eof()) {
    in_eof_ = true;
    co_return 0;
  }
  in_ = std::move(r.data);
  co_return 1;
}

core::Task<int> TlsStream::handshake(bool server, core::TimePoint deadline,
                                     core::CancelToken* cancel) {
  core::CancelCallback on_cancel(cancel, [this] { this->cancel(); });
  auto wait_failure = [](int rc) {
    if (rc == -ETIMEDOUT) return "handshake timed out";
    if (rc == -ECANCELED) return "handshake cancelled";
    return "connection lost during handshake";
  };
  for (;;) {
    if (cancelled_) {
      failure_ = "handshake cancelled";
      co_return -ECANCELED;
    }
    int rc = server ? wolfSSL_accept(ssl_.get()) : wolfSSL_connect(ssl_.get());
    int err = rc == WOLFSSL_SUCCESS ? 0 : wolfSSL_get_error(ssl_.get(), rc);
    if (!out_.empty()) {  // our flight, or the alert that tells the peer why we stop
      int w = co_await flush(deadline);
      if (w < 0 && err != WOLFSSL_ERROR_WANT_READ && err != 0) {
        failure_ = describe_failure(err);
        co_return -EPROTO;
      }
      if (w < 0) {
        failure_ = wait_failure(w);
        co_return w;
      }
    }
    if (err == 0) co_return 0;
    if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE) {
      failure_ = describe_failure(err);
      co_return -EPROTO;
    }
    if (err == WOLFSSL_ERROR_WANT_READ) {
      int got = co_await fill(deadline);
      if (got < 0) {
        failure_ = wait_failure(got);
        co_return got;
      }
      if (got == 0) {
        failure_ = "peer closed the connection during the handshake";
        co_return -ECONNRESET;
      }
    }
  }
}

bool TlsStream::input_pending() const {
  return prefix_off_ < prefix_.size() || !in_.empty() || wolfSSL_pending(ssl_.get()) > 0;
}

core::BufferSlice TlsStream::decrypt(bool* no_buffer) {
  if (peer_closed_ || error_ != 0) return {};
  const bool use_spare = spare_.unique();  // holds a buffer (only ever by us)
  uint16_t bid = 0;
  if (!use_spare && !pool_.acquire(bid)) {
    *no_buffer = true;
    return {};
  }
  char* buf = use_spare ? spare_.writable_buffer() : pool_.writable(bid);
  const int cap = static_cast<int>(pool_.buffer_size());
  int total = 0;
  while (total < cap) {
    int n = wolfSSL_read(ssl_.get(), buf + total, cap - total);
    if (n > 0) {
      total += n;
      // More records may be here already: fill the buffer without waiting.
      if (!input_pending() && !transport_.has_unread_data()) break;
      continue;
    }
    int err = wolfSSL_get_error(ssl_.get(), n);
    if (err == WOLFSSL_ERROR_ZERO_RETURN) {
      peer_closed_ = true;
    } else if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE) {
      error_ = err;
      failure_ = describe_failure(err);
    }
    break;
  }
  // A spare left from consuming the last ciphertext is not kept while nothing more is here (an
  // idle pooled connection would hold a receive buffer).
  const bool more = input_pending() || transport_.has_unread_data();
  if (!use_spare) {
    if (!more) spare_.reset();
    return pool_.adopt(bid, static_cast<uint32_t>(total));
  }
  if (total == 0) {
    if (!more) spare_.reset();
    return {};
  }
  spare_.rewind(static_cast<uint32_t>(total));
  return std::move(spare_);
}

core::Task<core::ReadResult> TlsStream::read(core::TimePoint deadline) {
  for (;;) {
    if (cancelled_) co_return core::ReadResult{-ECANCELED, {}};
    bool no_buffer = false;
    core::BufferSlice data = decrypt(&no_buffer);
    if (!data.empty()) co_return core::ReadResult{0, std::move(data)};
    if (!out_.empty()) {  // a reply wolfSSL owes the peer (key update), or the alert of an error
      int w = co_await flush(deadline);
      if (w < 0 && error_ == 0) co_return core::ReadResult{w == -ETIMEDOUT ? -EPIPE : w, {}};
    }
    if (error_ != 0) co_return core::ReadResult{-EPROTO, {}};
    if (peer_closed_) co_return core::ReadResult{};
    if (no_buffer) {
      co_await BufferWaitAwaiter{*this};
      continue;
    }
    spare_.reset();
    int got = co_await fill(deadline);
    if (got < 0) co_return core::ReadResult{got, {}};
    if (got == 0) {
      // End of stream. Whatever decrypts from what is left comes first.
      bool nb = false;
      core::BufferSlice rest = decrypt(&nb);
      if (!rest.empty()) co_return core::ReadResult{0, std::move(rest)};
      co_return core::ReadResult{};
    }
  }
}

core::BufferSlice TlsStream::try_read() {
  if (cancelled_ || (!input_pending() && !transport_.has_unread_data())) return {};
  bool no_buffer = false;
  return decrypt(&no_buffer);
}

bool TlsStream::encrypt(const char* data, std::size_t size) {
  while (size > 0) {
    int chunk = static_cast<int>(std::min(size, kFlushAt));
    int n = wolfSSL_write(ssl_.get(), data, chunk);
    if (n <= 0) {
      failure_ = describe_failure(wolfSSL_get_error(ssl_.get(), n));
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

core::Task<int> TlsStream::write(const char* data, std::size_t size, core::TimePoint deadline) {
  if (write_error_ != 0) co_return write_error_;
  std::size_t done = 0;
  while (done < size) {
    if (cancelled_) co_return -ECANCELED;
    std::size_t n = std::min(size - done, kFlushAt);
    if (!encrypt(data + done, n)) co_return -EPROTO;
    done += n;
    int w = co_await flush(deadline);
    if (w < 0) co_return w;
  }
  co_return static_cast<int>(size);
}

core::Task<int> TlsStream::writev(std::span<iovec> iov, core::TimePoint deadline) {
  if (write_error_ != 0) co_return write_error_;
  std::size_t total = 0;
  for (const iovec& v : iov) {
    if (cancelled_) co_return -ECANCELED;
    const char* p = static_cast<const char*>(v.iov_base);
    total += v.iov_len;
    if (v.iov_len < kSmallPiece) {
      stage_.append(p, v.iov_len);
      if (stage_.size() < kRecordPlaintext) continue;
      bool ok = encrypt(stage_.data(), stage_.size());
      stage_.clear();
      if (!ok) co_return -EPROTO;
    } else {
      if (!stage_.empty()) {
        bool ok = encrypt(stage_.data(), stage_.size());
        stage_.clear();
        if (!ok) co_return -EPROTO;
      }
      if (!encrypt(p, v.iov_len)) co_return -EPROTO;
    }
    if (out_.bytes >= kFlushAt) {
      int w = co_await flush(deadline);
      if (w < 0) co_return w;
    }
  }
  if (!stage_.empty()) {
    bool ok = encrypt(stage_.data(), stage_.size());
    stage_.clear();
    if (!ok) co_return -EPROTO;
  }
  int w = co_await flush(deadline);
  if (w < 0) co_return w;
  co_return static_cast<int>(total);
}

core::Task<int> TlsStream::shutdown_write() {
  if (cancelled_) co_return -ECANCELED;
  wolfSSL_shutdown(ssl_.get());  // queues close_notify
  int w = co_await flush(core::deadline_after(std::chrono::seconds(5)));
  if (w < 0) co_return w;
  co_return co_await transport_.shutdown_write();
}

void TlsStream::cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  transport_.cancel();
  if (buffer_wait_.waiter) {
    pool_.cancel_wait(&buffer_wait_);
    core::Reactor::current().post(std::exchange(buffer_wait_.waiter, {}));
  }
}

bool TlsStream::has_unread_data() {
  if (wolfSSL_pending(ssl_.get()) > 0) return true;
  if (!input_pending() && !transport_.has_unread_data()) return false;
  // Records arrived while idle: session tickets are fine, application data is not.
  char c;
  int n = wolfSSL_peek(ssl_.get(), &c, 1);
  spare_.reset();
  if (n > 0) return true;
  int err = wolfSSL_get_error(ssl_.get(), n);
  if (err == WOLFSSL_ERROR_WANT_READ) return false;
  if (err == WOLFSSL_ERROR_ZERO_RETURN)
    peer_closed_ = true;
  else
    error_ = err;
  return true;
}

void TlsStream::BufferWait::on_buffers_available() {
  if (waiter) core::Reactor::current().post(std::exchange(waiter, {}));
}

void TlsStream::BufferWaitAwaiter::await_suspend(std::coroutine_handle<> h) {
  s.buffer_wait_.waiter = h;
  s.pool_.wait_for_buffers(&s.buffer_wait_);
}

}  // namespace ringress::tls
