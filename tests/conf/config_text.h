// Helpers of the config tests: the error a config text gives, and a small valid config to add
// the keys under test to (so each test states only what it checks, and its line:column).
#pragma once

#include <string>
#include <string_view>

#include "conf/config.h"

namespace ringress::conf::test {

// The message loading `text` (as file `path`) fails with, or "(no error)".
inline std::string error_of(std::string_view text, const std::string& path = "proxy.toml") {
  try {
    parse_config(text, path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// A tcp listener (lines 1-4), then a cluster "users" (lines 5-7) with `keys` from line 8.
inline std::string users_cluster(std::string_view keys) {
  return "[[listeners]]\nname = \"front\"\naddress = \"127.0.0.1:8000\"\ncluster = \"users\"\n"
         "[[clusters]]\nname = \"users\"\nendpoints = [\"127.0.0.1:9001\"]\n" +
         std::string(keys);
}

}  // namespace ringress::conf::test
