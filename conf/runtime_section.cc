#include <sys/un.h>

#include <filesystem>

#include "conf/sections.h"

namespace ringress::conf {

namespace {

constexpr int64_t kMaxWorkers = 1024;
constexpr Duration kMaxDrainTimeout = std::chrono::hours(24);
constexpr uint64_t kMinBufferSize = 1024, kMaxBufferSize = 1 << 20;
constexpr int64_t kMinBuffers = 64, kMaxBuffers = 32768;  // an io_uring buffer ring's limit
constexpr uint64_t kMinConnectionBuffer = 1024, kMaxConnectionBuffer = 1 << 30;

bool is_power_of_two(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

// The upgrade socket's path: relative to the config file's directory, as every file the config
// names, and short enough for a Unix socket address.
std::string upgrade_socket_path(const Value& value) {
  std::string text = value.string();
  if (text.empty()) value.fail("expected a socket path, got an empty string");
  std::filesystem::path p(text);
  if (p.is_relative()) p = std::filesystem::path(value.file()).parent_path() / p;
  std::string path = p.lexically_normal().string();
  constexpr std::size_t kMaxPath = sizeof(sockaddr_un::sun_path) - 1;
  if (path.size() > kMaxPath)
    value.fail("a Unix socket path has at most " + std::to_string(kMaxPath) + " bytes, " + path +
               " has " + std::to_string(path.size()));
  return path;
}

}  // namespace

Runtime read_runtime(const Value& value) {
  Table table = value.table({"workers", "drain_timeout", "buffer_size", "buffers_per_worker",
                             "connection_buffer", "log_level", "upgrade_socket"});
  Runtime runtime;
  if (auto v = table.get("workers"))
    runtime.workers = static_cast<unsigned>(v->integer(0, kMaxWorkers));
  if (auto v = table.get("drain_timeout"))
    runtime.drain_timeout = v->duration(Duration{0}, kMaxDrainTimeout);
  auto buffer_size = table.get("buffer_size");
  if (buffer_size)
    runtime.buffer_size = static_cast<uint32_t>(buffer_size->size(kMinBufferSize, kMaxBufferSize));
  if (auto v = table.get("buffers_per_worker")) {
    int64_t n = v->integer(kMinBuffers, kMaxBuffers);
    if (!is_power_of_two(n))
      v->fail("must be a power of two (64, 128, ..., 32768), got " + v->describe());
    runtime.buffers_per_worker = static_cast<uint32_t>(n);
  }
  auto connection_buffer = table.get("connection_buffer");
  if (connection_buffer)
    runtime.connection_buffer =
        static_cast<uint32_t>(connection_buffer->size(kMinConnectionBuffer, kMaxConnectionBuffer));
  // A connection must be able to hold at least one receive buffer. The defaults agree, so one of
  // the two keys was given.
  if (runtime.connection_buffer < runtime.buffer_size) {
    if (connection_buffer)
      connection_buffer->fail("must be at least buffer_size (" + format_size(runtime.buffer_size) +
                              "), got " + connection_buffer->describe());
    buffer_size->fail("must be at most connection_buffer (" +
                      format_size(runtime.connection_buffer) + " by default), got " +
                      buffer_size->describe());
  }
  if (auto v = table.get("log_level")) {
    constexpr LogLevel kLevels[] = {LogLevel::debug, LogLevel::info, LogLevel::warn,
                                    LogLevel::error};
    runtime.log_level = kLevels[v->choice({"debug", "info", "warn", "error"})];
  }
  if (auto v = table.get("upgrade_socket")) runtime.upgrade_socket = upgrade_socket_path(*v);
  return runtime;
}

}  // namespace ringress::conf
