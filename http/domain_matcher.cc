#include "http/domain_matcher.h"

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
  if (lengths.size() <= fixed.size()) lengths.resize(fixed.size() + 1);
  lengths[fixed.size()] = true;
  edges.set(static_cast<unsigned char>(lower_ascii(edge)));
}

void DomainMatcher::add(std::string_view domain, uint32_t index) {
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
  host = strip_port(host);
  if (auto it = exact_.find(host); it != exact_.end()) return it->second;
  // A wildcard stands for at least one character, so the host must be longer than the fixed part.
  if (!suffixes_.table.empty()) {
    for (std::size_t start = 1; start < host.size(); ++start) {  // longest suffix first
      if (!suffixes_.may_hold(host.size() - start, host[start])) continue;
      if (auto it = suffixes_.table.find(host.substr(start)); it != suffixes_.table.end()) {
        return it->second;
      }
    }
  }
  if (!prefixes_.table.empty()) {
    for (std::size_t length = host.size(); length-- > 1;) {  // longest prefix first
      if (!prefixes_.may_hold(length, host[length - 1])) continue;
      if (auto it = prefixes_.table.find(host.substr(0, length)); it != prefixes_.table.end()) {
        return it->second;
      }
    }
  }
  return any_;
}

}  // namespace ringress::http::routing
