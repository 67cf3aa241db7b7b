// UpgradeClient: the successor's side of a zero-downtime binary upgrade
// (app/upgrade_protocol.h), used by main before and after its workers start. connect() takes
// every listening socket of the running process; main then take()s the ones its config has
// (same address, same worker index; a changed backlog is applied) and binds the others fresh;
// finish() closes the ones nobody took and tells the old process to stop accepting and drain.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/upgrade_protocol.h"
#include "conf/config.h"
#include "core/socket.h"

namespace ringress::app {

class UpgradeClient {
 public:
  // Connects to the running process at `path` and receives its sockets (blocking, bounded by a
  // 10 s receive timeout). Null with `error` set when that failed; nothing has changed then.
  static std::unique_ptr<UpgradeClient> connect(const std::string& path, std::string& error);

  // The old process's socket of worker `worker` for `listener`, or an invalid Socket.
  core::Socket take(unsigned worker, const conf::Listener& listener);
  std::size_t received() const { return received_; }
  std::size_t taken() const { return taken_; }

  // After this process's workers accept: closes the sockets not taken, sends SERVING and waits
  // for the old process's DRAINING. False with `error` if the old process did not confirm
  // (it may have died meanwhile; this process serves either way). Returns the old pid via `old`.
  bool finish(std::string& error, int& old);

 private:
  struct Received {
    upgrade::SocketLabel label;
    core::Socket socket;
  };
  core::Socket connection_;
  std::vector<Received> sockets_;
  std::size_t received_ = 0;
  std::size_t taken_ = 0;
};

}  // namespace ringress::app
