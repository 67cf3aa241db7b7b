#include "app/worker_clusters.h"

namespace ringress::app {

WorkerCluster::WorkerCluster(const ClusterSpec& spec, core::BufferPool& buffers,
                             uint32_t connection_buffer, uint64_t seed, WorkerClusters& registry)
    : id(spec.id),
      owner(spec.owner),
      cluster(spec.config(), spec.set, buffers, connection_buffer, seed),
      registry_(registry) {
  registry_.by_id_[id] = this;
  cluster.set_outcome_listener(registry_.listener_);
}

WorkerCluster::~WorkerCluster() {
  cluster.pool.close_idle();
  registry_.by_id_.erase(id);
  registry_.owners_.erase(id);
}

std::shared_ptr<WorkerCluster> WorkerClusters::obtain(const ClusterSpec& spec) {
  auto it = owners_.find(spec.id);
  if (it != owners_.end())
    if (auto existing = it->second.lock()) return existing;
  const uint64_t seed = (uint64_t{worker_} << 32) ^ (uint64_t{spec.id} * 0x9e3779b97f4a7c15ull);
  auto made = std::make_shared<WorkerCluster>(spec, buffers_, connection_buffer_, seed, *this);
  owners_[spec.id] = made;
  return made;
}

lb::UpstreamCluster* WorkerClusters::find(uint32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second->cluster;
}

}  // namespace ringress::app
