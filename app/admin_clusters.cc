// /clusters: each cluster's hosts as the control loop sees them (ClusterState: address, weight,
// priority, health, ejection) joined by address with what the workers report (requests in
// flight, pooled connections open and idle), as Envoy-like "cluster::host::field::value" lines or
// JSON.
#include <string>

#include "app/admin_server.h"
#include "app/control_loop.h"
#include "lb/cluster_state.h"

namespace ringress::app {

namespace {

const HostLoad* find_host(const WorkerSnapshot& w, std::size_t cluster, const std::string& a) {
  if (cluster >= w.clusters.size()) return nullptr;
  for (const HostLoad& h : w.clusters[cluster].hosts)
    if (h.address == a) return &h;
  return nullptr;
}

std::string bool_text(bool b) { return b ? "true" : "false"; }

}  // namespace

core::Task<AdminServer::Response> AdminServer::clusters(std::string_view query) {
  const bool json = query.find("format=json") != std::string_view::npos;
  WorkerSnapshot merged;
  std::string failed = co_await gather(merged);
  if (!failed.empty()) {
    Response r;
    r.status = 503;
    r.body = failed;
    co_return r;
  }
  std::string out = json ? "{\"clusters\": [" : "";
  for (std::size_t c = 0; c < control_.config().clusters.size(); ++c) {
    const lb::ClusterState& state = control_.cluster(c);
    const lb::HostSet& set = *state.current();
    const std::string& name = control_.config().clusters[c].name;
    const ClusterLoad empty;
    const ClusterLoad& load = c < merged.clusters.size() ? merged.clusters[c] : empty;
    if (json) {
      if (c > 0) out += ", ";
      out += "{\"name\": \"" + name + "\", \"lb_policy\": \"" +
             std::string(conf::lb_policy_name(control_.config().clusters[c].lb.policy)) +
             "\", \"panic\": " + bool_text(set.panic) +
             ", \"rq_active\": " + std::to_string(load.rq_active) +
             ", \"cx_active\": " + std::to_string(load.cx_active) + ", \"hosts\": [";
    } else {
      out += name + "::lb_policy::" +
             std::string(conf::lb_policy_name(control_.config().clusters[c].lb.policy)) + "\n";
      out += name + "::panic::" + bool_text(set.panic) + "\n";
      out += name + "::rq_active::" + std::to_string(load.rq_active) + "\n";
      out += name + "::cx_active::" + std::to_string(load.cx_active) + "\n";
    }
    for (std::size_t h = 0; h < set.hosts.size(); ++h) {
      const lb::HostEntry& e = set.hosts[h];
      const HostLoad* worker = find_host(merged, c, e.host.address_text);
      const uint32_t rq_active = worker ? worker->rq_active : 0;
      const uint32_t cx_active = worker ? worker->cx_active : 0;
      const uint32_t cx_idle = worker ? worker->cx_idle : 0;
      if (json) {
        if (h > 0) out += ", ";
        out += "{\"address\": \"" + e.host.address_text + "\", \"endpoint\": \"" + e.host.name +
               "\", \"weight\": " + std::to_string(e.host.weight) +
               ", \"priority\": " + std::to_string(e.priority) +
               ", \"backup\": " + bool_text(e.priority > 0) +
               ", \"healthy\": " + bool_text(e.healthy) + ", \"ejected\": " + bool_text(e.ejected) +
               ", \"rq_active\": " + std::to_string(rq_active) +
               ", \"cx_active\": " + std::to_string(cx_active) +
               ", \"cx_idle\": " + std::to_string(cx_idle) + "}";
        continue;
      }
      const std::string prefix = name + "::" + e.host.address_text + "::";
      out += prefix + "endpoint::" + e.host.name + "\n";
      out += prefix + "weight::" + std::to_string(e.host.weight) + "\n";
      out += prefix + "priority::" + std::to_string(e.priority) + "\n";
      out += prefix + "backup::" + bool_text(e.priority > 0) + "\n";
      out += prefix + "healthy::" + bool_text(e.healthy) + "\n";
      out += prefix + "ejected::" + bool_text(e.ejected) + "\n";
      out += prefix + "rq_active::" + std::to_string(rq_active) + "\n";
      out += prefix + "cx_active::" + std::to_string(cx_active) + "\n";
      out += prefix + "cx_idle::" + std::to_string(cx_idle) + "\n";
    }
    if (json) out += "]}";
  }
  Response r;
  if (json) {
    out += "]}\n";
    r.content_type = "application/json";
  }
  r.body = std::move(out);
  co_return r;
}

}  // namespace ringress::app
