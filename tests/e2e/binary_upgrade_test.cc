// Zero-downtime binary upgrade (--upgrade-from and SIGUSR2) and the sd_notify datagrams, against
// the real binary on 127.0.0.1. The processes are started here (their arguments and environment
// are the point of the test) and every one is ended by its PID, including the successor that
// SIGUSR2 makes, which is not this process's child.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/http_proxy_config.h"
#include "tests/support/http_upstream.h"
#include "tests/support/net.h"
#include "tests/support/proxy_config.h"
#include "tests/support/proxy_process.h"
#include "tests/support/spawn_attributes.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_servers.h"

extern char** environ;

namespace ringress::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// True once `pid` is gone or a zombie (a reparented successor may never be reaped in a
// container whose init does not reap).
bool process_gone(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return true;
  std::size_t paren = text.rfind(')');
  return paren == std::string::npos || paren + 2 >= text.size() || text[paren + 2] == 'Z';
}

bool wait_gone(pid_t pid, milliseconds timeout) {
  Deadline deadline = deadline_in(timeout);
  while (!process_gone(pid)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

// A ringress that is not our child (SIGUSR2's successor): SIGKILLed by PID unless it is gone.
struct AdoptedProcess {
  pid_t pid = -1;
  ~AdoptedProcess() {
    if (pid > 0 && !process_gone(pid)) {
      ::kill(pid, SIGKILL);
      wait_gone(pid, milliseconds(5000));
    }
  }
};

// One ringress started with the test's arguments and extra environment, output in `log_path`.
class Ringress {
 public:
  explicit Ringress(std::string log_path) : log_path_(std::move(log_path)) {}
  ~Ringress() {
    if (pid_ > 0 && !exit_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (::testing::Test::HasFailure())
      std::cerr << "----- " << log_path_ << " -----\n" << log() << "----- end -----\n";
  }

  bool start(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    std::string binary = ringress_binary();
    std::vector<std::string> arg_copies(args);
    std::vector<char*> argv{binary.data()};
    for (std::string& a : arg_copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_copies(env);
    std::vector<char*> envp;
    for (char** e = environ; *e; ++e)
      if (std::strncmp(*e, "NOTIFY_SOCKET=", 14) != 0) envp.push_back(*e);
    for (std::string& e : env_copies) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 2, 1);
    posix_spawnattr_t attr;
    init_child_spawn_attributes(attr);
    int rc = posix_spawn(&pid_, binary.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc == 0;
  }
  pid_t pid() const { return pid_; }
  std::optional<ExitStatus> wait_exit(milliseconds timeout) {
    Deadline deadline = deadline_in(timeout);
    while (!exit_) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_ = ExitStatus{status};
        break;
      }
      if (Clock::now() >= deadline) break;
      std::this_thread::sleep_for(milliseconds(2));
    }
    return exit_;
  }
  std::string log() const { return read_text_file(log_path_); }
  // Waits until the log contains `text`.
  bool wait_log(const std::string& text, milliseconds timeout) const {
    Deadline deadline = deadline_in(timeout);
    while (log().find(text) == std::string::npos) {
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return true;
  }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  std::optional<ExitStatus> exit_;
};

bool wait_listening(uint16_t port, milliseconds timeout) {
  Deadline deadline = deadline_in(timeout);
  while (!port_is_listening(port)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

// Connects to `port` in a loop, each time a 4-byte round trip through the proxy to an echo
// server, and counts refusals and any other failure.
class ConnectLoop {
 public:
  explicit ConnectLoop(uint16_t port) : thread_([this, port] { run(port); }) {}
  ~ConnectLoop() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t ok() const { return ok_; }
  uint64_t refused() const { return refused_; }
  uint64_t failed() const { return failed_; }
  std::string first_failure() const { return first_failure_; }

 private:
  void run(uint16_t port) {
    while (!stop_) {
      Fd c = connect_tcp(port, deadline_in(seconds(2)));
      if (!c.valid()) {
        if (errno == ECONNREFUSED)
          ++refused_;
        else
          fail(std::string("connect: ") + std::strerror(errno));
        continue;
      }
      char reply[4];
      IoResult sent = send_all(c.get(), "ping", 4, deadline_in(seconds(2)));
      IoResult got = sent.ok() ? recv_exact(c.get(), reply, 4, deadline_in(seconds(2))) : sent;
      if (!got.ok() || std::memcmp(reply, "ping", 4) != 0)
        fail("round trip: " + got.describe());
      else
        ++ok_;
    }
  }
  void fail(std::string why) {
    if (failed_++ == 0) first_failure_ = std::move(why);
  }
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> ok_{0}, refused_{0}, failed_{0};
  std::string first_failure_;
  std::thread thread_;
};

// A datagram socket standing in for systemd's notify socket: a path, or an abstract name
// ("@..."), as $NOTIFY_SOCKET names it.
class NotifySocket {
 public:
  explicit NotifySocket(std::string name) : name_(std::move(name)) {
    fd_ = Fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name_.data(), name_.size());
    socklen_t size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    if (name_[0] == '@')
      addr.sun_path[0] = '\0';
    else
      size += 1;
    bound_ = ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), size) == 0;
  }
  bool bound() const { return bound_; }
  std::string env() const { return "NOTIFY_SOCKET=" + name_; }
  // The next datagram; nullopt if none arrives within `timeout`.
  std::optional<std::string> next(milliseconds timeout) {
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buf[4096];
    ssize_t n = ::recv(fd_.get(), buf, sizeof(buf), 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }

 private:
  std::string name_;
  Fd fd_;
  bool bound_ = false;
};

std::string tcp_config(uint16_t listen_port, uint16_t upstream_port, unsigned workers) {
  ProxyConfig config;
  config.listen_port = listen_port;
  config.endpoints = {{upstream_port}};
  config.workers = workers;
  config.drain_timeout = "5s";
  return config.toml();
}

bool write_config(const std::string& path, const std::string& toml) {
  std::ofstream out(path, std::ios::trunc);
  out << toml;
  return static_cast<bool>(out.flush());
}

// A connect loop runs across `--upgrade-from`: no connection is refused or fails, the old
// process logs the hand-over and exits 0, and the successor serves on the same sockets.
TEST(BinaryUpgrade, ConnectLoopSeesNoRefusalAcrossUpgrade) {
  TempDir dir;
  EchoServer upstream;
  const uint16_t port = free_port();
  const std::string config = dir.path() + "/ringress.toml";
  ASSERT_TRUE(write_config(config, tcp_config(port, upstream.port(), 2)));
  Ringress old_process(dir.path() + "/old.log");
  ASSERT_TRUE(old_process.start({"-c", config}));
  ASSERT_TRUE(wait_listening(port, milliseconds(5000)));
  ASSERT_TRUE(old_process.wait_log("running with 2 worker(s)", milliseconds(5000)));

  ConnectLoop loop(port);
  std::this_thread::sleep_for(milliseconds(300));
  Ringress successor(dir.path() + "/new.log");
  ASSERT_TRUE(successor.start({"-c", config, "--upgrade-from", config + ".sock"}));
  std::optional<ExitStatus> old_exit = old_process.wait_exit(milliseconds(10000));
  ASSERT_TRUE(old_exit) << "the old process still runs 10 s after the upgrade started";
  EXPECT_TRUE(old_exit->success()) << old_exit->describe();
  std::this_thread::sleep_for(milliseconds(300));
  loop.stop();

  EXPECT_EQ(loop.refused(), 0u);
  EXPECT_EQ(loop.failed(), 0u) << loop.first_failure();
  EXPECT_GT(loop.ok(), 20u);
  const std::string old_log = old_process.log();
  EXPECT_NE(old_log.find("upgrade: process " + std::to_string(successor.pid()) +
                         " takes the 2 listening sockets"),
            std::string::npos);
  EXPECT_NE(old_log.find("upgrade: process " + std::to_string(successor.pid()) +
                         " serves the listeners now; this one stops accepting and drains"),
            std::string::npos);
  EXPECT_NE(successor.log().find("upgrade: took 2 of 2 listening sockets; process " +
                                 std::to_string(old_process.pid()) + " drains and exits"),
            std::string::npos);

  Fd client = connect_tcp(port, deadline_in(seconds(2)));
  ASSERT_TRUE(client.valid()) << std::strerror(errno);
  ASSERT_TRUE(send_all(client.get(), "after", 5, deadline_in(seconds(2))).ok());
  char reply[5];
  ASSERT_TRUE(recv_exact(client.get(), reply, 5, deadline_in(seconds(2))).ok());
  EXPECT_EQ(std::string(reply, 5), "after");
  client.reset();
  ::kill(successor.pid(), SIGTERM);
  std::optional<ExitStatus> new_exit = successor.wait_exit(milliseconds(10000));
  ASSERT_TRUE(new_exit);
  EXPECT_TRUE(new_exit->success()) << new_exit->describe();
}

// Where the upgrade socket is: --upgrade-socket, else runtime.upgrade_socket (relative to the
// config file's directory), else the config file's path plus ".sock".
TEST(BinaryUpgrade, UpgradeSocketFromTheCommandLineTheConfigOrTheConfigPath) {
  TempDir dir;
  EchoServer upstream;
  const std::string config = dir.path() + "/ringress.toml";
  auto is_socket = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
  };
  struct Case {
    std::string key;                // runtime.upgrade_socket, if any
    std::vector<std::string> args;  // after -c FILE
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", {}, config + ".sock"},
      {"from-config.sock", {}, dir.path() + "/from-config.sock"},
      {"from-config.sock",
       {"--upgrade-socket", dir.path() + "/from-cli.sock"},
       dir.path() + "/from-cli.sock"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    const uint16_t port = free_port();
    std::string toml = tcp_config(port, upstream.port(), 1);
    if (!c.key.empty()) {
      const std::size_t at = toml.find("[runtime]\n");
      ASSERT_NE(at, std::string::npos) << toml;
      toml.insert(at + 10, "upgrade_socket = \"" + c.key + "\"\n");
    }
    ASSERT_TRUE(write_config(config, toml));
    std::vector<std::string> args{"-c", config};
    args.insert(args.end(), c.args.begin(), c.args.end());
    Ringress process(dir.path() + "/ringress-" + std::to_string(port) + ".log");
    ASSERT_TRUE(process.start(args));
    ASSERT_TRUE(process.wait_log("running with 1 worker(s)", milliseconds(5000)));
    EXPECT_TRUE(is_socket(c.expected));
    for (const std::string& other :
         {config + ".sock", dir.path() + "/from-config.sock", dir.path() + "/from-cli.sock"}) {
      if (other != c.expected) {
        EXPECT_FALSE(is_socket(other)) << other;
      }
    }
    ::kill(process.pid(), SIGTERM);
    std::optional<ExitStatus> exit = process.wait_exit(milliseconds(10000));
    ASSERT_TRUE(exit);
    EXPECT_TRUE(exit->success()) << exit->describe();
  }
}

// A slow upstream response started on the old process arrives whole after the upgrade: the
// old process drains it, then exits; the successor answers the next request.
TEST(BinaryUpgrade, InFlightRequestOnOldProcessCompletes) {
  TempDir dir;
  std::string body;
  for (int i = 0; i < 100000; ++i) body.push_back(static_cast<char>('a' + i % 26));
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  HttpUpstream upstream([&](const UpstreamRequest& r) {
    UpstreamReply reply;
    reply.bytes = head + body;
    if (r.message.target == "/slow") reply.delay = milliseconds(1500);
    return reply;
  });
  const uint16_t port = free_port();
  HttpProxyConfig config;
  config.listen_port = port;
  config.workers = 1;
  config.drain_timeout = "10s";
  config.virtual_hosts = {{"all", {"*"}, {"{ prefix = \"/\", cluster = \"backend\" }"}}};
  config.clusters = {{"backend", {upstream.port()}, {}}};
  const std::string config_path = dir.path() + "/ringress.toml";
  ASSERT_TRUE(write_config(config_path, config.toml()));
  Ringress old_process(dir.path() + "/old.log");
  ASSERT_TRUE(old_process.start({"-c", config_path}));
  ASSERT_TRUE(wait_listening(port, milliseconds(5000)));
  ASSERT_TRUE(old_process.wait_log("running with 1 worker(s)", milliseconds(5000)));

  Fd slow = connect_tcp(port, deadline_in(seconds(2)));
  ASSERT_TRUE(slow.valid()) << std::strerror(errno);
  const std::string request = "GET /slow HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  ASSERT_TRUE(send_all(slow.get(), request, deadline_in(seconds(2))).ok());
  ASSERT_TRUE(upstream.wait_requests(1, deadline_in(seconds(5))));

  Ringress successor(dir.path() + "/new.log");
  ASSERT_TRUE(successor.start({"-c", config_path, "--upgrade-from", config_path + ".sock"}));
  ASSERT_TRUE(successor.wait_log("upgrade: took 1 of 1 listening sockets", milliseconds(5000)));
  EXPECT_FALSE(old_process.wait_exit(milliseconds(0)))
      << "the old process exited with a response in flight";

  std::string response;
  IoResult r = recv_until_closed(slow.get(), response, 1 << 20, deadline_in(seconds(10)));
  EXPECT_EQ(r.status, IoResult::kEof) << r.describe();
  const std::size_t end_of_head = response.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos) << response.substr(0, 200);
  EXPECT_EQ(response.substr(0, 17), "HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(response.substr(end_of_head + 4), body);
  std::optional<ExitStatus> old_exit = old_process.wait_exit(milliseconds(5000));
  ASSERT_TRUE(old_exit) << "the old process did not exit after its last response";
  EXPECT_TRUE(old_exit->success()) << old_exit->describe();

  Fd next = connect_tcp(port, deadline_in(seconds(2)));
  ASSERT_TRUE(next.valid()) << std::strerror(errno);
  const std::string fast = "GET /fast HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  ASSERT_TRUE(send_all(next.get(), fast, deadline_in(seconds(2))).ok());
  std::string second;
  recv_until_closed(next.get(), second, 1 << 20, deadline_in(seconds(5)));
  EXPECT_EQ(second.substr(0, 17), "HTTP/1.1 200 OK\r\n");
  ::kill(successor.pid(), SIGTERM);
  ASSERT_TRUE(successor.wait_exit(milliseconds(10000)));
}

// A successor that cannot start (its config is now broken) changes nothing: SIGUSR2's child
// exits 1, the old process logs it, keeps its listener and serves; a later SIGUSR2 with the
// config repaired upgrades.
TEST(BinaryUpgrade, FailedSuccessorLeavesOldProcessServing) {
  TempDir dir;
  EchoServer upstream;
  const uint16_t port = free_port();
  const std::string config = dir.path() + "/ringress.toml";
  const std::string good = tcp_config(port, upstream.port(), 1);
  ASSERT_TRUE(write_config(config, good));
  Ringress old_process(dir.path() + "/ringress.log");
  ASSERT_TRUE(old_process.start({"-c", config}));
  ASSERT_TRUE(wait_listening(port, milliseconds(5000)));
  ASSERT_TRUE(old_process.wait_log("running with 1 worker(s)", milliseconds(5000)));

  ASSERT_TRUE(write_config(config, good + "\n[[listeners]]\nname = 7\n"));
  ASSERT_EQ(::kill(old_process.pid(), SIGUSR2), 0);
  ASSERT_TRUE(old_process.wait_log("before taking over; still serving", milliseconds(10000)));
  EXPECT_NE(old_process.log().find("(exit 1) before taking over; still serving"),
            std::string::npos);
  EXPECT_FALSE(old_process.wait_exit(milliseconds(0)));
  Fd client = connect_tcp(port, deadline_in(seconds(2)));
  ASSERT_TRUE(client.valid()) << std::strerror(errno);
  ASSERT_TRUE(send_all(client.get(), "still", 5, deadline_in(seconds(2))).ok());
  char reply[5];
  ASSERT_TRUE(recv_exact(client.get(), reply, 5, deadline_in(seconds(2))).ok());
  EXPECT_EQ(std::string(reply, 5), "still");
  client.reset();

  ASSERT_TRUE(write_config(config, good));
  ASSERT_EQ(::kill(old_process.pid(), SIGUSR2), 0);
  AdoptedProcess successor;
  ASSERT_TRUE(old_process.wait_log("to take over the listeners", milliseconds(5000)));
  std::optional<ExitStatus> old_exit = old_process.wait_exit(milliseconds(10000));
  ASSERT_TRUE(old_exit) << "the second SIGUSR2 did not upgrade";
  EXPECT_TRUE(old_exit->success()) << old_exit->describe();
  const std::string log = old_process.log();
  const std::string started = "SIGUSR2: started " + ringress_binary() + " as process ";
  std::size_t at = log.rfind(started);
  ASSERT_NE(at, std::string::npos);
  successor.pid = std::atoi(log.c_str() + at + started.size());
  EXPECT_NE(log.find("upgrade: process " + std::to_string(successor.pid) + " serves the listeners"),
            std::string::npos);
  ASSERT_TRUE(port_is_listening(port));
  ASSERT_EQ(::kill(successor.pid, SIGTERM), 0);
  EXPECT_TRUE(wait_gone(successor.pid, milliseconds(10000)));
}

// Reloads keep the upgrade socket's table in step with the listeners: after one that adds a
// listener and one that removes the first, SIGUSR2's successor takes exactly the listener that
// is left (its socket, not a new bind), and the removed port stays closed.
TEST(BinaryUpgrade, UpgradeAfterReloadsHandsOverTheReloadedListeners) {
  TempDir dir;
  EchoServer upstream;
  const uint16_t port = free_port();
  const uint16_t added = free_port();
  const std::string config = dir.path() + "/ringress.toml";
  const std::string base = tcp_config(port, upstream.port(), 1);
  const std::string second =
      "\n[[listeners]]\nname = \"second\"\naddress = \"127.0.0.1:" + std::to_string(added) +
      "\"\ncluster = \"backend\"\n";
  ASSERT_TRUE(write_config(config, base));
  Ringress old_process(dir.path() + "/ringress.log");
  ASSERT_TRUE(old_process.start({"-c", config}));
  ASSERT_TRUE(wait_listening(port, milliseconds(5000)));
  ASSERT_TRUE(old_process.wait_log("running with 1 worker(s)", milliseconds(5000)));

  ASSERT_TRUE(write_config(config, base + second));
  ASSERT_EQ(::kill(old_process.pid(), SIGHUP), 0);
  ASSERT_TRUE(old_process.wait_log("reload: serving config generation 2", milliseconds(5000)));
  ASSERT_TRUE(wait_listening(added, milliseconds(5000)));
  // The first listener removed: "second" is the only one left.
  std::string only_second = base;
  const std::size_t from = only_second.find("[[listeners]]");
  const std::size_t to = only_second.find("[[clusters]]");
  ASSERT_TRUE(from != std::string::npos && to != std::string::npos && from < to) << base;
  only_second.erase(from, to - from);
  ASSERT_TRUE(write_config(config, only_second + second));
  ASSERT_EQ(::kill(old_process.pid(), SIGHUP), 0);
  ASSERT_TRUE(old_process.wait_log("reload: serving config generation 3", milliseconds(5000)));

  ASSERT_EQ(::kill(old_process.pid(), SIGUSR2), 0);
  AdoptedProcess successor;
  std::optional<ExitStatus> old_exit = old_process.wait_exit(milliseconds(10000));
  ASSERT_TRUE(old_exit) << "SIGUSR2 did not upgrade";
  EXPECT_TRUE(old_exit->success()) << old_exit->describe();
  const std::string log = old_process.log();
  const std::string started = "SIGUSR2: started " + ringress_binary() + " as process ";
  std::size_t at = log.rfind(started);
  ASSERT_NE(at, std::string::npos);
  successor.pid = std::atoi(log.c_str() + at + started.size());
  EXPECT_NE(log.find("upgrade: took 1 of 1 listening sockets"), std::string::npos) << log;
  EXPECT_FALSE(port_is_listening(port));
  Fd client = connect_tcp(added, deadline_in(seconds(2)));
  ASSERT_TRUE(client.valid()) << std::strerror(errno);
  ASSERT_TRUE(send_all(client.get(), "moved", 5, deadline_in(seconds(2))).ok());
  char reply[5];
  ASSERT_TRUE(recv_exact(client.get(), reply, 5, deadline_in(seconds(2))).ok());
  EXPECT_EQ(std::string(reply, 5), "moved");
  client.reset();
  ASSERT_EQ(::kill(successor.pid, SIGTERM), 0);
  EXPECT_TRUE(wait_gone(successor.pid, milliseconds(10000)));
}

// The datagrams on $NOTIFY_SOCKET (abstract name): READY=1 once serving; SIGHUP brackets its
// reload, applied or refused, with RELOADING=1 + MONOTONIC_USEC and READY=1; after SIGUSR2 the
// successor sends MAINPID=<its pid> then READY=1, and the old process, which drains, sends no
// STOPPING=1; SIGTERM of the successor sends STOPPING=1.
TEST(SdNotify, ReadyReloadingUpgradeStoppingOnAbstractSocket) {
  TempDir dir;
  EchoServer upstream;
  NotifySocket notify("@ringress-notify-test-" + std::to_string(::getpid()));
  ASSERT_TRUE(notify.bound()) << std::strerror(errno);
  const uint16_t port = free_port();
  const std::string config = dir.path() + "/ringress.toml";
  ASSERT_TRUE(write_config(config, tcp_config(port, upstream.port(), 1)));
  Ringress old_process(dir.path() + "/ringress.log");
  ASSERT_TRUE(old_process.start({"-c", config}, {notify.env()}));
  EXPECT_EQ(notify.next(milliseconds(5000)), "READY=1");
  ASSERT_TRUE(port_is_listening(port)) << "READY=1 came before the listener was bound";

  ASSERT_EQ(::kill(old_process.pid(), SIGHUP), 0);
  std::optional<std::string> reloading = notify.next(milliseconds(5000));
  ASSERT_TRUE(reloading);
  EXPECT_EQ(reloading->substr(0, 27), "RELOADING=1\nMONOTONIC_USEC=") << *reloading;
  EXPECT_GT(reloading->size(), 27u);
  EXPECT_EQ(reloading->find_first_not_of("0123456789", 27), std::string::npos) << *reloading;
  EXPECT_EQ(notify.next(milliseconds(5000)), "READY=1");
  EXPECT_TRUE(old_process.wait_log("reload: serving config generation 2", milliseconds(5000)));
  // A refused reload is bracketed the same way: the old config keeps serving, ready again.
  ASSERT_TRUE(write_config(config, "[runtime\n"));
  ASSERT_EQ(::kill(old_process.pid(), SIGHUP), 0);
  reloading = notify.next(milliseconds(5000));
  ASSERT_TRUE(reloading);
  EXPECT_EQ(reloading->substr(0, 27), "RELOADING=1\nMONOTONIC_USEC=") << *reloading;
  EXPECT_EQ(notify.next(milliseconds(5000)), "READY=1");
  EXPECT_TRUE(old_process.wait_log("reload refused: " + config + ":1:", milliseconds(5000)));
  ASSERT_TRUE(write_config(config, tcp_config(port, upstream.port(), 1)));

  ASSERT_EQ(::kill(old_process.pid(), SIGUSR2), 0);
  AdoptedProcess successor;
  std::optional<std::string> main_pid = notify.next(milliseconds(10000));
  ASSERT_TRUE(main_pid);
  ASSERT_EQ(main_pid->substr(0, 8), "MAINPID=") << *main_pid;
  successor.pid = std::atoi(main_pid->c_str() + 8);
  EXPECT_GT(successor.pid, 0);
  EXPECT_NE(successor.pid, old_process.pid());
  EXPECT_EQ(notify.next(milliseconds(5000)), "READY=1");
  std::optional<ExitStatus> old_exit = old_process.wait_exit(milliseconds(10000));
  ASSERT_TRUE(old_exit);
  EXPECT_TRUE(old_exit->success()) << old_exit->describe();
  EXPECT_EQ(notify.next(milliseconds(300)), std::nullopt) << "the old process sent more";
  EXPECT_NE(old_process.log().find("SIGUSR2: started " + ringress_binary() + " as process " +
                                   std::to_string(successor.pid)),
            std::string::npos);

  ASSERT_TRUE(port_is_listening(port));
  ASSERT_EQ(::kill(successor.pid, SIGTERM), 0);
  EXPECT_EQ(notify.next(milliseconds(5000)), "STOPPING=1");
  EXPECT_TRUE(wait_gone(successor.pid, milliseconds(10000)));
}

// The same protocol on a filesystem path: READY=1, and STOPPING=1 at SIGTERM.
TEST(SdNotify, ReadyAndStoppingOnPathSocket) {
  TempDir dir;
  EchoServer upstream;
  NotifySocket notify(dir.path() + "/notify");
  ASSERT_TRUE(notify.bound()) << std::strerror(errno);
  const uint16_t port = free_port();
  const std::string config = dir.path() + "/ringress.toml";
  ASSERT_TRUE(write_config(config, tcp_config(port, upstream.port(), 1)));
  Ringress process(dir.path() + "/ringress.log");
  ASSERT_TRUE(process.start({"-c", config}, {notify.env()}));
  EXPECT_EQ(notify.next(milliseconds(5000)), "READY=1");
  ASSERT_EQ(::kill(process.pid(), SIGTERM), 0);
  EXPECT_EQ(notify.next(milliseconds(5000)), "STOPPING=1");
  std::optional<ExitStatus> exit = process.wait_exit(milliseconds(10000));
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->success()) << exit->describe();
}

}  // namespace
}  // namespace ringress::test
