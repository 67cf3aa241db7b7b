// The binary-upgrade hand-over protocol (docs/operations.md, "Zero-downtime binary upgrade"),
// shared by the running process (app/upgrade_server.h) and its successor (app/upgrade_client.h).
//
// One SOCK_SEQPACKET connection on the running process's Unix socket, so every message keeps its
// boundary and carries its descriptors with it. Each message is one text line group starting with
// "RINGRESS-UPGRADE <version> <KIND>":
//   new -> old  HELLO <pid>
//   old -> new  SOCKETS, then one line "<worker> <address> <listener name>" per descriptor of
//               the message's SCM_RIGHTS (at most kSocketsPerMessage), as often as needed
//   old -> new  END <count>          every socket has been sent
//   new -> old  SERVING <pid>        its workers accept on them: the old process may stop
//   old -> new  DRAINING <pid>       the old process stopped accepting and drains
// A message of another version, or a closed connection, ends the exchange; the old process then
// keeps serving as if nothing happened.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringress::app::upgrade {

constexpr int kVersion = 1;
constexpr std::size_t kSocketsPerMessage = 64;  // well under the kernel's SCM_MAX_FD (253)
constexpr std::size_t kMaxMessage = 16384;

// A listening socket as the old process describes it: which worker accepted on it, the
// listener's address (SocketAddress::to_string) and name.
struct SocketLabel {
  unsigned worker = 0;
  std::string address;
  std::string name;
};

// "RINGRESS-UPGRADE 1 <kind>" plus " <argument>" when it is not empty.
std::string message(std::string_view kind, std::string_view argument = {});
// The kind and argument of a message of this version; nullopt if it is not one.
struct Parsed {
  std::string kind;
  std::string argument;  // the rest of the first line
  std::string body;      // the lines after the first
};
std::optional<Parsed> parse(std::string_view text);

// The body lines of a SOCKETS message, and back (nullopt on a malformed line).
std::string label_lines(const std::vector<SocketLabel>& labels);
std::optional<std::vector<SocketLabel>> parse_labels(std::string_view body);

// Blocking send and receive of a message with descriptors (SCM_RIGHTS). send: 0 or -errno.
// receive: the bytes read (0 = peer closed) or -errno; received descriptors are close-on-exec
// and appended to `fds` (a truncated set is an error, and what arrived is closed).
int send_with_fds(int socket, std::string_view text, const std::vector<int>& fds);
long receive_with_fds(int socket, std::string& text, std::vector<int>& fds);

}  // namespace ringress::app::upgrade
