#include "tests/support/steady_client.h"

#include "tests/support/http_client.h"

namespace ringress::test {

SteadyClient::SteadyClient(uint16_t port, std::string expected_body,
                           std::chrono::milliseconds interval, std::chrono::milliseconds limit)
    : port_(port),
      expected_body_(std::move(expected_body)),
      interval_(interval),
      limit_(limit),
      thread_([this] { run(); }) {}

size_t SteadyClient::served() const {
  std::lock_guard lock(mu_);
  return report_.served;
}

SteadyClient::Report SteadyClient::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  return report_;
}

void SteadyClient::run() {
  auto fail = [this](size_t n, const std::string& why) {
    std::lock_guard lock(mu_);
    if (report_.failures.size() < 10)
      report_.failures.push_back("request " + std::to_string(n) + ": " + why);
  };
  HttpClient c(port_, deadline_in(limit_));
  if (!c.connected()) {
    fail(0, "cannot connect");
    return;
  }
  for (size_t n = 0; !stop_; ++n) {
    const std::string target = "/steady/" + std::to_string(n);
    std::string expected = expected_body_;
    if (size_t at = expected.find("<target>"); at != std::string::npos)
      expected.replace(at, 8, target);
    Clock::time_point sent = Clock::now();
    HttpMessage r =
        c.round_trip("GET " + target + " HTTP/1.1\r\nHost: steady\r\n\r\n", sent + limit_);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
    {
      std::lock_guard lock(mu_);
      report_.slowest = std::max(report_.slowest, took);
    }
    if (!r.ok()) {
      fail(n, r.error + " after " + std::to_string(took.count()) + " ms");
      return;
    }
    if (r.status != 200 || r.body != expected) {
      fail(n, "got " + std::to_string(r.status) + " \"" + r.body + "\"");
    } else {
      std::lock_guard lock(mu_);
      ++report_.served;
    }
    Deadline next = sent + interval_;
    while (!stop_ && Clock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace ringress::test
