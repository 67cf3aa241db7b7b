#include "core/log.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace ringress::core {
namespace {

constexpr std::size_t kMaxQueued = 8192;
constexpr std::size_t kMaxLine = 1024;

std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
std::atomic<uint64_t> g_dropped{0};
thread_local char t_name[16] = "main";

const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "?";
}

// The writer thread starts with the first line and is joined at exit.
class LogWriter {
 public:
  void push(std::string line) {
    {
      std::lock_guard lock(mu_);
      if (queue_.size() >= kMaxQueued) {
        g_dropped.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      queue_.push_back(std::move(line));
      if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    }
    cv_.notify_one();
  }
  void flush() {
    std::unique_lock lock(mu_);
    flushed_.wait(lock, [this] { return queue_.empty() && !writing_; });
  }
  ~LogWriter() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty() && stop_) return;
      std::deque<std::string> batch;
      batch.swap(queue_);
      writing_ = true;
      lock.unlock();
      std::string out;
      for (auto& l : batch) out += l;
      std::size_t off = 0;
      while (off < out.size()) {
        ssize_t n = ::write(2, out.data() + off, out.size() - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
      }
      lock.lock();
      writing_ = false;
      flushed_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_, flushed_;
  std::deque<std::string> queue_;
  std::thread thread_;
  bool stop_ = false;
  bool writing_ = false;
};

LogWriter& writer() {
  static LogWriter w;
  return w;
}

}  // namespace

void set_log_level(LogLevel level) { g_level.store(static_cast<int>(level)); }
LogLevel log_level() { return static_cast<LogLevel>(g_level.load(std::memory_order_relaxed)); }
void set_log_thread_name(const char* name) { std::snprintf(t_name, sizeof(t_name), "%s", name); }
uint64_t log_dropped_lines() { return g_dropped.load(); }
void log_flush() { writer().flush(); }

void log_write(LogLevel level, const char* format, ...) {
  char buf[kMaxLine];
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  gmtime_r(&ts.tv_sec, &utc);
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s [%s] ",
                        utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                        utc.tm_sec, ts.tv_nsec / 1000000, level_name(level), t_name);
  va_list args;
  va_start(args, format);
  int m = std::vsnprintf(buf + n, sizeof(buf) - n - 1, format, args);
  va_end(args);
  std::size_t len =
      static_cast<std::size_t>(n) + (m < 0 ? 0 : std::min<std::size_t>(m, sizeof(buf) - n - 2));
  buf[len++] = '\n';
  writer().push(std::string(buf, len));
}

}  // namespace ringress::core
