#include "tls/server_names.h"

namespace ringress::tls {

void ServerNameTable::add(const std::string& name, std::size_t entry) {
  if (name.starts_with("*."))
    wildcard_.emplace(name.substr(2), entry);
  else
    exact_.emplace(name, entry);
}

std::optional<std::size_t> ServerNameTable::find(std::string_view server_name) const {
  if (server_name.empty()) return std::nullopt;
  if (auto it = exact_.find(std::string(server_name)); it != exact_.end()) return it->second;
  auto dot = server_name.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  if (auto it = wildcard_.find(std::string(server_name.substr(dot + 1))); it != wildcard_.end())
    return it->second;
  return std::nullopt;
}

}  // namespace ringress::tls
