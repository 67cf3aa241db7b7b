#include "tests/support/test_servers.h"

#include <vector>

#include "tests/support/pattern.h"

namespace ringress::test {

namespace {

// A bound for anything a server connection waits on. Tests finish far sooner; the server's
// stop() cuts every wait short anyway.
Deadline connection_deadline() { return deadline_in(std::chrono::minutes(5)); }

}  // namespace

void Gate::open() {
  std::lock_guard lock(mu_);
  open_ = true;
  cv_.notify_all();
}

bool Gate::wait(const std::atomic<bool>& stopping, Deadline deadline) const {
  std::unique_lock lock(mu_);
  while (!open_) {
    if (stopping || Clock::now() >= deadline) return false;
    cv_.wait_for(lock, std::chrono::milliseconds(10));
  }
  return true;
}

EchoServer::EchoServer()
    : server_([](int fd, const std::atomic<bool>&) {
        Deadline deadline = connection_deadline();
        std::vector<char> buf(65536);
        while (true) {
          IoResult r = recv_some(fd, buf.data(), buf.size(), deadline);
          if (!r.ok() || !send_all(fd, buf.data(), r.bytes, deadline).ok()) return;
        }
      }) {}

PatternServer::PatternServer(uint64_t send_bytes, uint64_t send_seed, uint64_t recv_seed)
    : server_([=, this](int fd, const std::atomic<bool>&) {
        results_.add(
            exchange_patterns(fd, send_bytes, send_seed, recv_seed, connection_deadline()));
      }) {}

HalfCloseServer::HalfCloseServer(uint64_t reply_bytes, uint64_t reply_seed)
    : server_([=, this](int fd, const std::atomic<bool>&) {
        Deadline deadline = connection_deadline();
        Result result;
        result.end = recv_until_closed(fd, result.received, 64 << 20, deadline);
        if (result.end.status == IoResult::kEof) {
          std::vector<uint8_t> reply(reply_bytes);
          Pattern(reply_seed).fill(reply.data(), reply.size());
          result.reply = send_all(fd, reply.data(), reply.size(), deadline);
        }
        results_.add(std::move(result));
      }) {}

StallServer::StallServer(uint64_t recv_seed)
    : server_([=, this](int fd, const std::atomic<bool>& stopping) {
        Deadline deadline = connection_deadline();
        if (!gate_.wait(stopping, deadline)) return;
        results_.add(sink_pattern(fd, recv_seed, deadline));
      }) {}

FloodServer::FloodServer(uint64_t send_seed)
    : server_([=, this](int fd, const std::atomic<bool>& stopping) {
        Deadline deadline = connection_deadline();
        TransferResult result = source_pattern_while(
            fd, send_seed, [&] { return !stop_ && !stopping; }, deadline);
        shutdown_write(fd);
        results_.add(result);
        wait_closed(fd, deadline);
      }) {}

ResetServer::ResetServer(uint64_t send_bytes, uint64_t send_seed)
    : server_([=, this](int fd, const std::atomic<bool>& stopping) {
        Deadline deadline = connection_deadline();
        size_t index;
        {
          std::lock_guard lock(mu_);
          index = arrived_++;
        }
        std::vector<uint8_t> data(send_bytes);
        Pattern(send_seed).fill(data.data(), data.size());
        sent_.add(send_all(fd, data.data(), data.size(), deadline));
        wait_turn(index, stopping, deadline);
        set_linger_zero(fd);
      }) {}

void ResetServer::reset_all() {
  std::lock_guard lock(mu_);
  released_ = arrived_;
  cv_.notify_all();
}

bool ResetServer::wait_turn(size_t index, const std::atomic<bool>& stopping, Deadline deadline) {
  std::unique_lock lock(mu_);
  while (index >= released_) {
    if (stopping || Clock::now() >= deadline) return false;
    cv_.wait_for(lock, std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace ringress::test
