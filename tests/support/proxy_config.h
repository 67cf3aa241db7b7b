// The TOML for a one-listener TCP proxy, built from plain fields so each test states only what
// it cares about. Values are written as the config file expects them ("2s", "16KiB").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ringress::test {

// The [runtime] table both kinds of test config start with.
struct RuntimeSection {
  unsigned workers = 1;
  std::string drain_timeout = "2s";
  std::string buffer_size = "16KiB";
  unsigned buffers_per_worker = 1024;
  std::string connection_buffer = "64KiB";
  std::string log_level = "info";

  std::string runtime_toml() const;
};

struct ProxyConfig : RuntimeSection {
  struct Endpoint {
    uint16_t port;
    uint32_t weight = 1;
  };

  // [[listeners]] ([runtime] comes from RuntimeSection)
  uint16_t listen_port = 0;
  std::string idle_timeout = "1h";
  unsigned connect_attempts = 3;
  std::string listener_cluster = "backend";  // the cluster the listener names
  // [[clusters]]
  std::vector<Endpoint> endpoints;
  std::string connect_timeout = "1s";

  std::string toml() const;
};

}  // namespace ringress::test
