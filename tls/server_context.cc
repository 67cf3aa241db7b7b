#include "tls/server_context.h"

#include "tls/context_options.h"

namespace ringress::tls {

std::shared_ptr<const ServerContext> ServerContext::create(const ServerSettings& settings) {
  std::shared_ptr<ServerContext> sc(new ServerContext(settings));
  if (settings.certificates.empty())
    throw SettingError("certificates", "a tls listener needs at least one certificate");
  for (std::size_t i = 0; i < settings.certificates.size(); ++i) {
    const CertificateFiles& files = settings.certificates[i];
    std::string prefix = "certificates[" + std::to_string(i) + "].";
    CtxPtr ctx = new_context(true, settings.min_version, settings.max_version, settings.ciphers,
                             settings.curves);
    std::vector<std::string> names =
        load_certificate(ctx.get(), files.cert, files.key, prefix + "cert", prefix + "key");
    if (!files.server_names.empty()) names = files.server_names;
    if (!settings.client_ca.empty()) load_ca(ctx.get(), settings.client_ca, "client_ca");
    int mode = WOLFSSL_VERIFY_NONE;
    if (settings.client_certificate == ClientCertMode::optional) mode = WOLFSSL_VERIFY_PEER;
    if (settings.client_certificate == ClientCertMode::required)
      mode = WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    wolfSSL_CTX_set_verify(ctx.get(), mode, nullptr);
    // wolfSSL's tickets do not carry the client's certificate: a client resuming by ticket would
    // reach the upstream without X-Forwarded-Client-Cert. Session IDs (TLS 1.2) keep it.
    if (!settings.session_tickets || settings.client_certificate != ClientCertMode::none) {
      wolfSSL_CTX_NoTicketTLSv12(ctx.get());
      wolfSSL_CTX_no_ticket_TLSv13(ctx.get());
    }
    for (const std::string& name : names) sc->names_to_certificate_.add(name, i);
    sc->contexts_.push_back(std::move(ctx));
    sc->names_.push_back(std::move(names));
  }
  for (const std::string& p : settings.alpn) {
    if (!sc->alpn_wire_.empty()) sc->alpn_wire_ += ',';
    sc->alpn_wire_ += p;
  }
  return sc;
}

WOLFSSL_CTX* ServerContext::select(std::string_view server_name) const {
  return contexts_[names_to_certificate_.find(server_name).value_or(0)].get();
}

SslPtr ServerContext::new_session(std::string_view server_name) const {
  SslPtr ssl(wolfSSL_new(select(server_name)));
  if (!ssl) return ssl;
  if (!alpn_wire_.empty()) {
    std::string list = alpn_wire_;  // wolfSSL_UseALPN takes a mutable buffer
    wolfSSL_UseALPN(ssl.get(), list.data(), static_cast<unsigned>(list.size()),
                    WOLFSSL_ALPN_FAILED_ON_MISMATCH);
  }
  return ssl;
}

}  // namespace ringress::tls
