#include "app/config_reload.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ringress::app {

namespace {

const conf::Listener* find_listener(const conf::Config& c, const std::string& name) {
  for (const conf::Listener& l : c.listeners)
    if (l.name == name) return &l;
  return nullptr;
}

std::string needs_restart(const std::string& key, const std::string& from, const std::string& to) {
  return key + " changed (" + from + " -> " + to +
         "): it needs a restart or a binary upgrade (SIGUSR2), not a reload";
}

}  // namespace

core::LogLevel core_log_level(conf::LogLevel level) {
  switch (level) {
    case conf::LogLevel::debug:
      return core::LogLevel::debug;
    case conf::LogLevel::info:
      return core::LogLevel::info;
    case conf::LogLevel::warn:
      return core::LogLevel::warn;
    case conf::LogLevel::error:
      return core::LogLevel::error;
  }
  return core::LogLevel::info;
}

std::string restart_only_change(const conf::Config& running, const conf::Config& next) {
  const conf::Runtime& a = running.runtime;
  const conf::Runtime& b = next.runtime;
  if (a.workers != b.workers)
    return needs_restart("runtime.workers", std::to_string(a.workers), std::to_string(b.workers));
  if (a.buffer_size != b.buffer_size)
    return needs_restart("runtime.buffer_size", std::to_string(a.buffer_size),
                         std::to_string(b.buffer_size));
  if (a.buffers_per_worker != b.buffers_per_worker)
    return needs_restart("runtime.buffers_per_worker", std::to_string(a.buffers_per_worker),
                         std::to_string(b.buffers_per_worker));
  if (a.connection_buffer != b.connection_buffer)
    return needs_restart("runtime.connection_buffer", std::to_string(a.connection_buffer),
                         std::to_string(b.connection_buffer));
  if (a.upgrade_socket != b.upgrade_socket)
    return needs_restart("runtime.upgrade_socket", "\"" + a.upgrade_socket + "\"",
                         "\"" + b.upgrade_socket + "\"");
  const conf::AdminSettings& x = running.admin;
  const conf::AdminSettings& y = next.admin;
  auto admin_text = [](const conf::AdminSettings& s) {
    return s.enabled ? s.address.to_string() : std::string("off");
  };
  if (x.enabled != y.enabled || (x.enabled && !(x.address == y.address)))
    return needs_restart("admin.address", admin_text(x), admin_text(y));
  if (x.allow_remote != y.allow_remote)
    return needs_restart("admin.allow_remote", x.allow_remote ? "true" : "false",
                         y.allow_remote ? "true" : "false");
  return {};
}

std::string unwritable_access_log(const conf::Config& config) {
  for (const conf::Listener& l : config.listeners) {
    for (const conf::FilterConfig& f : l.http.filters) {
      if (f.kind != conf::FilterKind::access_log || f.access_log.path == "-") continue;
      int fd = ::open(f.access_log.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0)
        return "listener " + l.name + ": access log " + f.access_log.path + ": " +
               std::strerror(errno);
      ::close(fd);
    }
  }
  return {};
}

ListenerPlan plan_listeners(const conf::Config& running, const conf::Config& next) {
  ListenerPlan plan;
  for (std::size_t i = 0; i < next.listeners.size(); ++i) {
    const conf::Listener& l = next.listeners[i];
    const conf::Listener* old = find_listener(running, l.name);
    if (old && old->address == l.address && old->protocol == l.protocol) {
      ++plan.kept;
      continue;
    }
    plan.bind.push_back(i);
    if (old) plan.close.push_back(old->name);
  }
  for (const conf::Listener& l : running.listeners)
    if (!find_listener(next, l.name)) plan.close.push_back(l.name);
  return plan;
}

std::string bind_listener(const conf::Listener& l, unsigned workers,
                          std::vector<core::Socket>& sockets) {
  std::vector<core::Socket> bound;
  for (unsigned w = 0; w < workers; ++w) {
    std::string error;
    core::Socket s = core::listen_tcp(l.address, static_cast<int>(l.backlog), true, error);
    if (!s.valid()) return "listener " + l.name + " on " + l.address.to_string() + ": " + error;
    bound.push_back(std::move(s));
  }
  sockets = std::move(bound);
  return {};
}

}  // namespace ringress::app
