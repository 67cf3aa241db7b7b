// The built-in filters and the factory that builds a listener's chain from its config.
#include <cerrno>
#include <random>

#include "core/io_op.h"
#include "http/access_log_sink.h"
#include "http/filter.h"
#include "http/format.h"
#include "http/header_mutations.h"

namespace ringress::http {

core::Task<FilterStatus> Filter::on_request_headers(Exchange&) { co_return FilterStatus::proceed; }

namespace {

// `headers`: listener-wide request and response header changes.
class HeadersFilter final : public Filter {
 public:
  explicit HeadersFilter(const conf::HeadersFilter& c) : config_(c) {}
  core::Task<FilterStatus> on_request_headers(Exchange& e) override {
    apply_mutations(config_.request, e.request->headers, e);
    co_return FilterStatus::proceed;
  }
  void on_response_headers(Exchange& e, HeaderMap& headers) override {
    apply_mutations(config_.response, headers, e);
  }

 private:
  const conf::HeadersFilter& config_;
};

// `local_rate_limit`: a token bucket per worker; an empty bucket answers 429 (configurable).
class RateLimitFilter final : public Filter {
 public:
  explicit RateLimitFilter(const conf::LocalRateLimit& c)
      : config_(c), tokens_(c.burst), last_(core::Clock::now()) {}
  core::Task<FilterStatus> on_request_headers(Exchange& e) override {
    refill();
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      co_return FilterStatus::proceed;
    }
    e.local = {config_.status, "local rate limit exceeded\n", flags::kRateLimited, false};
    co_return FilterStatus::stop;
  }

 private:
  void refill() {
    core::TimePoint now = core::Clock::now();
    double seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ += seconds * config_.requests_per_second;
    if (tokens_ > config_.burst) tokens_ = config_.burst;
  }
  const conf::LocalRateLimit& config_;
  double tokens_;
  core::TimePoint last_;
};

// `fault`: delays and/or aborts a percentage of requests, to test how clients cope. The delay
// ends early when the connection is cancelled (drain timeout): the request stops there.
class FaultFilter final : public Filter {
 public:
  explicit FaultFilter(const conf::FaultFilter& c) : config_(c) {}
  core::Task<FilterStatus> on_request_headers(Exchange& e) override {
    if (config_.delay_percent > 0 && roll() < config_.delay_percent) {
      int slept = co_await core::sleep_for(config_.delay, e.cancel);
      if (slept == -ECANCELED) {
        e.local = {503, "fault delay cancelled\n", flags::kCancelled, true};
        co_return FilterStatus::stop;
      }
    }
    if (config_.abort_percent > 0 && roll() < config_.abort_percent) {
      e.local = {config_.abort_status, "fault filter abort\n", flags::kFaultInjected, false};
      co_return FilterStatus::stop;
    }
    co_return FilterStatus::proceed;
  }

 private:
  static uint32_t roll() {
    thread_local std::minstd_rand rng{std::random_device{}()};
    return static_cast<uint32_t>(rng() % 100);
  }
  const conf::FaultFilter& config_;
};

// `access_log`: one line per exchange, text or JSON, written through the ring.
class AccessLogFilter final : public Filter {
 public:
  AccessLogFilter(const conf::AccessLog& c, AccessLogSink& sink) : config_(c), sink_(sink) {
    line_.reserve(512);
  }
  void on_complete(const Exchange& e) override {
    format_access_line(line_, config_, e);
    sink_.write(line_);
  }

 private:
  const conf::AccessLog& config_;
  AccessLogSink& sink_;
  std::string line_;
};

}  // namespace

std::vector<std::unique_ptr<Filter>> make_filters(const std::vector<conf::FilterConfig>& configs,
                                                  AccessLogSinks& logs) {
  std::vector<std::unique_ptr<Filter>> out;
  for (const auto& c : configs) {
    switch (c.kind) {
      case conf::FilterKind::headers:
        out.push_back(std::make_unique<HeadersFilter>(c.headers));
        break;
      case conf::FilterKind::local_rate_limit:
        out.push_back(std::make_unique<RateLimitFilter>(c.rate_limit));
        break;
      case conf::FilterKind::fault:
        out.push_back(std::make_unique<FaultFilter>(c.fault));
        break;
      case conf::FilterKind::access_log:
        out.push_back(
            std::make_unique<AccessLogFilter>(c.access_log, logs.open(c.access_log.path)));
        break;
      case conf::FilterKind::router:
        break;
    }
  }
  return out;
}

}  // namespace ringress::http
