#include "tests/support/tcp_server.h"

#include <poll.h>
#include <sys/socket.h>

namespace ringress::test {

TcpServer::TcpServer(Handler handler) : handler_(std::move(handler)) {
  listener_ = listen_tcp(0);
  port_ = listener_.valid() ? local_port(listener_.get()) : 0;
  if (listener_.valid()) acceptor_ = std::thread([this] { accept_loop(); });
}

TcpServer::~TcpServer() { stop(); }

size_t TcpServer::accepted() const {
  std::lock_guard lock(mu_);
  return accepted_;
}

bool TcpServer::wait_accepted(size_t n, Deadline deadline) const {
  std::unique_lock lock(mu_);
  return accepted_cv_.wait_until(lock, deadline, [&] { return accepted_ >= n; });
}

void TcpServer::stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  listener_.reset();
  {
    std::lock_guard lock(mu_);
    for (Connection& c : connections_) {
      if (c.fd.valid()) ::shutdown(c.fd.get(), SHUT_RDWR);
    }
  }
  // No new entries can appear now (the acceptor is gone), so the list can be walked unlocked
  // while the threads, which only touch their own entry's fd under the lock, finish.
  for (Connection& c : connections_) c.thread.join();
}

void TcpServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listener_.get(), POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    Fd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!fd.valid()) continue;
    std::lock_guard lock(mu_);
    Connection& c = connections_.emplace_back();
    c.fd = std::move(fd);
    ++accepted_;
    c.thread = std::thread([this, &c] { run(&c); });
    accepted_cv_.notify_all();
  }
}

void TcpServer::run(Connection* connection) {
  int fd;
  {
    std::lock_guard lock(mu_);
    fd = connection->fd.get();
  }
  handler_(fd, stopping_);
  std::lock_guard lock(mu_);
  connection->fd.reset();
}

}  // namespace ringress::test
