#include "http/domain_matcher.h"

#include <algorithm>
#include <functional>

namespace ringress::http::routing {

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  }
  return true;
}

std::string_view strip_port(std::string_view host) {
  std::size_t colon = host.rfind(':');
  if (colon == std::string_view::npos) return host;
  // A bracketed IPv6 literal has colons of its own: only one after the ']' starts a port.
  if (host.front() == '[') {
    std::size_t close = host.find(']');
    if (close == std::string_view::npos || colon != close + 1) return host;
  } else if (host.find(':') != colon) {
    return host;  // an unbracketed IPv6 address: not a valid Host, but no port to strip
  }
  for (char c : host.substr(colon + 1)) {
    if (c < '0' || c > '9') return host;
  }
  return host.substr(0, colon);
}

std::size_t DomainMatcher::FoldHash::operator()(std::string_view s) const {
  uint64_t h = 14695981039346656037ull;  // FNV-1a over the lowercased bytes
  for (char c : s) {
    h ^= static_cast<unsigned char>(lower_ascii(c));
    h *= 1099511628211ull;
  }
  return static_cast<std::size_t>(h);
}

void DomainMatcher::Wildcards::add(std::string_view fixed, char edge, uint32_t index) {
  if (!table.try_emplace(std::string(fixed), index).second) return;
  auto at = std::lower_bound(lengths.begin(), lengths.end(), fixed.size(), std::greater<>());
  if (at == lengths.end() || *at != fixed.size()) lengths.insert(at, fixed.size());
  edges.set(static_cast<unsigned char>(lower_ascii(edge)));
}

std::span<const std::size_t> DomainMatcher::Wildcards::shorter_than(std::size_t host_size) const {
  auto first = std::partition_point(lengths.begin(), lengths.end(),
                                    [&](std::size_t length) { return length >= host_size; });
  return {first, lengths.end()};
}

std::string_view without_root_dot(std::string_view name) {
  if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
  return name;
}

void DomainMatcher::add(std::string_view domain, uint32_t index) {
  domain = without_root_dot(domain);
  if (domain == "*") {
    if (any_ == npos) any_ = index;
  } else if (domain.starts_with('*')) {
    std::string_view fixed = domain.substr(1);
    suffixes_.add(fixed, fixed.front(), index);
  } else if (domain.ends_with('*')) {
    std::string_view fixed = domain.substr(0, domain.size() - 1);
    prefixes_.add(fixed, fixed.back(), index);
  } else {
    exact_.try_emplace(std::string(domain), index);
  }
}

uint32_t DomainMatcher::find(std::string_view host) const {
  host = without_root_dot(strip_port(host));
  if (auto it = exact_.find(host); it != exact_.end()) return it->second;
  for (std::size_t length : suffixes_.shorter_than(host.size())) {
    std::string_view suffix = host.substr(host.size() - length);
    if (!suffixes_.has_edge(suffix.front())) continue;
    if (auto it = suffixes_.table.find(suffix); it != suffixes_.table.end()) return it->second;
  }
  for (std::size_t length : prefixes_.shorter_than(host.size())) {
    std::string_view prefix = host.substr(0, length);
    if (!prefixes_.has_edge(prefix.back())) continue;
    if (auto it = prefixes_.table.find(prefix); it != prefixes_.table.end()) return it->second;
  }
  return any_;
}

}  // namespace ringress::http::routing
