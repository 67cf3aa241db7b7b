// A last line of defence against a hanging test: if the guarded scope runs longer than its
// limit, the watchdog prints which test hung, kills every proxy process (printing their logs)
// and ends the test process with a failure. Every blocking call in the tests already has its
// own deadline; this catches the one that was missed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace ringress::test {

class Watchdog {
 public:
  // `also` runs before the proxies are killed (tests that start other tools kill them there).
  explicit Watchdog(std::chrono::milliseconds limit, std::function<void()> also = {});
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace ringress::test
