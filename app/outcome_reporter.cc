#include "app/outcome_reporter.h"

#include <algorithm>

#include "core/reactor.h"

namespace ringress::app {

OutcomeReporter::OutcomeReporter(unsigned worker, WorkerClusters& clusters,
                                 core::Channel<ControlMessage>& control)
    : worker_(worker), clusters_(clusters), control_(control) {
  timer_.context = this;
  timer_.fire = [](core::Timer* t) {
    auto* self = static_cast<OutcomeReporter*>(t->context);
    if (self->waiter_) core::Reactor::current().post(std::exchange(self->waiter_, {}));
  };
  clusters_.set_outcome_listener(this);
}

OutcomeReporter::~OutcomeReporter() {
  clusters_.set_outcome_listener(nullptr);
  if (timer_.queued()) core::Reactor::current().remove_timer(&timer_);
}

auto OutcomeReporter::nap() {
  struct Awaiter {
    OutcomeReporter& r;
    bool await_ready() const noexcept { return r.stopping_; }
    void await_suspend(std::coroutine_handle<> h) {
      r.waiter_ = h;
      r.timer_.deadline = core::deadline_after(kFlushInterval);
      core::Reactor::current().add_timer(&r.timer_);
    }
    void await_resume() const noexcept {}
  };
  return Awaiter{*this};
}

core::Task<void> OutcomeReporter::run() {
  while (!stopping_) {
    co_await nap();
    flush();
  }
}

void OutcomeReporter::stop() {
  stopping_ = true;
  wake();
}

void OutcomeReporter::on_batch_ready() { wake(); }

void OutcomeReporter::wake() {
  if (!waiter_) return;
  if (timer_.queued()) core::Reactor::current().remove_timer(&timer_);
  core::Reactor::current().post(std::exchange(waiter_, {}));
}

void OutcomeReporter::flush() {
  clusters_.for_each([this](uint32_t id, lb::UpstreamCluster& cluster) {
    std::vector<lb::OutcomeReport>& reports = cluster.reports();
    for (std::size_t at = 0; at < reports.size(); at += OutcomeBatch::kCapacity) {
      OutcomeBatch batch;
      batch.worker = worker_;
      batch.cluster_id = id;
      batch.count = static_cast<uint32_t>(std::min(OutcomeBatch::kCapacity, reports.size() - at));
      std::copy_n(reports.begin() + static_cast<std::ptrdiff_t>(at), batch.count,
                  batch.reports.begin());
      control_.send(batch);
    }
    reports.clear();
  });
}

}  // namespace ringress::app
