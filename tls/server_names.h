// ServerNameTable: which entry answers a TLS server name (SNI). Names are exact
// ("api.example.com") or one-label wildcards ("*.example.com"); exact names win over
// wildcards, and the first entry to list a name keeps it. Used to pick a listener's certificate
// and a tcp listener's sni_routes cluster, so both match names the same way.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ringress::tls {

class ServerNameTable {
 public:
  // `name` lowercase, exact or "*.suffix".
  void add(const std::string& name, std::size_t entry);
  // The entry for `server_name` (lowercase), or nullopt when none matches.
  std::optional<std::size_t> find(std::string_view server_name) const;

 private:
  std::unordered_map<std::string, std::size_t> exact_;
  std::unordered_map<std::string, std::size_t> wildcard_;  // "example.com" for *.example.com
};

}  // namespace ringress::tls
