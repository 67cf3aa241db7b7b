#include "app/worker_generation.h"

namespace ringress::app {

namespace {

lb::ClusterRefs refs_of(const std::vector<std::shared_ptr<WorkerCluster>>& clusters) {
  std::vector<lb::UpstreamCluster*> refs;
  refs.reserve(clusters.size());
  for (const auto& c : clusters) refs.push_back(&c->cluster);
  return lb::ClusterRefs(std::move(refs));
}

}  // namespace

WorkerGeneration::WorkerGeneration(uint64_t number, std::shared_ptr<const conf::Config> config,
                                   std::vector<std::shared_ptr<WorkerCluster>> held,
                                   core::BufferPool& buffers, uint32_t connection_buffer,
                                   TcpStats& tcp_stats, http::HttpStats& http_stats)
    : number(number),
      config(std::move(config)),
      cluster_holds(std::move(held)),
      clusters(refs_of(cluster_holds)) {
  for (const auto& l : this->config->listeners) {
    if (l.protocol == conf::Protocol::tcp) {
      auto& p = tcp.emplace_back(
          std::make_unique<TcpProxy>(l, clusters, buffers, connection_buffer, tcp_stats, logs));
      http.emplace_back();
      serve.push_back([p = p.get()](core::Socket s, core::TaskScope& scope) {
        return p->serve(std::move(s), scope);
      });
    } else {
      auto& h = http.emplace_back(std::make_unique<http::HttpListener>(
          l, clusters, buffers, connection_buffer, logs, http_stats));
      serve.push_back([h = h.get()](core::Socket s, core::TaskScope& scope) {
        return h->serve(std::move(s), scope);
      });
    }
  }
}

WorkerGeneration::~WorkerGeneration() = default;

int WorkerGeneration::listener_index(std::string_view name) const {
  for (std::size_t i = 0; i < config->listeners.size(); ++i)
    if (config->listeners[i].name == name) return static_cast<int>(i);
  return -1;
}

void WorkerGeneration::retire() {
  for (auto& h : http)
    if (h) h->retire();
}

void WorkerGeneration::drain_listener(std::size_t i) {
  if (i < http.size() && http[i]) http[i]->drain();
}

void WorkerGeneration::drain_all() {
  for (auto& h : http)
    if (h) h->drain();
}

}  // namespace ringress::app
