// FileDiscovery: a file cluster's endpoints, read from a JSON or TOML file (conf/discovery.h has
// the format) and read again whenever it changes, on the control loop's thread.
//
// It watches the file's directory with inotify, read through the ring, for IN_CLOSE_WRITE (the
// file written in place) and IN_MOVED_TO (a new file renamed over it, as consul-template and
// Kubernetes volume updates do) of the file's name; so a deleted file keeps the last set, and a
// recreated one is read when it is written. A file that cannot be read or is invalid is logged
// (file:line:column: what is wrong) and the last good set is kept. The whole set goes to
// `on_change` only when it differs from the last one reported (the config's, read at load,
// at first). The directory must exist while ringress runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "conf/config.h"
#include "core/cancel_token.h"
#include "core/task.h"
#include "lb/discovered_endpoints.h"

namespace ringress::lb {

struct FileDiscoveryStats {
  uint64_t reloads = 0;   // the file read and valid
  uint64_t failures = 0;  // the file unreadable or invalid (the last good set was kept)
  uint64_t changes = 0;   // sets reported to on_change
};

class FileDiscovery {
 public:
  // `cluster` (discovery = "file") must outlive this object.
  FileDiscovery(const conf::Cluster& cluster, EndpointsChanged on_change);

  // Reads the file once (it may have changed since the config was loaded), then again on every
  // change until `stop` is cancelled. On the control loop's reactor thread.
  core::Task<void> run(core::CancelToken& stop);

  const FileDiscoveryStats& stats() const { return stats_; }
  const std::vector<DiscoveredEndpoint>& current() const { return reported_; }

 private:
  void reload();

  const conf::Cluster& cluster_;
  EndpointsChanged on_change_;
  std::vector<DiscoveredEndpoint> reported_;  // sorted
  FileDiscoveryStats stats_;
};

}  // namespace ringress::lb
