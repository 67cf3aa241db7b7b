#include "core/acceptor.h"

#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "core/frame_pool.h"

namespace ringress::core {

// The multishot accept's user_data. Owned by the Acceptor until it is detached; then it frees
// itself at its final CQE (closing sockets that were accepted but never taken).
class Acceptor::State final : public Completion {
 public:
  explicit State(int fd) : fd_(fd) {
    fds_.reserve(64);
    retry_timer_.context = this;
    retry_timer_.fire = [](Timer* t) { static_cast<State*>(t->context)->arm(); };
    arm();
  }
  static void* operator new(std::size_t size) { return frame_alloc(size); }
  static void operator delete(void* p, std::size_t size) noexcept { frame_free(p, size); }

  void arm() {
    if (armed_ || stopped_) return;
    io_uring_sqe* s = Reactor::current().sqe();
    io_uring_prep_multishot_accept(s, fd_, nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data(s, static_cast<Completion*>(this));
    armed_ = true;
  }

  void on_cqe(int res, uint32_t flags) override {
    if (res >= 0) {
      if (detached_)
        ::close(res);
      else
        fds_.push_back(res);
    }
    if (!(flags & IORING_CQE_F_MORE)) {
      armed_ = false;
      if (detached_) {
        Reactor::current().release_teardown();
        delete this;
        return;
      }
      // Out of descriptors or memory: try again shortly instead of spinning.
      if (res < 0 && res != -ECANCELED && !stopped_) {
        retry_timer_.deadline = Clock::now() + std::chrono::milliseconds(100);
        Reactor::current().add_timer(&retry_timer_);
      } else {
        arm();
      }
    }
    wake();
  }

  void wake() {
    if (waiter_) Reactor::current().post(std::exchange(waiter_, {}));
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    if (retry_timer_.queued()) Reactor::current().remove_timer(&retry_timer_);
    // While the cancel is in flight the kernel may still hand over connections: the waiter
    // is woken by the final CQE, so it takes them instead of leaving them to detach().
    if (armed_)
      Reactor::current().cancel(static_cast<Completion*>(this));
    else
      wake();
  }

  void detach() {
    stop();
    detached_ = true;
    for (std::size_t i = head_; i < fds_.size(); ++i) ::close(fds_[i]);
    fds_.clear();
    if (!armed_) {
      delete this;
      return;
    }
    Reactor::current().retain_teardown();
  }

  bool ready() const { return head_ < fds_.size() || (stopped_ && !armed_); }

  AcceptResult take() {
    if (head_ < fds_.size()) {
      int fd = fds_[head_++];
      if (head_ == fds_.size()) {
        fds_.clear();
        head_ = 0;
      }
      set_nodelay(fd);
      return {0, Socket(fd)};
    }
    return {-ECANCELED, {}};
  }

  std::coroutine_handle<> waiter_;

 private:
  int fd_;
  std::vector<int> fds_;
  std::size_t head_ = 0;
  bool armed_ = false;
  bool stopped_ = false;
  bool detached_ = false;
  Timer retry_timer_;
};

Acceptor::Acceptor(Socket listening)
    : state_(new State(listening.fd())), listening_(std::move(listening)) {}

Acceptor::~Acceptor() {
  state_->detach();
  // The listening socket closes now; an armed multishot holds its own file reference until the
  // cancel completes.
}

void Acceptor::stop() {
  state_->stop();
  listening_.reset();
}

bool Acceptor::AcceptAwaiter::await_ready() const noexcept { return a_.state_->ready(); }
void Acceptor::AcceptAwaiter::await_suspend(std::coroutine_handle<> h) { a_.state_->waiter_ = h; }
AcceptResult Acceptor::AcceptAwaiter::await_resume() { return a_.state_->take(); }

}  // namespace ringress::core
