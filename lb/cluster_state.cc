#include "lb/cluster_state.h"

#include "core/log.h"
#include "lb/cluster_hosts.h"

namespace ringress::lb {

ClusterState::ClusterState(const conf::Cluster& config, Publish publish)
    : config_(config), publish_(std::move(publish)) {
  current_ = make_host_set(1, static_host_entries(config), config);
  list_version_ = current_->version;
  ++stats_.snapshots;
  if (config.outlier_detection) {
    outlier_ = std::make_unique<OutlierDetector>(*config.outlier_detection);
    outlier_->set_host_count(current_->hosts.size());
  }
}

ClusterState::~ClusterState() = default;

void ClusterState::set_endpoints(std::span<const DiscoveredEndpoint> endpoints) {
  std::vector<HostEntry> hosts = discovered_host_entries(endpoints);
  // Hosts that stay (by address) keep their health verdict and, through reindex, their ejection.
  std::vector<std::size_t> previous(hosts.size(), OutlierDetector::kNewHost);
  const auto& old = current_->hosts;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    for (std::size_t j = 0; j < old.size(); ++j) {
      if (old[j].host.address == hosts[i].host.address) {
        hosts[i].healthy = old[j].healthy;
        hosts[i].ejected = old[j].ejected;
        previous[i] = j;
        break;
      }
    }
  }
  if (outlier_) outlier_->reindex(previous);
  previous_to_current_.assign(old.size(), OutlierDetector::kNewHost);
  for (std::size_t i = 0; i < previous.size(); ++i)
    if (previous[i] != OutlierDetector::kNewHost) previous_to_current_[previous[i]] = i;
  previous_version_ = list_version_;
  ++stats_.host_changes;  // the discovery logged it
  republish(std::move(hosts));
  list_version_ = current_->version;
}

void ClusterState::set_healthy(std::size_t index, bool healthy, std::string_view) {
  if (index >= current_->hosts.size() || current_->hosts[index].healthy == healthy) return;
  ++stats_.health_changes;  // the checker logged it
  std::vector<HostEntry> hosts = current_->hosts;
  hosts[index].healthy = healthy;
  republish(std::move(hosts));
}

void ClusterState::record(std::span<const OutcomeReport> batch, core::TimePoint now) {
  if (!outlier_) return;
  std::vector<OutcomeReport> fresh;
  fresh.reserve(batch.size());
  for (const OutcomeReport& r : batch) {
    if (std::optional<std::size_t> host = current_index(r.host, r.version)) {
      fresh.push_back(r);
      fresh.back().host = *host;
    } else {
      ++stats_.stale_outcomes;
    }
  }
  apply(outlier_->record(fresh, now));
}

std::optional<std::size_t> ClusterState::current_index(std::size_t host, uint64_t version) const {
  if (version >= list_version_) return host;
  if (previous_version_ == 0 || version < previous_version_ || host >= previous_to_current_.size())
    return std::nullopt;
  const std::size_t now = previous_to_current_[host];
  if (now == OutlierDetector::kNewHost) return std::nullopt;
  return now;
}

void ClusterState::tick(core::TimePoint now) {
  if (outlier_) apply(outlier_->tick(now));
}

void ClusterState::apply(std::vector<EjectionChange> changes) {
  if (changes.empty()) return;
  std::vector<HostEntry> hosts = current_->hosts;
  for (const EjectionChange& c : changes) {
    if (c.host >= hosts.size()) continue;
    hosts[c.host].ejected = c.ejected;
    if (c.ejected) {
      ++stats_.ejections;
      RLOG_WARN("cluster %s: host %s ejected for %lld ms: %s", config_.name.c_str(),
                hosts[c.host].host.address_text.c_str(), static_cast<long long>(c.duration.count()),
                c.why.c_str());
    } else {
      RLOG_INFO("cluster %s: host %s back in service: %s", config_.name.c_str(),
                hosts[c.host].host.address_text.c_str(), c.why.c_str());
    }
  }
  republish(std::move(hosts));
}

void ClusterState::republish(std::vector<HostEntry> hosts) {
  current_ = make_host_set(current_->version + 1, std::move(hosts), config_);
  ++stats_.snapshots;
  if (current_->panic)
    RLOG_WARN("cluster %s: too few hosts available (panic threshold %u%%): using all %zu",
              config_.name.c_str(), config_.panic_threshold, current_->hosts.size());
  publish_(current_);
}

}  // namespace ringress::lb
