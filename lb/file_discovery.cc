#include "lb/file_discovery.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "conf/discovery.h"
#include "core/io_op.h"
#include "core/log.h"

namespace ringress::lb {

namespace {

constexpr std::size_t kEventBuffer = 16384;  // room for a burst of events (each <= 16 + NAME_MAX)
constexpr uint32_t kWatched = IN_CLOSE_WRITE | IN_MOVED_TO;

// The inotify instance, closed when run() ends.
struct InotifyFd {
  int fd = ::inotify_init1(IN_CLOEXEC);  // blocking: the ring polls it
  ~InotifyFd() {
    if (fd >= 0) ::close(fd);
  }
};

// What a batch of inotify events says about the watched file. (Not in the coroutine: a frame
// cannot hold an inotify_event, whose name is a flexible array.)
struct Seen {
  bool changed = false;     // written, renamed over, or events lost
  bool watch_gone = false;  // the directory was removed
};
Seen scan_events(const char* data, int n, const std::string& name) {
  Seen seen;
  for (int offset = 0; offset + static_cast<int>(sizeof(inotify_event)) <= n;) {
    inotify_event event;
    std::memcpy(&event, data + offset, sizeof(event));
    const char* event_name = data + offset + sizeof(inotify_event);
    if (event.mask & IN_Q_OVERFLOW) seen.changed = true;  // events were lost: look again
    if (event.mask & IN_IGNORED) seen.watch_gone = true;
    if ((event.mask & kWatched) && event.len > 0 && name == event_name) seen.changed = true;
    offset += static_cast<int>(sizeof(inotify_event) + event.len);
  }
  return seen;
}

}  // namespace

FileDiscovery::FileDiscovery(const conf::Cluster& cluster, EndpointsChanged on_change)
    : cluster_(cluster),
      on_change_(std::move(on_change)),
      reported_(configured_endpoints(cluster)) {}

core::Task<void> FileDiscovery::run(core::CancelToken& stop) {
  const std::string& path = cluster_.discovery.file.path;
  std::filesystem::path file(path);
  const std::string name = file.filename().string();
  const std::string directory = file.parent_path().string();
  InotifyFd inotify;
  if (inotify.fd < 0) {
    RLOG_ERROR("cluster %s: cannot watch %s: inotify_init1: %s", cluster_.name.c_str(),
               path.c_str(), std::strerror(errno));
    co_return;
  }
  if (::inotify_add_watch(inotify.fd, directory.c_str(), kWatched) < 0) {
    RLOG_ERROR("cluster %s: cannot watch %s: inotify_add_watch: %s", cluster_.name.c_str(),
               directory.c_str(), std::strerror(errno));
    co_return;
  }
  reload();
  auto buffer = std::make_unique<char[]>(kEventBuffer);
  while (!stop.cancelled()) {
    int fd = inotify.fd;
    char* data = buffer.get();
    int n = co_await core::io_op(
        [fd, data](io_uring_sqe* s) { io_uring_prep_read(s, fd, data, kEventBuffer, 0); },
        core::kNoDeadline, &stop);
    if (n == -ECANCELED) break;
    if (n == -EINTR) continue;
    if (n <= 0) {
      RLOG_ERROR("cluster %s: reading inotify events for %s: %s; no longer watching",
                 cluster_.name.c_str(), path.c_str(), std::strerror(-n));
      break;
    }
    Seen seen = scan_events(data, n, name);
    if (seen.changed) reload();
    if (seen.watch_gone) {
      RLOG_ERROR("cluster %s: directory %s is gone; no longer watching %s", cluster_.name.c_str(),
                 directory.c_str(), name.c_str());
      break;
    }
  }
}

void FileDiscovery::reload() {
  std::vector<conf::Endpoint> endpoints;
  try {
    endpoints =
        conf::read_endpoints_file(cluster_.discovery.file.path, cluster_.discovery.file.format);
  } catch (const conf::ConfigError& e) {
    ++stats_.failures;
    RLOG_WARN("cluster %s: endpoints file not used: %s; keeping the last good set (%zu hosts)",
              cluster_.name.c_str(), e.what(), reported_.size());
    return;
  }
  ++stats_.reloads;
  std::vector<DiscoveredEndpoint> set;
  for (const conf::Endpoint& e : endpoints)
    set.push_back({e.text, e.addresses.front(), e.weight, e.backup, e.metadata});
  sort_endpoints(set);
  if (set == reported_) return;
  ++stats_.changes;
  RLOG_INFO("cluster %s: endpoints file: %zu hosts (were %zu)", cluster_.name.c_str(), set.size(),
            reported_.size());
  reported_ = set;
  if (on_change_) on_change_(std::move(set));
}

}  // namespace ringress::lb
