#include "tests/lb/dnsmasq.h"

#include <signal.h>
#include <spawn.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

#include "tests/support/net.h"
#include "tests/support/spawn_attributes.h"

extern char** environ;

namespace ringress::test {

std::string dnsmasq_binary() {
  for (const char* path : {"/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"})
    if (::access(path, X_OK) == 0) return path;
  return "";
}

::testing::AssertionResult Dnsmasq::start(uint16_t port, const std::string& hosts_file,
                                          const std::vector<std::string>& options) {
  stop();
  std::vector<std::string> args = {dnsmasq_binary(),
                                   "--keep-in-foreground",
                                   "--conf-file=/dev/null",
                                   "--no-resolv",
                                   "--no-hosts",
                                   "--no-negcache",
                                   "--listen-address=127.0.0.1",
                                   "--bind-interfaces",
                                   "--port=" + std::to_string(port),
                                   "--pid-file=",
                                   "--addn-hosts=" + hosts_file};
  if (::geteuid() == 0) args.push_back("--user=root");  // keep reading the test's files
  args.insert(args.end(), options.begin(), options.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawnattr_t attr;
  init_child_spawn_attributes(attr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  int rc = posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    return ::testing::AssertionFailure() << "cannot start dnsmasq: " << std::strerror(rc);
  }
  Deadline deadline = deadline_in(std::chrono::seconds(10));
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return ::testing::AssertionFailure() << "dnsmasq exited at start (status " << status << ")";
    }
    Fd probe = connect_tcp(port, deadline_in(std::chrono::milliseconds(200)));
    if (probe.valid()) return ::testing::AssertionSuccess();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  return ::testing::AssertionFailure() << "dnsmasq did not listen on port " << port;
}

void Dnsmasq::reload() {
  if (pid_ > 0) ::kill(pid_, SIGHUP);
}

void Dnsmasq::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void write_file_atomically(const std::string& path, const std::string& text) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
  }
  std::rename(temporary.c_str(), path.c_str());
}

}  // namespace ringress::test
