// Command-line parsing for the ringress binary.
#pragma once

#include <string>

namespace ringress::app {

struct CliOptions {
  std::string config_path;
  bool validate = false;
  bool help = false;
  bool version = false;
};

// Returns false and sets `error` on a malformed command line.
bool parse_cli(int argc, char** argv, CliOptions& out, std::string& error);
const char* usage_text();

}  // namespace ringress::app
