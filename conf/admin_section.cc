#include "conf/admin_section.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace ringress::conf {

namespace {

// 127.0.0.0/8, ::1, or an IPv4-mapped 127.x address.
bool is_loopback(const core::SocketAddress& a) {
  if (a.family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(a.get());
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a.get());
  if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
  return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127;
}

}  // namespace

AdminSettings read_admin(const Value& value) {
  Table table = value.table({"address", "allow_remote"});
  AdminSettings admin;
  admin.enabled = true;
  if (auto v = table.get("allow_remote")) admin.allow_remote = v->boolean();
  Value address = table.require("address");
  admin.address_text = address.string();
  auto parsed = core::SocketAddress::parse_numeric(admin.address_text);
  if (!parsed)
    address.fail(
        "expected a numeric \"ip:port\" with a port from 1 to 65535, like \"127.0.0.1:9901\", "
        "got " +
        address.describe());
  admin.address = *parsed;
  if (!admin.allow_remote && !is_loopback(admin.address))
    address.fail(admin.address_text +
                 " is not a loopback address: the admin endpoint has no authentication; use "
                 "127.0.0.1 or [::1], or set allow_remote = true");
  return admin;
}

}  // namespace ringress::conf
