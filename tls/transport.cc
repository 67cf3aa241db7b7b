#include "tls/transport.h"

#include <cerrno>

#include "tls/hello_reader.h"
#include "tls/peer_certificate.h"

namespace ringress::tls {

Transport::Transport(core::Socket socket, core::BufferPool& pool, uint32_t connection_buffer)
    : tcp_(std::move(socket), pool, connection_buffer), pool_(pool) {}

Transport::~Transport() = default;

core::Task<ClientHello> Transport::read_client_hello(core::TimePoint deadline) {
  HelloRead read = co_await tls::read_client_hello(tcp_, deadline);
  ClientHello out;
  if (read.status == HelloStatus::kNeedMore) {
    out.failed = !read.bytes.empty() || read.error == -ETIMEDOUT;
  } else if (read.status == HelloStatus::kNotTls && looks_like_http(read.bytes)) {
    out.outcome = ClientHello::Outcome::plain_http;
  } else {
    out.outcome = ClientHello::Outcome::received;
    out.server_name = std::move(read.info.server_name);
  }
  out.bytes = std::move(read.bytes);
  co_return out;
}

core::Task<int> Transport::accept(const ServerContext& context, ClientHello hello,
                                  core::TimePoint deadline) {
  tls_ = std::make_unique<TlsStream>(tcp_, pool_, context.new_session(hello.server_name));
  tls_->set_initial_input(std::move(hello.bytes));
  stream_ = tls_.get();
  int rc = co_await tls_->handshake(true, deadline);
  co_return rc;
}

core::Task<int> Transport::originate(const ClientContext& context, std::string_view host,
                                     WOLFSSL_SESSION* resume, core::TimePoint deadline,
                                     core::CancelToken* cancel) {
  SslPtr ssl = context.new_session(host);
  if (resume) wolfSSL_set_session(ssl.get(), resume);
  tls_ = std::make_unique<TlsStream>(tcp_, pool_, std::move(ssl));
  stream_ = tls_.get();
  int rc = co_await tls_->handshake(false, deadline, cancel);
  co_return rc;
}

const std::string& Transport::failure() const {
  static const std::string kNone;
  return tls_ ? tls_->failure() : kNone;
}

bool Transport::resumed() const { return tls_ && wolfSSL_session_reused(tls_->ssl()); }

std::string Transport::client_certificate_details() const {
  return tls_ ? tls::client_certificate_details(tls_->ssl()) : std::string();
}

void Transport::save_session(SessionPtr& session) const {
  if (tls_) session.reset(wolfSSL_get1_session(tls_->ssl()));
}

}  // namespace ringress::tls
