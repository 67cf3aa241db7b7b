// Transport: a connection's byte stream at the edge of ringress: its TcpStream, and the TLS
// session over it once a listener terminates TLS (accept) or a cluster originates it
// (originate). http/, lb/ and the TCP proxy hold one Transport and talk to stream(); reading
// the ClientHello, the handshake, session resumption and the peer certificate are done here
// once, so none of them calls wolfSSL.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/buffer_pool.h"
#include "core/cancel_token.h"
#include "core/socket.h"
#include "core/stream.h"
#include "core/tcp_stream.h"
#include "tls/client_context.h"
#include "tls/server_context.h"
#include "tls/tls_stream.h"

namespace ringress::tls {

// The start of a client's stream, read before accepting TLS (or forwarding it untouched).
struct ClientHello {
  enum class Outcome : uint8_t {
    received,    // a ClientHello, or bytes that are not one (the handshake then tells the client)
    plain_http,  // an HTTP request: someone spoke plain HTTP to a TLS port
    none,        // the stream ended, failed or stalled before a whole ClientHello
  };
  Outcome outcome = Outcome::none;
  // With `none`: a failed handshake (some bytes came, or the deadline passed); a client that
  // connects and leaves is not one.
  bool failed = false;
  std::string server_name;  // lowercase; empty when absent or not a ClientHello
  std::string bytes;        // everything read: replayed to the TLS session, or forwarded
};

class Transport {
 public:
  Transport(core::Socket socket, core::BufferPool& pool, uint32_t connection_buffer);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // The TLS session once accept() or originate() started one, else the TCP stream.
  core::Stream& stream() { return *stream_; }
  // The socket's own stream (what the client sent that TLS has not read yet, parking).
  core::TcpStream& tcp() { return tcp_; }

  // Accepting, first step: reads the client's stream until its ClientHello is complete.
  core::Task<ClientHello> read_client_hello(core::TimePoint deadline);
  // Accepting, second step: terminates TLS with the certificate for `hello.server_name`,
  // wolfSSL reading `hello.bytes` first. 0 or -errno as TlsStream::handshake; failure() says
  // why.
  core::Task<int> accept(const ServerContext& context, ClientHello hello, core::TimePoint deadline);
  // Originating TLS to an endpoint whose host part is `host` (SNI and the verified name as
  // ClientContext::new_session), resuming `resume` when not null (copied before the first
  // suspension). 0 or -errno as TlsStream::handshake: after -EPROTO (the TLS failed, unlike a
  // timeout or a cancel) the caller forgets the session it offered.
  core::Task<int> originate(const ClientContext& context, std::string_view host,
                            WOLFSSL_SESSION* resume, core::TimePoint deadline,
                            core::CancelToken* cancel);

  // What the handshake told, once accept() or originate() ran.
  const std::string& failure() const;
  bool resumed() const;
  // The X-Forwarded-Client-Cert value of the client's certificate; empty when it sent none.
  std::string client_certificate_details() const;
  // Keeps this session in `session`, for a later originate() to resume.
  void save_session(SessionPtr& session) const;

 private:
  core::TcpStream tcp_;
  core::BufferPool& pool_;
  std::unique_ptr<TlsStream> tls_;
  core::Stream* stream_ = &tcp_;  // tcp_, or tls_ over it
};

}  // namespace ringress::tls
