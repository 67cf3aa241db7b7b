#include "app/upgrade_server.h"

#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "core/io_op.h"
#include "core/log.h"

extern char** environ;

namespace ringress::app {

namespace {

// How long a successor may take between taking the sockets and saying it serves them (it
// loads certificates, resolves dns clusters and starts its workers meanwhile).
constexpr core::Duration kServingTimeout = std::chrono::seconds(60);
constexpr core::Duration kHelloTimeout = std::chrono::seconds(5);

bool fill_address(const std::string& path, sockaddr_un& addr) {
  addr = {};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) return false;
  std::memcpy(addr.sun_path, path.data(), path.size());
  return true;
}

std::string executable_path() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "/proc/self/exe";
  std::string path(buf, static_cast<std::size_t>(n));
  constexpr std::string_view kDeleted = " (deleted)";
  if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  return path;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

UpgradeServer::UpgradeServer(std::string path, std::vector<std::string> argv)
    : path_(std::move(path)), argv_(std::move(argv)), binary_(executable_path()) {}

UpgradeServer::~UpgradeServer() { close(); }

std::string UpgradeServer::open(bool replace) {
  sockaddr_un addr;
  if (!fill_address(path_, addr)) return "the path is empty or longer than 107 bytes";
  if (!replace) {
    int probe = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    bool live =
        probe >= 0 && ::connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    if (probe >= 0) ::close(probe);
    if (live)
      return "another process listens on it (a second ringress with the same config? give "
             "each one its own --upgrade-socket)";
  }
  const std::string temporary = path_ + ".new." + std::to_string(::getpid());
  sockaddr_un temp_addr;
  if (!fill_address(temporary, temp_addr)) return "the path is too long for a Unix socket";
  ::unlink(temporary.c_str());
  int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("socket: ") + std::strerror(errno);
  std::string error;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&temp_addr), sizeof(temp_addr)) != 0)
    error = "bind " + temporary + ": " + std::strerror(errno);
  else if (::chmod(temporary.c_str(), 0600) != 0 || ::listen(fd, 8) != 0)
    error = std::string("chmod/listen: ") + std::strerror(errno);
  else if (::rename(temporary.c_str(), path_.c_str()) != 0)
    error = std::string("rename over the path: ") + std::strerror(errno);
  struct stat st {};
  if (error.empty() && ::stat(path_.c_str(), &st) != 0)
    error = std::string("stat: ") + std::strerror(errno);
  if (!error.empty()) {
    ::close(fd);
    ::unlink(temporary.c_str());
    return error;
  }
  fd_ = fd;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  return {};
}

void UpgradeServer::add_socket(unsigned worker, const std::string& name, const std::string& address,
                               int fd) {
  int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    RLOG_WARN("upgrade: cannot keep listener %s's socket (%s); a successor binds it anew",
              name.c_str(), std::strerror(errno));
    return;
  }
  sockets_.push_back({{worker, address, name}, copy});
}

void UpgradeServer::remove_sockets(const std::string& name) {
  std::erase_if(sockets_, [&name](const Listening& s) {
    if (s.label.name != name) return false;
    ::close(s.fd);
    return true;
  });
}

core::Task<void> UpgradeServer::run(core::CancelToken& stop, std::function<void()> handed_over) {
  const int listen_fd = fd_;
  if (listen_fd < 0) co_return;
  for (;;) {
    int connection = co_await core::io_op(
        [listen_fd](io_uring_sqe* s) {
          io_uring_prep_accept(s, listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        },
        core::kNoDeadline, &stop);
    if (connection == -ECANCELED) co_return;
    if (connection < 0) {
      RLOG_WARN("upgrade socket %s: accept: %s", path_.c_str(), std::strerror(-connection));
      int slept = co_await core::sleep_for(std::chrono::milliseconds(100), &stop);
      if (slept == -ECANCELED) co_return;
      continue;
    }
    bool done = co_await hand_over(connection, stop);
    ::close(connection);
    if (done) {
      handed_over_ = true;
      handed_over();
      co_return;
    }
    if (stop.cancelled()) co_return;
  }
}

core::Task<bool> UpgradeServer::hand_over(int connection, core::CancelToken& stop) {
  ucred peer{};
  socklen_t peer_size = sizeof(peer);
  if (::getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &peer, &peer_size) != 0 ||
      (peer.uid != ::geteuid() && peer.uid != 0)) {
    RLOG_WARN("upgrade socket %s: refused a process of uid %u (only this user or root)",
              path_.c_str(), static_cast<unsigned>(peer.uid));
    co_return false;
  }
  std::string buffer(upgrade::kMaxMessage, '\0');
  char* data = buffer.data();
  const unsigned size = static_cast<unsigned>(buffer.size());
  int n = co_await core::io_op(
      [connection, data, size](io_uring_sqe* s) {
        io_uring_prep_recv(s, connection, data, size, 0);
      },
      core::deadline_after(kHelloTimeout), &stop);
  std::optional<upgrade::Parsed> hello;
  if (n > 0) hello = upgrade::parse(std::string_view(data, static_cast<std::size_t>(n)));
  if (!hello || hello->kind != "HELLO") {
    if (n != -ECANCELED)
      RLOG_WARN("upgrade socket %s: process %d sent no version-%d HELLO; closed", path_.c_str(),
                static_cast<int>(peer.pid), upgrade::kVersion);
    co_return false;
  }
  RLOG_INFO("upgrade: process %d takes the %zu listening sockets", static_cast<int>(peer.pid),
            sockets_.size());
  for (std::size_t first = 0; first < sockets_.size(); first += upgrade::kSocketsPerMessage) {
    const std::size_t last = std::min(sockets_.size(), first + upgrade::kSocketsPerMessage);
    std::vector<upgrade::SocketLabel> labels;
    std::vector<int> fds;
    for (std::size_t i = first; i < last; ++i) {
      labels.push_back(sockets_[i].label);
      fds.push_back(sockets_[i].fd);
    }
    int rc = upgrade::send_with_fds(
        connection, upgrade::message("SOCKETS") + "\n" + upgrade::label_lines(labels), fds);
    if (rc < 0) {
      RLOG_WARN("upgrade: sending sockets to process %d: %s; still serving",
                static_cast<int>(peer.pid), std::strerror(-rc));
      co_return false;
    }
  }
  int rc = upgrade::send_with_fds(connection,
                                  upgrade::message("END", std::to_string(sockets_.size())), {});
  if (rc < 0) co_return false;

  n = co_await core::io_op(
      [connection, data, size](io_uring_sqe* s) {
        io_uring_prep_recv(s, connection, data, size, 0);
      },
      core::deadline_after(kServingTimeout), &stop);
  std::optional<upgrade::Parsed> serving;
  if (n > 0) serving = upgrade::parse(std::string_view(data, static_cast<std::size_t>(n)));
  if (!serving || serving->kind != "SERVING") {
    if (n == -ETIMEDOUT)
      RLOG_WARN("upgrade: process %d did not start serving within %lld s; still serving",
                static_cast<int>(peer.pid),
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::seconds>(kServingTimeout).count()));
    else if (n != -ECANCELED)
      RLOG_WARN("upgrade: process %d ended the hand-over before serving; still serving",
                static_cast<int>(peer.pid));
    co_return false;
  }
  upgrade::send_with_fds(connection, upgrade::message("DRAINING", std::to_string(::getpid())), {});
  RLOG_INFO("upgrade: process %d serves the listeners now; this one stops accepting and drains",
            static_cast<int>(peer.pid));
  co_return true;
}

void UpgradeServer::start_successor() {
  if (fd_ < 0 || handed_over_) {
    RLOG_WARN("SIGUSR2: no upgrade socket is open; ignored");
    return;
  }
  if (successor_ > 0) {
    RLOG_WARN("SIGUSR2: process %d is still taking over; ignored", static_cast<int>(successor_));
    return;
  }
  std::vector<std::string> args;
  for (std::size_t i = 0; i < argv_.size(); ++i) {
    if (argv_[i] == "--upgrade-from") {
      ++i;
      continue;
    }
    if (argv_[i].starts_with("--upgrade-from=")) continue;
    args.push_back(argv_[i]);
  }
  args.push_back("--upgrade-from");
  args.push_back(path_);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, binary_.c_str(), nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    RLOG_ERROR("SIGUSR2: cannot start %s: %s", binary_.c_str(), std::strerror(rc));
    return;
  }
  successor_ = pid;
  RLOG_INFO("SIGUSR2: started %s as process %d to take over the listeners", binary_.c_str(),
            static_cast<int>(pid));
}

void UpgradeServer::reap_children() {
  int status = 0;
  for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
    if (pid != successor_) continue;
    successor_ = -1;
    if (!handed_over_)
      RLOG_WARN("upgrade: process %d ended (%s) before taking over; still serving",
                static_cast<int>(pid), describe_status(status).c_str());
  }
}

void UpgradeServer::close() {
  for (Listening& s : sockets_) ::close(s.fd);
  sockets_.clear();
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  struct stat st {};
  if (!handed_over_ && ::stat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_)
    ::unlink(path_.c_str());
}

}  // namespace ringress::app
