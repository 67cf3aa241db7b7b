#include "app/cli.h"

#include <string_view>

namespace ringress::app {

bool parse_cli(int argc, char** argv, CliOptions& out, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-c" || arg == "--config") {
      if (i + 1 >= argc) {
        error = std::string(arg) + " needs a file name";
        return false;
      }
      out.config_path = argv[++i];
    } else if (arg.starts_with("--config=")) {
      out.config_path = std::string(arg.substr(9));
    } else if (arg == "--upgrade-socket" || arg == "--upgrade-from") {
      if (i + 1 >= argc) {
        error = std::string(arg) + " needs a socket path";
        return false;
      }
      (arg == "--upgrade-from" ? out.upgrade_from : out.upgrade_socket) = argv[++i];
    } else if (arg.starts_with("--upgrade-socket=")) {
      out.upgrade_socket = std::string(arg.substr(17));
    } else if (arg.starts_with("--upgrade-from=")) {
      out.upgrade_from = std::string(arg.substr(15));
    } else if (arg == "--validate" || arg == "-t") {
      out.validate = true;
    } else if (arg == "-h" || arg == "--help") {
      out.help = true;
    } else if (arg == "-V" || arg == "--version") {
      out.version = true;
    } else {
      error = "unknown argument: " + std::string(arg);
      return false;
    }
  }
  if (!out.help && !out.version && out.config_path.empty()) {
    error = "no config file given (use -c FILE)";
    return false;
  }
  return true;
}

const char* usage_text() {
  return "usage: ringress -c FILE [--validate] [--upgrade-socket PATH] [--upgrade-from PATH]\n"
         "\n"
         "  -c, --config FILE        the TOML configuration to run\n"
         "  -t, --validate           check the configuration (files, addresses, names) and\n"
         "                           exit; binds no port\n"
         "  --upgrade-socket PATH    the Unix socket a successor takes the listening sockets\n"
         "                           from (default: runtime.upgrade_socket, else the config\n"
         "                           file's path plus \".sock\")\n"
         "  --upgrade-from PATH      take the listening sockets of the ringress listening on\n"
         "                           PATH, then tell it to drain and exit\n"
         "  -V, --version            print the version\n"
         "  -h, --help               this text\n"
         "\n"
         "Signals: SIGTERM/SIGINT stop accepting, let open connections finish (up to\n"
         "runtime.drain_timeout), then exit 0. SIGUSR2 starts the binary again with\n"
         "--upgrade-from (a zero-downtime upgrade, as nginx's USR2).\n"
         "Configuration reference: docs/configuration.md\n";
}

std::string upgrade_socket_path(const CliOptions& options, std::string_view configured) {
  if (!options.upgrade_socket.empty()) return options.upgrade_socket;
  if (!configured.empty()) return std::string(configured);
  return options.config_path + ".sock";
}

}  // namespace ringress::app
