// sd_notify: the systemd readiness protocol, written here rather than linked from libsystemd.
// The protocol is one datagram of "KEY=VALUE" lines to the AF_UNIX socket named by
// $NOTIFY_SOCKET (a path, or an abstract name when it starts with '@'). Without the variable
// every call is a no-op, so ringress behaves the same outside systemd.
#pragma once

#include <string_view>

namespace ringress::app::sd_notify {

// Sends `state` (e.g. "READY=1", or several lines) as one datagram. False when $NOTIFY_SOCKET
// is unset, unusable, or the send failed; the caller never needs to act on it.
bool notify(std::string_view state);

// The states ringress sends, in the order systemd expects them.
void ready();      // listeners bound and workers running
void reloading();  // RELOADING=1 with MONOTONIC_USEC (systemd >= 253 checks it)
void stopping();   // a drain begins
void main_pid();   // after a binary upgrade: this process is the service's main process now

}  // namespace ringress::app::sd_notify
