// WorkerClusters: one worker's lb::UpstreamCluster objects by cluster id (app/messages.h). A
// cluster is shared by every config generation of the worker that has it (an unchanged cluster
// is the same object before and after a reload, with its pool and counters); the generations
// hold it (shared_ptr, copied only when a generation is built), and the last one to go closes
// its idle pooled connections and removes it from here. Host-set updates and outcome reports
// find it by id. Worker thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

#include "app/messages.h"
#include "core/buffer_pool.h"
#include "lb/upstream_cluster.h"

namespace ringress::app {

class WorkerClusters;

struct WorkerCluster {
  WorkerCluster(const ClusterSpec& spec, core::BufferPool& buffers, uint32_t connection_buffer,
                uint64_t seed, WorkerClusters& registry);
  ~WorkerCluster();
  WorkerCluster(const WorkerCluster&) = delete;
  WorkerCluster& operator=(const WorkerCluster&) = delete;

  const uint32_t id;
  const std::shared_ptr<const conf::Config> owner;  // keeps `cluster.config` alive
  lb::UpstreamCluster cluster;

 private:
  WorkerClusters& registry_;
};

class WorkerClusters {
 public:
  WorkerClusters(unsigned worker, core::BufferPool& buffers, uint32_t connection_buffer)
      : worker_(worker), buffers_(buffers), connection_buffer_(connection_buffer) {}
  WorkerClusters(const WorkerClusters&) = delete;
  WorkerClusters& operator=(const WorkerClusters&) = delete;

  // The worker's cluster for `spec`: the existing one with its id, or a new one.
  std::shared_ptr<WorkerCluster> obtain(const ClusterSpec& spec);
  // The live cluster `id`, or null (a message about a cluster no generation holds any more).
  lb::UpstreamCluster* find(uint32_t id) const;
  // Who is told when a cluster's outcome buffer fills (the worker's OutcomeReporter).
  void set_outcome_listener(lb::OutcomeListener* l) { listener_ = l; }

  template <typename F>
  void for_each(F&& f) const {
    for (const auto& [id, c] : by_id_) f(id, c->cluster);
  }

 private:
  friend struct WorkerCluster;
  unsigned worker_;
  core::BufferPool& buffers_;
  uint32_t connection_buffer_;
  lb::OutcomeListener* listener_ = nullptr;
  std::unordered_map<uint32_t, WorkerCluster*> by_id_;
  std::unordered_map<uint32_t, std::weak_ptr<WorkerCluster>> owners_;
};

}  // namespace ringress::app
