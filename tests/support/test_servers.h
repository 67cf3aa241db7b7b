// The upstream servers the end-to-end tests put behind the proxy, each a TcpServer with one
// behaviour. They record what every connection saw so a test can assert on the upstream's view
// too. All waits are bounded; destroying a server stops it and joins its threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/tcp_server.h"
#include "tests/support/transfer.h"

namespace ringress::test {

// Results that connection threads add and a test waits for.
template <typename T>
class ResultLog {
 public:
  void add(T value) {
    std::lock_guard lock(mu_);
    values_.push_back(std::move(value));
    cv_.notify_all();
  }
  // The first `n` results once there are that many; nullopt if the deadline passes first.
  std::optional<std::vector<T>> wait(size_t n, Deadline deadline) const {
    std::unique_lock lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return values_.size() >= n; })) return std::nullopt;
    return std::vector<T>(values_.begin(), values_.begin() + static_cast<ptrdiff_t>(n));
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return values_.size();
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<T> values_;
};

// A flag that connection threads wait on until the test opens it (or the server stops).
class Gate {
 public:
  void open();
  // True once open; false if `stopping` turned true or the deadline passed first.
  bool wait(const std::atomic<bool>& stopping, Deadline deadline) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool open_ = false;
};

// Sends back whatever it receives; closes after the client's EOF.
class EchoServer {
 public:
  EchoServer();
  uint16_t port() const { return server_.port(); }
  size_t accepted() const { return server_.accepted(); }

 private:
  TcpServer server_;
};

// Per connection: sends `send_bytes` of Pattern(send_seed) then shuts down its write side, while
// verifying Pattern(recv_seed) until the client's EOF (see exchange_patterns).
class PatternServer {
 public:
  PatternServer(uint64_t send_bytes, uint64_t send_seed, uint64_t recv_seed);
  uint16_t port() const { return server_.port(); }
  std::optional<std::vector<TransferResult>> wait_results(size_t n, Deadline deadline) const {
    return results_.wait(n, deadline);
  }

 private:
  ResultLog<TransferResult> results_;
  TcpServer server_;
};

// Per connection: reads everything until EOF, then sends `reply_bytes` of Pattern(reply_seed),
// then closes.
class HalfCloseServer {
 public:
  struct Result {
    std::string received;  // every byte before the EOF
    IoResult end;          // how reading ended (kEof expected)
    IoResult reply;        // how sending the reply went
  };
  HalfCloseServer(uint64_t reply_bytes, uint64_t reply_seed);
  uint16_t port() const { return server_.port(); }
  std::optional<std::vector<Result>> wait_results(size_t n, Deadline deadline) const {
    return results_.wait(n, deadline);
  }

 private:
  ResultLog<Result> results_;
  TcpServer server_;
};

// Per connection: reads nothing until resume(), then verifies Pattern(recv_seed) until EOF. The
// upstream of a "slow reader" test.
class StallServer {
 public:
  explicit StallServer(uint64_t recv_seed);
  uint16_t port() const { return server_.port(); }
  bool wait_accepted(size_t n, Deadline deadline) const {
    return server_.wait_accepted(n, deadline);
  }
  void resume() { gate_.open(); }
  std::optional<std::vector<TransferResult>> wait_results(size_t n, Deadline deadline) const {
    return results_.wait(n, deadline);
  }

 private:
  Gate gate_;
  ResultLog<TransferResult> results_;
  TcpServer server_;
};

// Per connection: writes Pattern(send_seed) as fast as the connection takes it until
// stop_flooding(), then shuts down its write side and records exactly how much was sent.
class FloodServer {
 public:
  explicit FloodServer(uint64_t send_seed);
  uint16_t port() const { return server_.port(); }
  bool wait_accepted(size_t n, Deadline deadline) const {
    return server_.wait_accepted(n, deadline);
  }
  void stop_flooding() { stop_.store(true); }
  std::optional<std::vector<TransferResult>> wait_results(size_t n, Deadline deadline) const {
    return results_.wait(n, deadline);
  }

 private:
  std::atomic<bool> stop_{false};
  ResultLog<TransferResult> results_;
  TcpServer server_;
};

// Per connection: sends `send_bytes` of Pattern(send_seed), then waits for reset_all() and
// closes with SO_LINGER 0, so the proxy sees a RST in the middle of the stream. reset_all()
// applies to the connections accepted before it; later ones wait for the next call.
class ResetServer {
 public:
  ResetServer(uint64_t send_bytes, uint64_t send_seed);
  uint16_t port() const { return server_.port(); }
  // How sending went on each connection (recorded before waiting for the reset).
  std::optional<std::vector<IoResult>> wait_sent(size_t n, Deadline deadline) const {
    return sent_.wait(n, deadline);
  }
  void reset_all();

 private:
  // Waits until connection number `index` may reset; false if stopping or past the deadline.
  bool wait_turn(size_t index, const std::atomic<bool>& stopping, Deadline deadline);

  std::mutex mu_;
  std::condition_variable cv_;
  size_t arrived_ = 0;   // connections that have started, numbered 0, 1, ...
  size_t released_ = 0;  // connections below this number reset now
  ResultLog<IoResult> sent_;
  TcpServer server_;
};

}  // namespace ringress::test
