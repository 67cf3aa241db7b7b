// Command-line parsing for the ringress binary.
#pragma once

#include <string>
#include <string_view>

namespace ringress::app {

struct CliOptions {
  std::string config_path;
  // Zero-downtime upgrade (docs/operations.md): where this process offers its listening sockets
  // to a successor (empty: runtime.upgrade_socket, else "<config path>.sock"), and the socket of a
  // running process to take them from instead of binding.
  std::string upgrade_socket;
  std::string upgrade_from;
  bool validate = false;
  bool help = false;
  bool version = false;
};

// Returns false and sets `error` on a malformed command line.
bool parse_cli(int argc, char** argv, CliOptions& out, std::string& error);
const char* usage_text();
// The upgrade socket this process listens on: --upgrade-socket, else `configured` (the config's
// runtime.upgrade_socket) when not empty, else "<config path>.sock".
std::string upgrade_socket_path(const CliOptions& options, std::string_view configured = {});

}  // namespace ringress::app
