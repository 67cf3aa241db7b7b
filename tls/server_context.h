// ServerContext: what a listener needs to terminate TLS, built once per config snapshot and
// shared read-only by all workers. One wolfSSL context per certificate; the certificate is
// chosen from the ClientHello's server name (exact names first, then "*.suffix" wildcards),
// with the first certificate for clients that send no name or an unknown one.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tls/server_names.h"
#include "tls/settings.h"
#include "tls/wolfssl.h"

namespace ringress::tls {

class ServerContext {
 public:
  // Loads and checks every file. Throws SettingError.
  static std::shared_ptr<const ServerContext> create(const ServerSettings& settings);

  // A new session for a client that asked for `server_name` (lowercase, may be empty).
  SslPtr new_session(std::string_view server_name) const;
  const ServerSettings& settings() const { return settings_; }
  // The names each certificate answers for, in order (for logs and tests).
  const std::vector<std::vector<std::string>>& names() const { return names_; }

 private:
  explicit ServerContext(const ServerSettings& s) : settings_(s) {}
  WOLFSSL_CTX* select(std::string_view server_name) const;

  ServerSettings settings_;
  std::vector<CtxPtr> contexts_;
  std::vector<std::vector<std::string>> names_;
  ServerNameTable names_to_certificate_;
  std::string alpn_wire_;  // comma-separated, as wolfSSL_UseALPN takes it
};

}  // namespace ringress::tls
