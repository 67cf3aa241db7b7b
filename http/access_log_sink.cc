#include "http/access_log_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ringress::http {

AccessLogSink::AccessLogSink(const std::string& path, std::size_t max_pending)
    : max_pending_(max_pending) {
  if (path == "-") {
    fd_ = STDOUT_FILENO;
    owns_fd_ = false;
  } else {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("access log " + path + ": " + std::strerror(errno));
    owns_fd_ = true;
  }
  pending_.reserve(64 * 1024);
  writing_.reserve(64 * 1024);
}

AccessLogSink::~AccessLogSink() {
  if (owns_fd_) ::close(fd_);
}

void AccessLogSink::write(std::string_view line) {
  if (pending_.size() + line.size() > max_pending_) {
    ++dropped_;
    return;
  }
  pending_.append(line);
  if (!in_flight_) submit();
}

void AccessLogSink::submit() {
  writing_.clear();
  writing_.swap(pending_);
  written_ = 0;
  in_flight_ = true;
  io_uring_sqe* s = core::Reactor::current().sqe();
  io_uring_prep_write(s, fd_, writing_.data(), static_cast<unsigned>(writing_.size()), -1);
  io_uring_sqe_set_data(s, static_cast<core::Completion*>(this));
}

void AccessLogSink::on_cqe(int res, uint32_t) {
  if (res > 0 && written_ + static_cast<std::size_t>(res) < writing_.size()) {
    written_ += static_cast<std::size_t>(res);
    io_uring_sqe* s = core::Reactor::current().sqe();
    io_uring_prep_write(s, fd_, writing_.data() + written_,
                        static_cast<unsigned>(writing_.size() - written_), -1);
    io_uring_sqe_set_data(s, static_cast<core::Completion*>(this));
    return;
  }
  if (res < 0) ++dropped_;  // the batch is lost; keep going with the next one
  in_flight_ = false;
  if (!pending_.empty()) {
    submit();
    return;
  }
  if (drain_waiter_) core::Reactor::current().post(std::exchange(drain_waiter_, {}));
}

AccessLogSink& AccessLogSinks::open(const std::string& path) {
  auto& slot = sinks_[path];
  if (!slot) slot = std::make_unique<AccessLogSink>(path);
  return *slot;
}

core::Task<void> AccessLogSinks::drain() {
  for (auto& [path, sink] : sinks_) co_await sink->drain();
}

}  // namespace ringress::http
