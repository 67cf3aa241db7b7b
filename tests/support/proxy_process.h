// The real ringress binary as a child process: a config file in a private temp dir, posix_spawn
// with stdout+stderr captured to a log file, a bounded wait for the listener, and clean-up by
// PID. The log is printed when the test that owns the process has failed, so a failing test
// always shows what the proxy said.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ringress::test {

// How a child process ended.
struct ExitStatus {
  int raw = 0;  // the waitpid status

  bool exited() const;
  int code() const;  // exit code when exited(), else -1
  bool success() const { return exited() && code() == 0; }
  std::string describe() const;  // "exit 0", "killed by signal 9 (Killed)"
};

// The binary under test: $RINGRESS_BINARY if set, else the path CMake compiled in.
std::string ringress_binary();

// What a run of ringress to completion left behind.
struct RunResult {
  std::optional<ExitStatus> status;  // nullopt: it did not finish in time and was killed
  std::string out;                   // stdout
  std::string err;                   // stderr
};
// Runs ringress with `args` to completion (killed after `timeout`).
RunResult run_ringress(const std::vector<std::string>& args, std::chrono::milliseconds timeout);
// Writes `config_toml` to `<temp dir>/ringress.toml` (its path in *config_path, for matching
// error messages; the file is gone afterwards) and runs `ringress --validate -c <file>`.
RunResult validate_config(const std::string& config_toml, std::string* config_path);

class ProxyProcess {
 public:
  ProxyProcess();
  // Kills the process with SIGKILL if it still runs, reaps it, and removes the temp dir. Fails
  // the current test if the process had exited without the test asking for it (signal() or
  // wait_exit()), or if its log holds a sanitizer report; then, or if the test failed anyway,
  // prints the log.
  ~ProxyProcess();
  ProxyProcess(const ProxyProcess&) = delete;
  ProxyProcess& operator=(const ProxyProcess&) = delete;

  // Writes `config_toml`, starts `ringress -c <file>` and waits (5 s) until 127.0.0.1:`port`
  // is listening. The wait watches the kernel's socket table rather than connecting, so no
  // probe connection ever reaches an upstream server.
  ::testing::AssertionResult start(const std::string& config_toml, uint16_t port);

  pid_t pid() const { return pid_; }
  // True while the process has not exited (reaps it, keeping the status, once it has).
  bool running();
  // Resident memory from /proc/PID/status (VmRSS), in KiB; -1 if unreadable.
  long rss_kib() const;
  // Open file descriptors, counted in /proc/PID/fd; -1 if unreadable.
  long open_fds() const;
  bool signal(int sig);
  // Waits up to `timeout` for the process to exit; nullopt if it is still running.
  std::optional<ExitStatus> wait_exit(std::chrono::milliseconds timeout);
  // SIGTERM, then wait_exit(timeout).
  std::optional<ExitStatus> terminate(std::chrono::milliseconds timeout);
  // Everything the process has written to stdout and stderr so far.
  std::string log() const;

 private:
  std::string dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::optional<ExitStatus> exit_;
  bool exit_expected_ = false;  // the test signalled the process or waited for its exit
};

// True if some socket is listening on TCP port `port` (IPv4 or IPv6) in this network namespace.
bool port_is_listening(uint16_t port);

// Kills (SIGKILL) every ProxyProcess alive, prints its log and removes its temp dir. For the
// watchdog only: the test process ends right after.
void kill_all_proxies_for_watchdog();

}  // namespace ringress::test
