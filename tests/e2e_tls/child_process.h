// A command-line tool (openssl s_server, an interactive openssl s_client) running in the
// background of a test: stdin is a socket the test writes to (so a tool that exits early never
// raises SIGPIPE in the test process), stdout and stderr go to files. The destructor kills it
// with SIGKILL and reaps it by PID. Every live child is registered so that a test that hangs
// can kill them all before the test process ends (kill_all_children_for_watchdog).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/net.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace ringress::test {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `argv` (argv[0] looked up in PATH).
  ::testing::AssertionResult start(const std::vector<std::string>& argv);
  pid_t pid() const { return pid_; }

  IoResult write_stdin(std::string_view bytes, Deadline deadline);
  // The child reads EOF on stdin.
  void close_stdin();
  // The waitpid status once the child has exited; nullopt if it still runs at the deadline.
  std::optional<int> wait_exit(Deadline deadline);
  // Waits until stdout holds at least `size` bytes, or the child exited, or the deadline passed;
  // returns stdout as it is then.
  std::string wait_output(size_t size, Deadline deadline);
  // SIGKILL and reap (no-op once reaped).
  void kill();

  std::string out() const;
  std::string err() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  Fd stdin_;
  std::optional<int> status_;
};

// Runs `argv` with `input` on stdin (then EOF), capturing its output; killed after `timeout`.
CommandResult run_with_input(const std::vector<std::string>& argv, std::string_view input,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A TLS test server: `openssl s_server -www` on 127.0.0.1:`port` with `cert` (it answers each
// HTTP GET with a status page, then closes). Waits until the port listens.
::testing::AssertionResult start_s_server(ChildProcess& child, uint16_t port, const CertFiles& cert,
                                          const std::vector<std::string>& extra = {});

// SIGKILL to every ChildProcess alive. For the watchdog only.
void kill_all_children_for_watchdog();

}  // namespace ringress::test
