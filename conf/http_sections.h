// Readers for the HTTP parts of a listener: its settings, filters, virtual hosts and routes, and
// the values they share (header names, header edits, format strings, regexes). Internal to conf/;
// listeners_section.cc is the entry point (read_http).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "conf/config.h"
#include "conf/reader.h"

namespace ringress::conf {

// The keys of a listener table that only an http listener may have (idle_timeout, shared with
// tcp listeners, is not among them).
const std::vector<std::string_view>& http_listener_keys();

// The http keys of a listener table (the caller has checked the table's keys and the protocol).
HttpSettings read_http(const Table& listener, const std::vector<Cluster>& clusters);

// filters_section.cc: `filters` and the settings table of each filter.
std::vector<FilterConfig> read_filters(const Table& listener);

// An access_log table's keys ("path", "format", "json") and its destination: path and json.
// The caller reads `format`, whose variables depend on the listener (HTTP or TCP).
Table access_log_table(const Value& value, AccessLog& out);
// The keys of a listener that hold a filter's settings ("headers", "access_log", ...).
const std::vector<std::string_view>& filter_settings_keys();

// virtual_hosts_section.cc: [[listeners.virtual_hosts]].
std::vector<VirtualHost> read_virtual_hosts(const Value& value,
                                            const std::vector<Cluster>& clusters);

// Names given so far in one list (virtual hosts, or one virtual host's routes) -> their index,
// so that a duplicate is found without comparing every pair.
using NameIndex = std::unordered_map<std::string, size_t>;

// routes_section.cc: one element of a virtual host's `routes`; `names` holds the names of the
// routes before it in the same virtual host (and gets this one's).
Route read_route(const Value& value, const std::string& vhost_name, size_t index,
                 const std::vector<Cluster>& clusters, NameIndex& names);

// route_match.cc: what a route matches besides the path.
std::vector<std::string> read_methods(const Value& value);
std::vector<HeaderMatcher> read_header_matchers(const Value& value);
std::vector<QueryMatcher> read_query_matchers(const Value& value);

// route_action.cc: what a route does, and how it retries.
std::vector<WeightedCluster> read_weighted_clusters(const Value& value,
                                                    const std::vector<Cluster>& clusters);
DirectResponse read_direct_response(const Value& value);
Redirect read_redirect(const Value& value, PathMatch path_match);
RetryPolicy read_retry(const Value& value);
// `hash_policy`: an array of { header | cookie (with ttl, path) | source_ip | query_parameter }.
std::vector<HashPolicy> read_hash_policy(const Value& value);

// http_values.cc: values the tables above share.

// Of `keys`, the one that `table` has, or nullopt; fails at the second one present with "give
// only one of a, b or c (this <noun> already has a)".
std::optional<std::string_view> one_of(const Table& table,
                                       const std::vector<std::string_view>& keys,
                                       std::string_view noun);
// A path to match or redirect to: starts with "/", no query, no spaces or control characters.
std::string read_path(const Value& value);
// A string that RE2 compiles; fails with RE2's message otherwise.
std::string read_regex(const Value& value);
// A string that is an HTTP token.
std::string read_header_name(const Value& value);
// A string with %VARIABLES% (see conf/format_string.h). `header_value`: the text also becomes a
// header value, so control characters are rejected.
FormatString read_format(const Value& value, bool header_value);
// Header edits from three keys of `table`: `set` and `add` are tables of name = format string,
// `remove` an array of names. `request`: these edit requests (so Host is off limits).
HeaderMutations read_header_mutations(const Table& table, std::string_view set,
                                      std::string_view add, std::string_view remove, bool request);
// An HTTP status code from min to max.
uint16_t read_status(const Value& value, int min, int max);

}  // namespace ringress::conf
