#include "conf/config.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "conf/admin_section.h"
#include "conf/reader.h"
#include "conf/sections.h"

namespace ringress::conf {

namespace {

std::string format_what(const std::string& file, uint32_t line, uint32_t column,
                        const std::string& key, const std::string& message) {
  std::string out = file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

}  // namespace

std::string read_config_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ConfigError(path, 0, 0, "", std::strerror(errno));
  std::string text;
  char chunk[65536];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      throw ConfigError(path, 0, 0, "", std::strerror(error));
    }
    if (n == 0) break;
    text.append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

ConfigError::ConfigError(std::string file, uint32_t line, uint32_t column, std::string key,
                         std::string message)
    : std::runtime_error(format_what(file, line, column, key, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)),
      message_(std::move(message)) {}

Config load_config(const std::string& path) { return parse_config(read_config_file(path), path); }

Config parse_config(std::string_view text, const std::string& path) {
  toml::table document;
  try {
    document = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    fail_at(path, e.source().begin, "", std::string(e.description()));
  }
  Value root(path, document, "");
  Table table = root.table({"runtime", "listeners", "clusters", "admin"});
  Config config;
  config.path = path;
  if (auto v = table.get("runtime")) config.runtime = read_runtime(*v);
  if (auto v = table.get("clusters")) config.clusters = read_clusters(*v);
  if (auto v = table.get("admin")) config.admin = read_admin(*v);
  auto listeners = table.get("listeners");
  if (!listeners)
    fail_at(path, document.source().begin, "listeners",
            "a config needs at least one [[listeners]] table");
  config.listeners = read_listeners(*listeners, config.clusters);
  return config;
}

}  // namespace ringress::conf
