// SocketAddress: an IPv4 or IPv6 address with port, held by value (a sockaddr_storage).
// Parsing never resolves names; resolve_host() does, and is only used off the request path
// (config loading, later DNS discovery).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringress::core {

class SocketAddress {
 public:
  SocketAddress() = default;
  SocketAddress(const sockaddr* sa, socklen_t len);

  // "127.0.0.1:80", "[::1]:80". Returns nullopt for anything else (names included).
  static std::optional<SocketAddress> parse_numeric(std::string_view text);

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* get_mut() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t size() const { return len_; }
  socklen_t* size_mut() { return &len_; }
  int family() const { return storage_.ss_family; }
  uint16_t port() const;
  void set_port(uint16_t port);
  bool empty() const { return len_ == 0; }

  // "127.0.0.1:80" / "[::1]:80"; the address without the port with ip_text().
  std::string to_string() const;
  std::string ip_text() const;

  friend bool operator==(const SocketAddress& a, const SocketAddress& b);

 private:
  sockaddr_storage storage_{};
  socklen_t len_ = 0;
};

// Splits "host:port" / "[v6]:port". Returns false if the port is missing or not 1..65535.
bool split_host_port(std::string_view text, std::string& host, uint16_t& port);

// Resolves a host name (or numeric address) with getaddrinfo. Blocking: config time only.
// On failure returns an empty vector and sets `error` to gai_strerror's text.
std::vector<SocketAddress> resolve_host(const std::string& host, uint16_t port, std::string& error);

}  // namespace ringress::core
