#include "tests/support/proxy_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/support/listening_sockets.h"
#include "tests/support/spawn_attributes.h"

extern char** environ;

namespace ringress::test {

namespace {

using std::chrono::milliseconds;

// Live children and their logs, for the watchdog to kill and print if a test hangs.
std::mutex registry_mu;
std::map<pid_t, std::string> registry;

std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/ringress-e2e-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts `binary args...` with stdin from /dev/null, stdout into `out_path` and stderr into
// `err_path` (one file when they are equal), with default signal handling and nothing blocked
// (a test thread's signal mask must not leak into it).
pid_t spawn(const std::vector<std::string>& args, const std::string& out_path,
            const std::string& err_path, std::string& error) {
  std::string binary = ringress_binary();
  if (::access(binary.c_str(), X_OK) != 0) {
    error = binary + " is not an executable file (build the ringress target, or set " +
            "RINGRESS_BINARY)";
    return -1;
  }
  std::vector<char*> argv;
  argv.push_back(binary.data());
  std::vector<std::string> copies(args);
  for (std::string& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC | O_APPEND;
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), kFlags, 0644);
  if (out_path == err_path) {
    posix_spawn_file_actions_adddup2(&actions, 2, 1);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), kFlags, 0644);
  }
  posix_spawnattr_t attr;
  init_child_spawn_attributes(attr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, binary.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    error = "posix_spawn " + binary + ": " + strerror(rc);
    return -1;
  }
  return pid;
}

// Polls waitpid until the child exits or `timeout` passes.
std::optional<ExitStatus> wait_child(pid_t pid, milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return ExitStatus{status};
    if (r < 0 && errno != EINTR) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(2));
  }
}

bool listening_in(const char* table, uint16_t port) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    // "  sl  local_address rem_address   st ..." with local_address "HEXIP:HEXPORT".
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    size_t colon = local.rfind(':');
    if (colon == std::string::npos || state != "0A") continue;  // 0A = LISTEN
    if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) return true;
  }
  return false;
}

void print_log(pid_t pid, const std::string& log_path) {
  std::cerr << "----- ringress (pid " << pid << ") output, " << log_path << " -----\n"
            << read_file(log_path) << "----- end of ringress output -----\n";
}

}  // namespace

bool ExitStatus::exited() const { return WIFEXITED(raw); }

int ExitStatus::code() const { return exited() ? WEXITSTATUS(raw) : -1; }

std::string ExitStatus::describe() const {
  if (exited()) return "exit " + std::to_string(code());
  if (WIFSIGNALED(raw)) {
    int sig = WTERMSIG(raw);
    return "killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "wait status " + std::to_string(raw);
}

std::string ringress_binary() {
  const char* env = std::getenv("RINGRESS_BINARY");
  if (env && *env) return env;
  return RINGRESS_BINARY;
}

bool port_is_listening(uint16_t port) {
  if (std::optional<bool> listening = sock_diag_port_is_listening(port)) return *listening;
  return listening_in("/proc/net/tcp", port) || listening_in("/proc/net/tcp6", port);
}

namespace {

// run_ringress in `dir`, which the caller has made and removes.
RunResult run_in(const std::string& dir, const std::vector<std::string>& args,
                 milliseconds timeout) {
  RunResult result;
  std::string out_path = dir + "/stdout.log", err_path = dir + "/stderr.log";
  std::string error;
  pid_t pid = spawn(args, out_path, err_path, error);
  if (pid < 0) {
    result.err = error;
    return result;
  }
  result.status = wait_child(pid, timeout);
  if (!result.status) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

}  // namespace

RunResult run_ringress(const std::vector<std::string>& args, milliseconds timeout) {
  std::string dir = make_temp_dir();
  if (dir.empty()) return RunResult{std::nullopt, "", "cannot create a temp dir"};
  RunResult result = run_in(dir, args, timeout);
  std::filesystem::remove_all(dir);
  return result;
}

RunResult validate_config(const std::string& config_toml, std::string* config_path) {
  std::string dir = make_temp_dir();
  if (dir.empty()) return RunResult{std::nullopt, "", "cannot create a temp dir"};
  std::string path = dir + "/ringress.toml";
  if (config_path) *config_path = path;
  RunResult result = write_file(path, config_toml)
                         ? run_in(dir, {"--validate", "-c", path}, std::chrono::seconds(10))
                         : RunResult{std::nullopt, "", "cannot write " + path};
  std::filesystem::remove_all(dir);
  return result;
}

ProxyProcess::ProxyProcess() : dir_(make_temp_dir()), log_path_(dir_ + "/ringress.log") {}

ProxyProcess::~ProxyProcess() {
  if (pid_ > 0) {
    if (!running() && !exit_expected_)
      ADD_FAILURE() << "ringress (pid " << pid_
                    << ") exited during the test: " << exit_->describe();
    if (!exit_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      exit_ = ExitStatus{status};
    }
    {
      std::lock_guard lock(registry_mu);
      registry.erase(pid_);
    }
    std::string text = log();
    for (const char* report :
         {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
      if (text.find(report) != std::string::npos)
        ADD_FAILURE() << "ringress (pid " << pid_ << ") logged \"" << report << "\"";
    }
    if (::testing::Test::HasFailure()) print_log(pid_, log_path_);
  }
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

::testing::AssertionResult ProxyProcess::start(const std::string& config_toml, uint16_t port) {
  if (dir_.empty()) return ::testing::AssertionFailure() << "cannot create a temp dir";
  if (pid_ > 0) return ::testing::AssertionFailure() << "already started";
  std::string config_path = dir_ + "/ringress.toml";
  if (!write_file(config_path, config_toml))
    return ::testing::AssertionFailure() << "cannot write " << config_path;
  std::string error;
  {
    // Registered under the lock so the watchdog never misses a child that exists.
    std::lock_guard lock(registry_mu);
    pid_ = spawn({"-c", config_path}, log_path_, log_path_, error);
    if (pid_ > 0) registry[pid_] = log_path_;
  }
  if (pid_ < 0) return ::testing::AssertionFailure() << error;

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!port_is_listening(port)) {
    if (!running()) {
      return ::testing::AssertionFailure() << "ringress exited before listening on port " << port
                                           << ": " << exit_->describe() << "\nconfig:\n"
                                           << config_toml;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return ::testing::AssertionFailure()
             << "ringress (pid " << pid_ << ") is not listening on 127.0.0.1:" << port
             << " after 5 s\nconfig:\n"
             << config_toml;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  return ::testing::AssertionSuccess();
}

bool ProxyProcess::running() {
  if (pid_ <= 0 || exit_) return false;
  exit_ = wait_child(pid_, milliseconds(0));
  return !exit_;
}

long ProxyProcess::rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

long ProxyProcess::open_fds() const {
  std::error_code error;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid_) + "/fd", error);
  if (error) return -1;
  long n = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(error)) {
    if (error) return -1;
    ++n;
  }
  return n;
}

bool ProxyProcess::signal(int sig) {
  exit_expected_ = true;
  return pid_ > 0 && !exit_ && ::kill(pid_, sig) == 0;
}

std::optional<ExitStatus> ProxyProcess::wait_exit(milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  exit_expected_ = true;
  if (!exit_) exit_ = wait_child(pid_, timeout);
  return exit_;
}

std::optional<ExitStatus> ProxyProcess::terminate(milliseconds timeout) {
  signal(SIGTERM);
  return wait_exit(timeout);
}

std::string ProxyProcess::log() const { return read_file(log_path_); }

void kill_all_proxies_for_watchdog() {
  std::lock_guard lock(registry_mu);
  for (const auto& [pid, log_path] : registry) {
    ::kill(pid, SIGKILL);
    print_log(pid, log_path);
    std::filesystem::remove_all(std::filesystem::path(log_path).parent_path());
  }
}

}  // namespace ringress::test
