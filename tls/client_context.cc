#include "tls/client_context.h"

#include <arpa/inet.h>

#include "tls/context_options.h"

namespace ringress::tls {

bool is_ip_literal(std::string_view host) {
  std::string h(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

std::shared_ptr<const ClientContext> ClientContext::create(const ClientSettings& settings) {
  std::shared_ptr<ClientContext> cc(new ClientContext(settings));
  cc->ctx_ = new_context(false, settings.min_version, settings.max_version, settings.ciphers,
                         settings.curves);
  WOLFSSL_CTX* ctx = cc->ctx_.get();
  if (settings.verify) {
    if (!settings.ca.empty()) {
      load_ca(ctx, settings.ca, "ca");
    } else if (wolfSSL_CTX_load_system_CA_certs(ctx) != WOLFSSL_SUCCESS) {
      throw SettingError("ca", "no ca given and the system trust store cannot be loaded");
    }
    wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, nullptr);
  } else {
    wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_NONE, nullptr);
  }
  if (!settings.client_cert.empty() || !settings.client_key.empty()) {
    if (settings.client_cert.empty())
      throw SettingError("client_key", "client_key needs client_cert");
    if (settings.client_key.empty())
      throw SettingError("client_cert", "client_cert needs client_key");
    load_certificate(ctx, settings.client_cert, settings.client_key, "client_cert", "client_key");
  }
  for (const std::string& p : settings.alpn) {
    if (!cc->alpn_wire_.empty()) cc->alpn_wire_ += ',';
    cc->alpn_wire_ += p;
  }
  return cc;
}

SslPtr ClientContext::new_session(std::string_view host) const {
  SslPtr ssl(wolfSSL_new(ctx_.get()));
  if (!ssl) return ssl;
  std::string name(settings_.server_name.empty() ? host : settings_.server_name);
  if (!is_ip_literal(name))
    wolfSSL_UseSNI(ssl.get(), WOLFSSL_SNI_HOST_NAME, name.data(),
                   static_cast<unsigned short>(name.size()));
  if (settings_.verify) wolfSSL_check_domain_name(ssl.get(), name.c_str());
  if (!alpn_wire_.empty()) {
    std::string list = alpn_wire_;
    wolfSSL_UseALPN(ssl.get(), list.data(), static_cast<unsigned>(list.size()),
                    WOLFSSL_ALPN_CONTINUE_ON_MISMATCH);
  }
  return ssl;
}

}  // namespace ringress::tls
