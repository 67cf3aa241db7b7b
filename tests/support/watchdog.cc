#include "tests/support/watchdog.h"

#include <cstdlib>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/proxy_process.h"

namespace ringress::test {

Watchdog::Watchdog(std::chrono::milliseconds limit, std::function<void()> also) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "?";
  thread_ = std::thread([this, limit, name, also = std::move(also)] {
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, limit, [this] { return done_; })) return;
    std::cerr << "WATCHDOG: " << name << " still running after " << limit.count()
              << " ms; killing the proxies and tools and failing.\n";
    if (also) also();
    kill_all_proxies_for_watchdog();
    std::cerr.flush();
    std::_Exit(1);
  });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace ringress::test
