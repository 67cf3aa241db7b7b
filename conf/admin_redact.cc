#include <toml++/toml.h>

#include <sstream>
#include <string>
#include <vector>

#include "conf/admin.h"

namespace ringress::conf {

namespace {

constexpr std::string_view kRedacted = "[redacted]";

bool is_pem(const toml::node& value) {
  auto s = value.as_string();
  return s && s->get().find("-----BEGIN") != std::string::npos;
}

void redact(toml::node& node);

void redact_table(toml::table& table) {
  std::vector<std::string> secret;
  for (auto&& [key, value] : table) {
    if (key.str() == "key" || key.str() == "client_key" || is_pem(value))
      secret.emplace_back(key.str());
    else
      redact(value);
  }
  for (const auto& key : secret) table.insert_or_assign(key, std::string(kRedacted));
}

void redact(toml::node& node) {
  if (auto* t = node.as_table()) {
    redact_table(*t);
  } else if (auto* a = node.as_array()) {
    for (auto it = a->begin(); it != a->end(); ++it) {
      if (is_pem(*it))
        it = a->replace(it, std::string(kRedacted));
      else
        redact(*it);
    }
  }
}

}  // namespace

std::string redacted_config_toml(std::string_view text, const std::string& path) {
  toml::table document;
  try {
    document = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error&) {
    return {};
  }
  redact_table(document);
  std::ostringstream out;
  out << toml::toml_formatter(document);
  out << '\n';
  return out.str();
}

}  // namespace ringress::conf
