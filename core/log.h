// Leveled logging that never blocks a worker on the request path: a line is formatted on the
// caller's thread into a fixed buffer and queued; one background thread writes lines to stderr.
// When the queue is full, lines are dropped and counted rather than waited for.
#pragma once

#include <cstdarg>
#include <cstdint>

namespace ringress::core {

enum class LogLevel : int { debug = 0, info = 1, warn = 2, error = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();
// Names the calling thread in its log lines ("main", "w0", ...).
void set_log_thread_name(const char* name);
void log_write(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));
// Writes out everything queued so far (at exit and in tests).
void log_flush();
uint64_t log_dropped_lines();

}  // namespace ringress::core

#define RLOG(level, ...)                                                            \
  do {                                                                              \
    if (static_cast<int>(level) >= static_cast<int>(::ringress::core::log_level())) \
      ::ringress::core::log_write(level, __VA_ARGS__);                              \
  } while (0)
#define RLOG_DEBUG(...) RLOG(::ringress::core::LogLevel::debug, __VA_ARGS__)
#define RLOG_INFO(...) RLOG(::ringress::core::LogLevel::info, __VA_ARGS__)
#define RLOG_WARN(...) RLOG(::ringress::core::LogLevel::warn, __VA_ARGS__)
#define RLOG_ERROR(...) RLOG(::ringress::core::LogLevel::error, __VA_ARGS__)
