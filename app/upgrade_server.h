// UpgradeServer: the running process's side of a zero-downtime binary upgrade
// (app/upgrade_protocol.h). It listens on a Unix socket (mode 0600, peers of another user are
// refused), keeps a duplicate of every worker's listening socket, and hands all of them to the
// first successor that asks; once the successor says it serves them, run() calls handed_over()
// and the process drains as on SIGTERM (its acceptors stop; the sockets live on in the
// successor, so their accept queues and SO_REUSEPORT groups are untouched). SIGUSR2 starts a
// successor: the binary at the path this one was started from (so an `install` over it runs the
// new build), with the same arguments plus --upgrade-from.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "app/upgrade_protocol.h"
#include "core/cancel_token.h"
#include "core/task.h"

namespace ringress::app {

class UpgradeServer {
 public:
  // `path`: the Unix socket; `argv`: this process's command line, for the successor.
  UpgradeServer(std::string path, std::vector<std::string> argv);
  ~UpgradeServer();
  UpgradeServer(const UpgradeServer&) = delete;
  UpgradeServer& operator=(const UpgradeServer&) = delete;

  // Binds the socket beside the path and renames it over the path, so a successor replaces its
  // predecessor's socket atomically. A live socket at the path (another process answers) is
  // left alone unless `replace`. "" or what failed.
  std::string open(bool replace);
  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

  // Keeps a duplicate of worker `worker`'s listening socket for listener `name` on `address`.
  void add_socket(unsigned worker, const std::string& name, const std::string& address, int fd);
  // A reload closed listener `name`: its duplicates close, so a successor never takes them.
  void remove_sockets(const std::string& name);

  // On the control loop's reactor: serves successors one at a time until one took the sockets
  // (then calls handed_over() and returns) or `stop` is cancelled.
  core::Task<void> run(core::CancelToken& stop, std::function<void()> handed_over);
  // SIGUSR2: starts a successor unless one is already starting.
  void start_successor();
  // SIGCHLD: reaps exited successors and logs a failed one.
  void reap_children();
  bool handed_over() const { return handed_over_; }

  // Before the workers drain: closes the duplicates (so a worker's acceptor closing its socket
  // frees the port, as without an upgrade socket) and the Unix socket; removes the path unless
  // a successor's socket replaced it.
  void close();

 private:
  core::Task<bool> hand_over(int connection, core::CancelToken& stop);

  struct Listening {
    upgrade::SocketLabel label;
    int fd = -1;
  };
  std::string path_;
  std::vector<std::string> argv_;
  std::string binary_;  // the executable's path at start (before anything replaced it)
  int fd_ = -1;
  dev_t dev_ = 0;  // the socket file's identity, to remove it only while it is ours
  ino_t ino_ = 0;
  std::vector<Listening> sockets_;
  pid_t successor_ = -1;  // started by SIGUSR2, not yet reaped
  bool handed_over_ = false;
};

}  // namespace ringress::app
