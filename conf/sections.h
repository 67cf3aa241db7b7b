// One reader per table of the config file. Each checks its table completely (types, ranges,
// references to what was read before) and returns plain structs. Internal to conf/.
#pragma once

#include <string>
#include <vector>

#include "conf/config.h"
#include "conf/reader.h"

namespace ringress::conf {

// [runtime]
Runtime read_runtime(const Value& value);

// [[clusters]]; endpoint host names are resolved here.
std::vector<Cluster> read_clusters(const Value& value);

// The index of the cluster that `value` names; fails with a "did you mean" hint.
size_t find_cluster(const Value& value, const std::vector<Cluster>& clusters);

// [[listeners]]; `clusters` are the ones listeners may refer to.
std::vector<Listener> read_listeners(const Value& value, const std::vector<Cluster>& clusters);

// A listener's tls table (termination): fills listener.tls and builds listener.tls_context.
void read_listener_tls(const Value& value, Listener& listener);
const std::vector<std::string_view>& tls_listener_keys();
// A cluster's tls (true, or a table): fills cluster.tls and builds cluster.tls_context.
void read_cluster_tls(const Value& value, Cluster& cluster);
// A tcp listener's sni_routes.
std::vector<SniRoute> read_sni_routes(const Value& value, const std::vector<Cluster>& clusters);

// The name of a listener or cluster: 1..64 letters, digits, '-', '_' or '.'. Names show up in
// logs and stats, so they stay plain.
std::string read_name(const Value& value);

}  // namespace ringress::conf
