#include "tests/support/proxy_config.h"

#include <sstream>

namespace ringress::test {

std::string RuntimeSection::runtime_toml() const {
  std::ostringstream out;
  out << "[runtime]\n"
      << "workers = " << workers << "\n"
      << "drain_timeout = \"" << drain_timeout << "\"\n"
      << "buffer_size = \"" << buffer_size << "\"\n"
      << "buffers_per_worker = " << buffers_per_worker << "\n"
      << "connection_buffer = \"" << connection_buffer << "\"\n"
      << "log_level = \"" << log_level << "\"\n";
  return out.str();
}

std::string ProxyConfig::toml() const {
  std::ostringstream out;
  out << runtime_toml() << "\n[[listeners]]\n"
      << "name = \"tcp-in\"\n"
      << "address = \"127.0.0.1:" << listen_port << "\"\n"
      << "protocol = \"tcp\"\n"
      << "cluster = \"" << listener_cluster << "\"\n"
      << "idle_timeout = \"" << idle_timeout << "\"\n"
      << "connect_attempts = " << connect_attempts << "\n"
      << "\n[[clusters]]\n"
      << "name = \"backend\"\n"
      << "endpoints = [";
  for (size_t i = 0; i < endpoints.size(); ++i) {
    if (i > 0) out << ", ";
    out << "{ address = \"127.0.0.1:" << endpoints[i].port << "\", weight = " << endpoints[i].weight
        << " }";
  }
  out << "]\n"
      << "connect_timeout = \"" << connect_timeout << "\"\n";
  return out.str();
}

}  // namespace ringress::test
