#include "conf/http_syntax.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace ringress::conf {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_tchar(char c) { return is_alnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr; }

// "1".."65535", digits only.
bool is_port(std::string_view text) {
  unsigned port = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return error == std::errc() && end == text.data() + text.size() && port >= 1 && port <= 65535 &&
         text[0] != '+';
}

bool is_ipv6(std::string_view text) {
  in6_addr address;
  return inet_pton(AF_INET6, std::string(text).c_str(), &address) == 1;
}

}  // namespace

bool is_http_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_tchar);
}

bool is_header_value(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

bool is_host_name(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  size_t label = 0;
  for (char c : text) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (is_alnum(c) || c == '-' || c == '_') {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return label > 0;
}

bool is_host_header(std::string_view text) {
  if (text.starts_with('[')) {
    size_t close = text.find(']');
    if (close == std::string_view::npos || !is_ipv6(text.substr(1, close - 1))) return false;
    std::string_view rest = text.substr(close + 1);
    return rest.empty() || (rest[0] == ':' && is_port(rest.substr(1)));
  }
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return is_host_name(text);
  return is_host_name(text.substr(0, colon)) && is_port(text.substr(colon + 1));
}

std::optional<std::string> parse_cidr(std::string_view text, std::string& error,
                                      std::string& meant) {
  size_t slash = text.find('/');
  std::string ip(text.substr(0, slash));
  unsigned char bytes[16];
  int family = AF_INET;
  unsigned max_length = 32;
  if (inet_pton(AF_INET, ip.c_str(), bytes) != 1) {
    family = AF_INET6;
    max_length = 128;
    if (inet_pton(AF_INET6, ip.c_str(), bytes) != 1) {
      error = "expected an IPv4 or IPv6 address block like \"10.0.0.0/8\" or \"fd00::/8\"";
      return std::nullopt;
    }
  }
  unsigned length = max_length;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
        length > max_length) {
      error = "the prefix length after \"/\" must be 0 to " + std::to_string(max_length);
      return std::nullopt;
    }
  }
  // Host bits set ("10.0.0.1/8") usually mean a typo in the address or the length.
  unsigned char network[16];
  std::memcpy(network, bytes, sizeof(network));
  for (unsigned bit = length; bit < max_length; ++bit)
    network[bit / 8] &= static_cast<unsigned char>(~(0x80u >> (bit % 8)));
  char buffer[INET6_ADDRSTRLEN];
  inet_ntop(family, network, buffer, sizeof(buffer));
  std::string canonical = std::string(buffer) + "/" + std::to_string(length);
  if (std::memcmp(network, bytes, max_length / 8) != 0) {
    error = "address bits are set after the /" + std::to_string(length) + " prefix";
    meant = canonical;
    return std::nullopt;
  }
  return canonical;
}

}  // namespace ringress::conf
