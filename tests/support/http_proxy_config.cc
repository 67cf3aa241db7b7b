#include "tests/support/http_proxy_config.h"

#include <sstream>

namespace ringress::test {

std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string HttpProxyConfig::toml() const {
  std::ostringstream out;
  out << runtime_toml() << "\n[[listeners]]\n"
      << "name = \"http-in\"\n"
      << "address = \"127.0.0.1:" << listen_port << "\"\n"
      << "protocol = \"http\"\n";
  for (const std::string& key : listener_keys) out << key << "\n";
  for (const VirtualHost& vh : virtual_hosts) {
    out << "\n[[listeners.virtual_hosts]]\n";
    if (!vh.name.empty()) out << "name = " << toml_string(vh.name) << "\n";
    out << "domains = [";
    for (size_t i = 0; i < vh.domains.size(); ++i)
      out << (i > 0 ? ", " : "") << toml_string(vh.domains[i]);
    out << "]\nroutes = [\n";
    for (const std::string& route : vh.routes) out << "  " << route << ",\n";
    out << "]\n";
  }
  for (const Cluster& c : clusters) {
    out << "\n[[clusters]]\n"
        << "name = " << toml_string(c.name) << "\n"
        << "endpoints = [";
    for (size_t i = 0; i < c.ports.size(); ++i)
      out << (i > 0 ? ", " : "") << "\"127.0.0.1:" << c.ports[i] << "\"";
    out << "]\n";
    for (const std::string& key : c.keys) out << key << "\n";
  }
  return out.str();
}

}  // namespace ringress::test
