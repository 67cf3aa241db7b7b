// A test upstream: a listening socket on 127.0.0.1 (ephemeral port) with an accept thread; each
// accepted connection runs the handler on its own thread with plain blocking-style I/O. stop()
// (also run by the destructor) closes the listener, shuts down every open connection so handlers
// blocked in I/O return at once, and joins every thread, so nothing outlives the server.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

#include "tests/support/net.h"

namespace ringress::test {

class TcpServer {
 public:
  // Runs once per connection on its own thread. The server closes `fd` when it returns (with
  // SO_LINGER 0 set by the handler, that close is a reset). `stopping` turns true in stop().
  using Handler = std::function<void(int fd, const std::atomic<bool>& stopping)>;

  explicit TcpServer(Handler handler);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  uint16_t port() const { return port_; }
  // Connections accepted so far.
  size_t accepted() const;
  // Waits until at least `n` connections were accepted; false on deadline.
  bool wait_accepted(size_t n, Deadline deadline) const;
  void stop();

 private:
  struct Connection {
    Fd fd;
    std::thread thread;
  };

  void accept_loop();
  void run(Connection* connection);

  Handler handler_;
  Fd listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable accepted_cv_;
  std::list<Connection> connections_;  // stable addresses: each thread holds its own entry
  size_t accepted_ = 0;
  std::thread acceptor_;
};

}  // namespace ringress::test
