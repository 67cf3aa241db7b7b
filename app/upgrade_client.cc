#include "app/upgrade_client.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ringress::app {

std::unique_ptr<UpgradeClient> UpgradeClient::connect(const std::string& path, std::string& error) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    error = "upgrade socket path is empty or too long: " + path;
    return nullptr;
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  auto client = std::unique_ptr<UpgradeClient>(new UpgradeClient());
  client->connection_ = core::Socket(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  const int fd = client->connection_.fd();
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    error = "connect to " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  int rc = upgrade::send_with_fds(fd, upgrade::message("HELLO", std::to_string(::getpid())), {});
  if (rc < 0) {
    error = "sending HELLO to " + path + ": " + std::strerror(-rc);
    return nullptr;
  }
  for (;;) {
    std::string text;
    std::vector<int> fds;
    long n = upgrade::receive_with_fds(fd, text, fds);
    std::vector<core::Socket> owned;
    for (int f : fds) owned.emplace_back(f);
    if (n <= 0) {
      error = path + ": " +
              (n == 0 ? std::string("the running process closed the connection")
                      : std::string(std::strerror(static_cast<int>(-n))));
      return nullptr;
    }
    std::optional<upgrade::Parsed> m = upgrade::parse(text);
    if (!m) {
      error = path + ": not a version " + std::to_string(upgrade::kVersion) +
              " upgrade message: " + text.substr(0, 80);
      return nullptr;
    }
    if (m->kind == "END") {
      if (m->argument != std::to_string(client->sockets_.size())) {
        error = path + ": END says " + m->argument + " sockets, " +
                std::to_string(client->sockets_.size()) + " arrived";
        return nullptr;
      }
      client->received_ = client->sockets_.size();
      return client;
    }
    std::optional<std::vector<upgrade::SocketLabel>> labels;
    if (m->kind == "SOCKETS") labels = upgrade::parse_labels(m->body);
    if (!labels || labels->size() != owned.size()) {
      error = path + ": malformed " + m->kind + " message";
      return nullptr;
    }
    for (std::size_t i = 0; i < owned.size(); ++i)
      client->sockets_.push_back({std::move((*labels)[i]), std::move(owned[i])});
  }
}

core::Socket UpgradeClient::take(unsigned worker, const conf::Listener& listener) {
  const std::string address = listener.address.to_string();
  for (Received& r : sockets_) {
    if (!r.socket.valid() || r.label.worker != worker || r.label.address != address) continue;
    int listening = 0;
    socklen_t size = sizeof(listening);
    if (::getsockopt(r.socket.fd(), SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 ||
        !listening)
      continue;
    ::listen(r.socket.fd(), static_cast<int>(listener.backlog));
    ++taken_;
    return std::move(r.socket);
  }
  return {};
}

bool UpgradeClient::finish(std::string& error, int& old) {
  sockets_.clear();
  const int fd = connection_.fd();
  int rc = upgrade::send_with_fds(fd, upgrade::message("SERVING", std::to_string(::getpid())), {});
  if (rc < 0) {
    error = std::string("sending SERVING: ") + std::strerror(-rc);
    return false;
  }
  std::string text;
  std::vector<int> fds;
  long n = upgrade::receive_with_fds(fd, text, fds);
  for (int f : fds) ::close(f);
  std::optional<upgrade::Parsed> m;
  if (n > 0) m = upgrade::parse(text);
  if (!m || m->kind != "DRAINING") {
    error = n < 0 ? std::string(std::strerror(static_cast<int>(-n)))
                  : std::string("no DRAINING confirmation");
    return false;
  }
  old = std::atoi(m->argument.c_str());
  connection_.reset();
  return true;
}

}  // namespace ringress::app
