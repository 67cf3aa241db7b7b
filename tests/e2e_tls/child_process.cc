#include "tests/e2e_tls/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <thread>

#include "tests/support/proxy_process.h"
#include "tests/support/spawn_attributes.h"

extern char** environ;

namespace ringress::test {

namespace {

using std::chrono::milliseconds;

std::mutex registry_mu;
std::set<pid_t> registry;

}  // namespace

ChildProcess::~ChildProcess() { kill(); }

::testing::AssertionResult ChildProcess::start(const std::vector<std::string>& argv) {
  if (pid_ > 0) return ::testing::AssertionFailure() << "already started";
  if (argv.empty()) return ::testing::AssertionFailure() << "empty command";
  if (dir_.path().empty()) return ::testing::AssertionFailure() << "cannot create a temp dir";
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    return ::testing::AssertionFailure() << "socketpair: " << strerror(errno);
  stdin_ = Fd(pair[0]);
  Fd child_end(pair[1]);

  std::vector<std::string> copies(argv);
  std::vector<char*> args;
  for (std::string& a : copies) args.push_back(a.data());
  args.push_back(nullptr);
  const std::string out_path = dir_.path() + "/stdout", err_path = dir_.path() + "/stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_end.get(), 0);
  constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC | O_APPEND;
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), kFlags, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), kFlags, 0644);
  posix_spawnattr_t attr;
  init_child_spawn_attributes(attr);
  int rc;
  {
    std::lock_guard lock(registry_mu);
    rc = posix_spawnp(&pid_, args[0], &actions, &attr, args.data(), environ);
    if (rc == 0) registry.insert(pid_);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    return ::testing::AssertionFailure() << "posix_spawnp " << argv[0] << ": " << strerror(rc);
  }
  return ::testing::AssertionSuccess();
}

IoResult ChildProcess::write_stdin(std::string_view bytes, Deadline deadline) {
  return send_all(stdin_.get(), bytes.data(), bytes.size(), deadline);
}

void ChildProcess::close_stdin() {
  if (stdin_.valid()) ::shutdown(stdin_.get(), SHUT_WR);
}

std::optional<int> ChildProcess::wait_exit(Deadline deadline) {
  while (pid_ > 0 && !status_) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = status;
      std::lock_guard lock(registry_mu);
      registry.erase(pid_);
      break;
    }
    if (r < 0 && errno != EINTR) break;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return status_;
}

std::string ChildProcess::wait_output(size_t size, Deadline deadline) {
  while (true) {
    std::string text = out();
    if (text.size() >= size || Clock::now() >= deadline) return text;
    if (wait_exit(Clock::now())) return out();
    std::this_thread::sleep_for(milliseconds(5));
  }
}

void ChildProcess::kill() {
  if (pid_ <= 0 || status_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = status;
  std::lock_guard lock(registry_mu);
  registry.erase(pid_);
}

std::string ChildProcess::out() const { return read_text_file(dir_.path() + "/stdout"); }

std::string ChildProcess::err() const { return read_text_file(dir_.path() + "/stderr"); }

CommandResult run_with_input(const std::vector<std::string>& argv, std::string_view input,
                             milliseconds timeout) {
  CommandResult result;
  ChildProcess child;
  ::testing::AssertionResult started = child.start(argv);
  if (!started) {
    result.failure = started.message();
    return result;
  }
  Deadline deadline = deadline_in(timeout);
  child.write_stdin(input, deadline);  // a child that exits early is seen below
  child.close_stdin();
  if (std::optional<int> status = child.wait_exit(deadline)) {
    result.finished = true;
    result.status = *status;
  }
  child.kill();
  result.out = child.out();
  result.err = child.err();
  return result;
}

::testing::AssertionResult start_s_server(ChildProcess& child, uint16_t port, const CertFiles& cert,
                                          const std::vector<std::string>& extra) {
  std::vector<std::string> argv{
      "openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
      "-cert",   cert.cert,  "-key",    cert.key,
      "-www",    "-quiet"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ::testing::AssertionResult started = child.start(argv);
  if (!started) return started;
  Deadline deadline = deadline_in(std::chrono::seconds(5));
  while (!port_is_listening(port)) {
    if (child.wait_exit(Clock::now())) {
      return ::testing::AssertionFailure()
             << "openssl s_server exited before listening on " << port << ": " << child.err();
    }
    if (Clock::now() >= deadline)
      return ::testing::AssertionFailure() << "openssl s_server not listening on " << port;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return ::testing::AssertionSuccess();
}

void kill_all_children_for_watchdog() {
  std::lock_guard lock(registry_mu);
  for (pid_t pid : registry) ::kill(pid, SIGKILL);
}

}  // namespace ringress::test
