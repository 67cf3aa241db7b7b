// Whether a TCP port has a listening socket, asked of the kernel through NETLINK_SOCK_DIAG with
// a LISTEN-only filter. Reading /proc/net/tcp instead walks every socket of the namespace,
// TIME_WAIT ones included, which takes hundreds of milliseconds on a machine that has just run
// many tests.
#pragma once

#include <cstdint>
#include <optional>

namespace ringress::test {

// True or false, or nullopt when sock_diag is unavailable (the caller falls back to /proc).
std::optional<bool> sock_diag_port_is_listening(uint16_t port);

}  // namespace ringress::test
