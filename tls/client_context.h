// ClientContext: what a cluster needs to originate TLS to its hosts, built once per config
// snapshot and shared read-only by all workers. Verification is on unless the config turns it
// off: the chain against `ca` (or the system store) and the server name against the
// certificate's names.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tls/settings.h"
#include "tls/wolfssl.h"

namespace ringress::tls {

class ClientContext {
 public:
  // Loads and checks every file. Throws SettingError.
  static std::shared_ptr<const ClientContext> create(const ClientSettings& settings);

  // A new session to an endpoint whose host part is `host` (a name or an IP literal): SNI and
  // the verified name are settings().server_name, else `host` (no SNI for an IP).
  SslPtr new_session(std::string_view host) const;
  const ClientSettings& settings() const { return settings_; }

 private:
  explicit ClientContext(const ClientSettings& s) : settings_(s) {}
  ClientSettings settings_;
  CtxPtr ctx_;
  std::string alpn_wire_;
};

// Whether `host` is an IPv4 or IPv6 literal.
bool is_ip_literal(std::string_view host);

}  // namespace ringress::tls
