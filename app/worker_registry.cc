#include "app/worker_registry.h"

namespace ringress::app {

void WorkerRegistry::add(unsigned worker, core::Channel<WorkerMessage>& inbox) {
  workers_.push_back({worker, &inbox});
}

void WorkerRegistry::send(unsigned worker, WorkerMessage message) {
  if (!open_) return;
  for (Entry& e : workers_) {
    if (e.worker == worker) {
      e.inbox->send(std::move(message));
      return;
    }
  }
}

void WorkerRegistry::broadcast(const WorkerMessage& message) {
  if (!open_) return;
  for (Entry& e : workers_) e.inbox->send(message);
}

}  // namespace ringress::app
