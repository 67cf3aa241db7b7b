// The TOML for a one-listener HTTP proxy. Runtime and cluster basics are fields; listener keys,
// routes and cluster extras are TOML snippets, so each test writes the part of the config it is
// about in the config's own language.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/proxy_config.h"

namespace ringress::test {

struct HttpProxyConfig : RuntimeSection {
  struct VirtualHost {
    std::string name;
    std::vector<std::string> domains{"*"};
    std::vector<std::string> routes;  // inline tables: { prefix = "/", cluster = "backend" }
  };
  struct Cluster {
    std::string name;
    std::vector<uint16_t> ports;    // endpoints 127.0.0.1:port
    std::vector<std::string> keys;  // extra lines: idle_timeout = "4s"
  };

  // [[listeners]] ([runtime] comes from RuntimeSection)
  uint16_t listen_port = 0;
  std::vector<std::string> listener_keys;  // extra lines: request_headers_timeout = "1s"
  std::vector<VirtualHost> virtual_hosts;
  // [[clusters]]
  std::vector<Cluster> clusters;

  std::string toml() const;
};

// A TOML basic string: "text" with quotes and backslashes escaped.
std::string toml_string(const std::string& text);

}  // namespace ringress::test
