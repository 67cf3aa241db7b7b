// The [admin] table: where the admin HTTP endpoint (app/admin_server.h) listens. Off when the
// table is absent. Loopback only unless allow_remote = true: the endpoint can drain the process
// and change its log level, and it has no authentication.
#pragma once

#include <string>
#include <string_view>

#include "core/socket_address.h"

namespace ringress::conf {

struct AdminSettings {
  bool enabled = false;      // an [admin] table was given
  std::string address_text;  // as written: "127.0.0.1:9901"
  core::SocketAddress address;
  bool allow_remote = false;  // a non-loopback address is accepted only with this
};

// The config file's TOML with key material replaced by "[redacted]": the values of `key` and
// `client_key` (private key paths) and any string holding a PEM block ("-----BEGIN"). For the
// admin /config endpoint; `text` must be a config that loaded (on a parse error, returns "").
std::string redacted_config_toml(std::string_view text, const std::string& path);

}  // namespace ringress::conf
