// OutcomeReporter: a worker's coroutine that sends the per-host outcomes its requests left in
// each cluster's buffer (lb/upstream_cluster.h) to the control loop, named by the cluster's id
// (app/messages.h), in fixed-size batches:
// every 100 ms, or as soon as a cluster has a full batch. The request path only appends to a
// buffer of its own thread; the channel's lock is taken here, once per batch.
#pragma once

#include <coroutine>
#include "app/messages.h"
#include "app/worker_clusters.h"
#include "core/channel.h"
#include "core/task.h"
#include "core/timer_queue.h"
#include "lb/upstream_cluster.h"

namespace ringress::app {

class OutcomeReporter final : lb::OutcomeListener {
 public:
  static constexpr core::Duration kFlushInterval = std::chrono::milliseconds(100);

  // Becomes the outcome listener of every cluster `clusters` makes from now on.
  OutcomeReporter(unsigned worker, WorkerClusters& clusters,
                  core::Channel<ControlMessage>& control);
  ~OutcomeReporter();

  // Runs until stop(), then sends what is left.
  core::Task<void> run();
  void stop();

 private:
  void on_batch_ready() override;
  void flush();
  void wake();
  // Waits for kFlushInterval or a wake(), whichever comes first.
  auto nap();

  unsigned worker_;
  WorkerClusters& clusters_;
  core::Channel<ControlMessage>& control_;
  core::Timer timer_;
  std::coroutine_handle<> waiter_;
  bool stopping_ = false;
};

}  // namespace ringress::app
