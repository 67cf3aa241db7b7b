#include "core/reactor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "core/event.h"
#include "core/io_op.h"

namespace ringress::core {
namespace {

TEST(Reactor, ProbesTheRingFeatures) {
  Reactor reactor;
  EXPECT_TRUE(reactor.features().recv_multishot);
  EXPECT_TRUE(reactor.features().ext_arg);
}

TEST(Reactor, OperationErrorsAreValues) {
  Reactor reactor;
  int rc = reactor.run([]() -> Task<int> {
    co_return co_await io_op([](io_uring_sqe* s) { io_uring_prep_read(s, -1, nullptr, 0, 0); });
  }());
  EXPECT_EQ(rc, -EBADF);
}

TEST(Reactor, DeadlineCancelsAnOperationWithTimedOut) {
  Reactor reactor;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  char buf[16];
  int rc = reactor.run([](int fd, char* b) -> Task<int> {
    co_return co_await io_op([fd, b](io_uring_sqe* s) { io_uring_prep_read(s, fd, b, 16, 0); },
                             deadline_after(std::chrono::milliseconds(20)));
  }(fds[0], buf));
  EXPECT_EQ(rc, -ETIMEDOUT);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(Reactor, OperationThatCompletesBeforeItsDeadlineKeepsItsResult) {
  Reactor reactor;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "abc", 3), 3);
  char buf[16];
  int rc = reactor.run([](int fd, char* b) -> Task<int> {
    int r = co_await io_op([fd, b](io_uring_sqe* s) { io_uring_prep_read(s, fd, b, 16, 0); },
                           deadline_after(std::chrono::seconds(5)));
    // The timer must be gone: sleeping past nothing else keeps the loop honest.
    co_await sleep_for(std::chrono::milliseconds(5));
    co_return r;
  }(fds[0], buf));
  EXPECT_EQ(rc, 3);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(Reactor, ExecuteRunsWorkFromAnotherThread) {
  Reactor reactor;
  Event done;
  std::thread other([&] { reactor.execute([&] { done.set(); }); });
  reactor.run([](Event& e) -> Task<void> { co_await e.wait(); }(done));
  other.join();
  EXPECT_TRUE(done.is_set());
}

}  // namespace
}  // namespace ringress::core
