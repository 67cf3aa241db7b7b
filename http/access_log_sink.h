// AccessLogSink: appends access log lines to a file (or stdout) through the ring, so a worker
// never blocks on disk. Lines collect in one buffer while the previous buffer is being written;
// past max_pending bytes, lines are dropped and counted rather than held. One sink per file per
// worker (AccessLogSinks hands them out); before the worker's loop ends it awaits drain().
#pragma once

#include <coroutine>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/reactor.h"

namespace ringress::http {

class AccessLogSink final : public core::Completion {
 public:
  // "-" is stdout. Throws std::runtime_error if the file cannot be opened.
  explicit AccessLogSink(const std::string& path, std::size_t max_pending = 1 << 20);
  ~AccessLogSink();
  AccessLogSink(const AccessLogSink&) = delete;
  AccessLogSink& operator=(const AccessLogSink&) = delete;

  void write(std::string_view line);
  // Waits until everything accepted so far was written.
  auto drain() {
    struct Awaiter {
      AccessLogSink& s;
      bool await_ready() const noexcept { return !s.in_flight_ && s.pending_.empty(); }
      void await_suspend(std::coroutine_handle<> h) noexcept { s.drain_waiter_ = h; }
      void await_resume() const noexcept {}
    };
    return Awaiter{*this};
  }
  uint64_t dropped_lines() const { return dropped_; }
  void on_cqe(int res, uint32_t flags) override;

 private:
  void submit();
  int fd_;
  bool owns_fd_;
  std::size_t max_pending_;
  std::string pending_;
  std::string writing_;
  std::size_t written_ = 0;
  bool in_flight_ = false;
  uint64_t dropped_ = 0;
  std::coroutine_handle<> drain_waiter_;
};

class AccessLogSinks {
 public:
  AccessLogSink& open(const std::string& path);
  // Waits for every sink to finish its writes.
  core::Task<void> drain();

 private:
  std::map<std::string, std::unique_ptr<AccessLogSink>> sinks_;
};

}  // namespace ringress::http
