// The HTTP part of the config snapshot: virtual hosts, routes, filters, limits and timeouts of an
// http listener, and the upstream connection pool of a cluster. Plain data, validated at load.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conf/units.h"

namespace ringress::conf {

// A string with %VARIABLES% (header values, access log lines), split at load so that nothing is
// parsed per request. A piece is either literal text or one variable.
enum class FormatVar {
  literal,
  client_address,    // %CLIENT_ADDRESS%      peer ip (no port)
  client_port,       // %CLIENT_PORT%
  request_id,        // %REQUEST_ID%
  method,            // %METHOD%
  path,              // %PATH%                request target as received
  protocol,          // %PROTOCOL%            HTTP/1.1
  host,              // %HOST%
  status,            // %STATUS%              response status
  bytes_received,    // %BYTES_RECEIVED%      request body bytes
  bytes_sent,        // %BYTES_SENT%          response body bytes
  duration_ms,       // %DURATION%            ms from request start to last byte
  upstream_host,     // %UPSTREAM_HOST%       ip:port, "-" when none
  upstream_cluster,  // %UPSTREAM_CLUSTER%
  route_name,        // %ROUTE_NAME%
  start_time,        // %START_TIME%          RFC 3339 UTC
  response_flags,    // %RESPONSE_FLAGS%      why a local reply happened (e.g. "NR", "UF")
  // Upstream timing (ms, "-" when there was none): the last try's.
  response_duration,      // %RESPONSE_DURATION%      request start to the upstream's first byte
  response_tx_duration,   // %RESPONSE_TX_DURATION%   upstream's first byte to the response's end
  upstream_service_time,  // %UPSTREAM_SERVICE_TIME%  try start to the upstream's first byte
  upstream_connect_time,  // %UPSTREAM_CONNECT_TIME%  its new connection (TCP and TLS)
  upstream_attempts,      // %UPSTREAM_REQUEST_ATTEMPT_COUNT% tries sent upstream (a number)
  requested_server_name,  // %REQUESTED_SERVER_NAME% the ClientHello's SNI (tcp listeners only)
  request_header,         // %REQ(Name)%
  response_header,        // %RESP(Name)%
};
struct FormatPiece {
  FormatVar var = FormatVar::literal;
  std::string text;  // the literal, or the header name for REQ/RESP
};
using FormatString = std::vector<FormatPiece>;

struct HeaderValue {
  std::string name;
  FormatString value;
};
// Applied in this order: remove, set (replace or add), add (append).
struct HeaderMutations {
  std::vector<std::string> remove;
  std::vector<HeaderValue> set;
  std::vector<HeaderValue> add;
  bool empty() const { return remove.empty() && set.empty() && add.empty(); }
};

enum class MatchKind { exact, prefix, present, regex };
struct HeaderMatcher {
  std::string name;
  MatchKind kind = MatchKind::present;
  std::string value;  // for exact/prefix/regex
  bool invert = false;
};
struct QueryMatcher {
  std::string name;
  MatchKind kind = MatchKind::present;
  std::string value;
};

enum class PathMatch { prefix, exact, path_prefix, regex };

struct WeightedCluster {
  size_t cluster = 0;  // index into Config::clusters
  uint32_t weight = 1;
};
struct DirectResponse {
  uint16_t status = 200;
  std::string body;
  std::string content_type = "text/plain";
};
struct Redirect {
  std::string scheme;  // empty: keep
  std::string host;    // empty: keep (may carry ":port")
  std::string path;    // empty: keep; replaces the whole path
  std::string prefix;  // empty: keep; replaces the matched prefix (prefix routes)
  bool strip_query = false;
  uint16_t status = 301;  // 301, 302, 303, 307, 308
};
struct RegexRewrite {
  std::string pattern;       // RE2 syntax, matched against the whole path
  std::string substitution;  // \1 ... \9
};
struct RetryPolicy {
  bool connect_failure = true;  // retry when no connection could be made
  bool reset = false;           // upstream reset/closed before any response byte
  bool status_5xx = false;      // 500-599 (only if the request body was fully buffered or empty)
  bool gateway_errors = false;  // 502, 503, 504
  uint32_t attempts = 1;        // retries after the first try
  // Retry n waits a random time in [0, min(backoff_max, backoff_base * 2^(n-1))) first (full
  // jitter), so the retries of many requests spread out instead of hitting a host together.
  Duration backoff_base{25};
  Duration backoff_max{250};
  Duration per_try_timeout{0};  // each try's time for the response head; 0: the route timeout only
  // Retry budget: retries in flight may be at most budget_percent of the requests in flight
  // (per worker), but budget_min_concurrency are always allowed.
  uint32_t budget_percent = 20;
  uint32_t budget_min_concurrency = 3;
};

// Where a request's hash key comes from, for clusters with lb_policy ring_hash or maglev
// (http/hash_key.h). A route lists several; the first that yields a key is used.
enum class HashSource { header, cookie, source_ip, query_parameter };
struct HashPolicy {
  HashSource source = HashSource::header;
  std::string name;  // the header, cookie or query parameter ("" for source_ip)
  // cookie: when the request has no such cookie, generate one and send it in a Set-Cookie
  // with this Max-Age (0: a session cookie), so the client's next requests stick to its host.
  std::optional<Duration> cookie_ttl;
  std::string cookie_path;  // cookie: the generated cookie's Path ("" = none)
};

struct Route {
  std::string name;  // for logs; "vhost/index" when not given
  // Match
  PathMatch path_match = PathMatch::prefix;
  std::string path = "/";
  std::vector<std::string> methods;  // empty = any
  std::vector<HeaderMatcher> headers;
  std::vector<QueryMatcher> query;
  // Action: exactly one of clusters / direct_response / redirect
  std::vector<WeightedCluster> clusters;
  std::optional<DirectResponse> direct_response;
  std::optional<Redirect> redirect;
  // Modifiers
  std::string prefix_rewrite;
  std::optional<RegexRewrite> regex_rewrite;
  std::string host_rewrite;        // literal Host for the upstream
  bool auto_host_rewrite = false;  // Host = the chosen endpoint as written in the cluster
  Duration timeout{15000};         // request sent -> response headers received (0 = none)
  Duration idle_timeout{300000};   // between body reads once streaming (0 = none)
  uint64_t max_body_size = 0;      // request body bytes, 0 = unlimited
  HeaderMutations request_headers;
  HeaderMutations response_headers;
  bool allow_upgrade = false;  // Upgrade: websocket (and other tokens) become a byte tunnel
  RetryPolicy retry;
  std::vector<HashPolicy> hash_policy;  // empty: hash policies pick at random
};

struct VirtualHost {
  std::string name;
  std::vector<std::string> domains;  // "api.example.com", "*.example.com", "api.*", "*"
  std::vector<Route> routes;
};

// Filters, in the order the listener's `filters` list gives; the router is always last.
enum class FilterKind { headers, local_rate_limit, fault, access_log, router };
struct HeadersFilter {
  HeaderMutations request;
  HeaderMutations response;
};
struct LocalRateLimit {
  uint32_t requests_per_second = 100;  // token refill rate (per worker)
  uint32_t burst = 100;                // bucket size
  uint16_t status = 429;
};
struct FaultFilter {
  uint32_t abort_percent = 0;  // 0..100
  uint16_t abort_status = 503;
  uint32_t delay_percent = 0;
  Duration delay{0};
};
struct AccessLog {
  std::string path = "-";  // "-" = stdout
  bool json = false;
  FormatString format;  // text format (default: a combined-log-like line)
};
struct FilterConfig {
  FilterKind kind = FilterKind::router;
  HeadersFilter headers;
  LocalRateLimit rate_limit;
  FaultFilter fault;
  AccessLog access_log;
};

// What an encoded slash (%2F, %5C) in a request path becomes.
enum class EscapedSlashes : uint8_t { keep, reject, unescape };

struct HttpSettings {
  std::vector<VirtualHost> virtual_hosts;
  std::vector<FilterConfig> filters;         // ends with the router
  uint32_t max_request_headers = 60 * 1024;  // bytes of request line + headers (431 beyond)
  uint32_t max_header_count = 100;           // 431 beyond
  uint32_t max_uri_length = 8192;            // 414 beyond
  Duration request_headers_timeout{10000};   // whole request head must arrive within (408)
  Duration idle_timeout{60000};              // keep-alive connection without a request
  Duration lingering_timeout{2000};  // after a closing reply, read and drop the client's rest
  std::vector<std::string> trusted_proxies;  // CIDRs whose X-Forwarded-For is kept and appended
  std::string via;                           // added as "Via: 1.1 <via>" when not empty
  bool generate_request_id = true;           // X-Request-Id when absent
  // The request path as routes see it and the upstream gets it (http/path_normalize.h).
  bool normalize_path = true;
  bool merge_slashes = true;
  EscapedSlashes escaped_slashes = EscapedSlashes::keep;
};

// Upstream connection pool of a cluster (per worker, per host).
struct PoolSettings {
  uint32_t max_idle_per_host = 64;
  Duration idle_timeout{4000};  // below the 5 s keep-alive of Node.js/Apache, so we close first
  uint32_t max_requests_per_connection = 0;  // 0 = unlimited
};

}  // namespace ringress::conf
