#include "core/reactor.h"

#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace ringress::core {
namespace {

constexpr unsigned kCqeBatch = 256;
// Registered-file slots: up to the descriptor limit, at most this many (8 bytes of kernel
// memory each).
constexpr unsigned kMaxFileSlots = 1u << 16;
constexpr unsigned kFileIdChunk = 1024;
const int kNoFile = -1;

}  // namespace

Reactor::Reactor(ReactorOptions options) {
  if (current_) throw std::logic_error("a thread has at most one Reactor");
  setup_ring(options);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  ready_.reserve(4096);
  running_.reserve(4096);
  current_ = this;
  Clock::refresh();
  arm_wake_read();
}

Reactor::~Reactor() {
  io_uring_queue_exit(&ring_);
  ::close(wake_fd_);
  current_ = nullptr;
}

void Reactor::setup_ring(const ReactorOptions& options) {
  struct Attempt {
    unsigned flags;
  };
  const Attempt attempts[] = {
      {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL},
      {IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SUBMIT_ALL},
      {0},
  };
  int rc = -EINVAL;
  unsigned used = 0;
  io_uring_params params{};
  for (const auto& a : attempts) {
    params = io_uring_params{};
    params.flags = a.flags | IORING_SETUP_CQSIZE;
    params.cq_entries = options.cq_entries;
    rc = io_uring_queue_init_params(options.sq_entries, &ring_, &params);
    if (rc == 0) {
      used = a.flags;
      break;
    }
    if (rc != -EINVAL) break;
  }
  if (rc != 0) throw std::runtime_error(std::string("io_uring_queue_init: ") + std::strerror(-rc));
  features_.single_issuer = used & IORING_SETUP_SINGLE_ISSUER;
  features_.defer_taskrun = used & IORING_SETUP_DEFER_TASKRUN;
  features_.coop_taskrun = used & IORING_SETUP_COOP_TASKRUN;
  features_.ext_arg = params.features & IORING_FEAT_EXT_ARG;
  if (io_uring_probe* probe = io_uring_get_probe_ring(&ring_)) {
    // Multishot variants have no opcode of their own; their first kernel (5.19) is also the
    // first with IORING_OP_SOCKET, so that opcode stands in for them in the probe.
    bool has_519 = io_uring_opcode_supported(probe, IORING_OP_SOCKET);
    features_.recv_multishot = has_519;
    features_.accept_multishot = has_519;
    io_uring_free_probe(probe);
  }
  if (!features_.recv_multishot)
    throw std::runtime_error("io_uring lacks multishot recv/accept (Linux 5.19 or newer needed)");
  // Every io_uring_enter then skips the ring file's lookup and reference (Linux 5.18+; the
  // registration is per thread, and only this thread enters the ring).
  features_.registered_ring_fd = io_uring_register_ring_fd(&ring_) == 1;
  register_file_table();
}

void Reactor::register_file_table() {
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) != 0) return;
  const auto slots = static_cast<unsigned>(std::min<rlim_t>(nofile.rlim_cur, kMaxFileSlots));
  if (slots == 0 || io_uring_register_files_sparse(&ring_, slots) != 0) return;
  features_.file_slots = slots;
  attached_.assign(slots, 0);
}

const int* Reactor::file_id(int fd) {
  const auto chunk = static_cast<std::size_t>(fd) / kFileIdChunk;
  if (chunk >= file_ids_.size()) file_ids_.resize(chunk + 1);
  if (!file_ids_[chunk]) {
    file_ids_[chunk] = std::make_unique<int[]>(kFileIdChunk);
    for (unsigned i = 0; i < kFileIdChunk; ++i)
      file_ids_[chunk][i] = static_cast<int>(chunk * kFileIdChunk + i);
  }
  return &file_ids_[chunk][static_cast<std::size_t>(fd) % kFileIdChunk];
}

void Reactor::attach_file(int fd) {
  if (fd < 0 || static_cast<unsigned>(fd) >= attached_.size()) return;
  io_uring_sqe* s = sqe();
  io_uring_prep_files_update(s, const_cast<int*>(file_id(fd)), 1, fd);
  io_uring_sqe_set_data64(s, 0);
  attached_[static_cast<unsigned>(fd)] = 1;
}

void Reactor::detach_file(int fd) {
  if (fd < 0 || static_cast<unsigned>(fd) >= attached_.size() || !attached_[unsigned(fd)]) return;
  attached_[static_cast<unsigned>(fd)] = 0;
  io_uring_sqe* s = sqe();
  io_uring_prep_files_update(s, const_cast<int*>(&kNoFile), 1, fd);
  io_uring_sqe_set_data64(s, 0);
}

constinit thread_local Reactor* Reactor::current_ = nullptr;

io_uring_sqe* Reactor::sqe() {
  io_uring_sqe* s = io_uring_get_sqe(&ring_);
  while (!s) {
    io_uring_submit(&ring_);
    s = io_uring_get_sqe(&ring_);
  }
  return s;
}

void Reactor::cancel(const void* target) {
  io_uring_sqe* s = sqe();
  io_uring_prep_cancel64(s, reinterpret_cast<uint64_t>(target), 0);
  io_uring_sqe_set_data64(s, 0);
}

void Reactor::run(Task<void> main) {
  auto handle = main.handle();
  post(handle);
  while (!handle.done() || teardown_pending_ > 0) {
    run_ready();
    if (handle.done() && teardown_pending_ == 0) break;
    wait_and_reap();
  }
  // Let the last SQEs (closes, cancels) reach the kernel.
  io_uring_submit(&ring_);
}

void Reactor::run_ready() {
  // One snapshot per iteration: what becomes ready meanwhile (a Yield, say) runs after the next
  // look at the completion queue and the timers, so nothing can starve I/O.
  running_.swap(ready_);
  for (auto h : running_) h.resume();
  running_.clear();
  if (inbox_pending_) drain_inbox();
}

void Reactor::wait_and_reap() {
  ++iterations_;
  __kernel_timespec ts{};
  __kernel_timespec* tsp = nullptr;
  TimePoint earliest = timers_.earliest();
  if (!ready_.empty()) {
    tsp = &ts;
  } else if (earliest != kNoDeadline) {
    auto wait = earliest - std::chrono::steady_clock::now();
    if (wait.count() > 0) {
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
      ts.tv_sec = ns / 1000000000;
      ts.tv_nsec = ns % 1000000000;
    }
    tsp = &ts;
  }
  io_uring_cqe* cqe = nullptr;
  int rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, tsp, nullptr);
  (void)rc;  // -ETIME / -EINTR: nothing to reap yet; timers and CQEs are checked below anyway.
  Clock::refresh();
  io_uring_cqe* batch[kCqeBatch];
  for (;;) {
    unsigned n = io_uring_peek_batch_cqe(&ring_, batch, kCqeBatch);
    if (n == 0) break;
    for (unsigned i = 0; i < n; ++i) {
      uint64_t data = batch[i]->user_data;
      if (data == 0 || data == LIBURING_UDATA_TIMEOUT) continue;
      reinterpret_cast<Completion*>(data)->on_cqe(batch[i]->res, batch[i]->flags);
    }
    io_uring_cq_advance(&ring_, n);
  }
  timers_.fire_expired(Clock::now());
}

void Reactor::arm_wake_read() {
  io_uring_sqe* s = sqe();
  io_uring_prep_read(s, wake_fd_, &wake_value_, sizeof(wake_value_), 0);
  io_uring_sqe_set_data(s, static_cast<Completion*>(&wake_completion_));
  wake_armed_ = true;
}

void Reactor::WakeCompletion::on_cqe(int, uint32_t) {
  reactor_->wake_armed_ = false;
  reactor_->inbox_pending_ = true;
  reactor_->arm_wake_read();
}

void Reactor::execute(std::function<void()> fn) {
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  ssize_t n = ::write(wake_fd_, &one, sizeof(one));
  (void)n;
}

void Reactor::drain_inbox() {
  inbox_pending_ = false;
  std::vector<std::function<void()>> work;
  {
    std::lock_guard lock(inbox_mutex_);
    work.swap(inbox_);
  }
  for (auto& fn : work) fn();
}

}  // namespace ringress::core
