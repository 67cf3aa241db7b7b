// Loading http listeners: the example, the defaults, both ways of writing routes, and the exact
// message for each kind of mistake.
#include <gtest/gtest.h>

#include <string>

#include "conf/config.h"
#include "conf/format_string.h"
#include "tests/conf/config_text.h"

namespace ringress::conf {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const std::string kExamples = std::string(RINGRESS_SOURCE_DIR) + "/conf/examples";

// The what() of the ConfigError that `text` causes, or "(no error)".
using test::error_of;

// Two clusters (lines 1-6), then an http listener (lines 7-9) with `keys` from line 10, then
// `vhosts`: by default one virtual host whose one route forwards to "users".
const std::string kVhost =
    "[[listeners.virtual_hosts]]\n"
    "routes = [{ cluster = \"users\" }]\n";
std::string http(std::string_view keys, std::string_view vhosts = kVhost) {
  return std::string(
             "[[clusters]]\nname = \"users\"\nendpoints = [\"127.0.0.1:9001\"]\n"
             "[[clusters]]\nname = \"web\"\nendpoints = [\"127.0.0.1:9002\"]\n"
             "[[listeners]]\nname = \"front\"\naddress = \"127.0.0.1:8080\"\n") +
         std::string(keys) + std::string(vhosts);
}
// `route` as the only route of one virtual host: on line 12, from column 3.
std::string route(std::string_view route) {
  return http("", "[[listeners.virtual_hosts]]\nroutes = [\n  " + std::string(route) + ",\n]\n");
}
// The route's prefix in error keys.
constexpr std::string_view kRoute = "listeners[0].virtual_hosts[0].routes[0]";

// A format string's pieces, in a form that compares and prints: "'took '|DURATION|'ms'".
std::string pieces(const FormatString& format) {
  std::string out;
  for (const FormatPiece& p : format) {
    if (!out.empty()) out += "|";
    if (p.var == FormatVar::literal)
      out += "'" + p.text + "'";
    else
      out += std::string(format_var_name(p.var)) + (p.text.empty() ? "" : "(" + p.text + ")");
  }
  return out;
}
std::string format_of(std::string_view text) {
  std::string error;
  auto format = parse_format(text, error);
  EXPECT_TRUE(format) << error;
  return format ? pieces(*format) : "";
}

// --- The examples ---

TEST(HttpExample, HasTheExpectedStructure) {
  Config config = load_config(kExamples + "/http.toml");
  EXPECT_TRUE(config.admin.enabled);
  EXPECT_EQ(config.admin.address.to_string(), "127.0.0.1:9901");
  ASSERT_EQ(config.listeners.size(), 1u);
  ASSERT_EQ(config.clusters.size(), 2u);
  const Listener& listener = config.listeners[0];
  EXPECT_EQ(listener.protocol, Protocol::http);
  EXPECT_EQ(listener.address.to_string(), "127.0.0.1:8080");
  const HttpSettings& http = listener.http;
  ASSERT_EQ(http.filters.size(), 2u);
  EXPECT_EQ(http.filters[0].kind, FilterKind::access_log);
  EXPECT_EQ(http.filters[0].access_log.path, "-");
  EXPECT_FALSE(http.filters[0].access_log.json);
  EXPECT_EQ(pieces(http.filters[0].access_log.format), format_of(kDefaultAccessLogFormat));
  EXPECT_EQ(http.filters[1].kind, FilterKind::router);

  ASSERT_EQ(http.virtual_hosts.size(), 2u);
  const VirtualHost& api = http.virtual_hosts[0];
  EXPECT_EQ(api.name, "api");
  EXPECT_EQ(api.domains, std::vector<std::string>{"api.example.com"});
  ASSERT_EQ(api.routes.size(), 2u);
  EXPECT_EQ(api.routes[0].path_match, PathMatch::prefix);
  EXPECT_EQ(api.routes[0].path, "/users/");
  ASSERT_EQ(api.routes[0].clusters.size(), 1u);
  EXPECT_EQ(config.clusters[api.routes[0].clusters[0].cluster].name, "users");
  EXPECT_EQ(api.routes[0].timeout, seconds(5));
  EXPECT_EQ(api.routes[1].path, "/");
  EXPECT_EQ(config.clusters[api.routes[1].clusters.at(0).cluster].name, "web");
  EXPECT_TRUE(api.routes[1].retry.connect_failure);
  EXPECT_TRUE(api.routes[1].retry.status_5xx);
  EXPECT_FALSE(api.routes[1].retry.reset);
  EXPECT_EQ(api.routes[1].retry.attempts, 2u);

  const VirtualHost& www = http.virtual_hosts[1];
  EXPECT_EQ(www.name, "www");
  EXPECT_EQ(www.domains, std::vector<std::string>{"*"});
  ASSERT_EQ(www.routes.size(), 3u);
  EXPECT_EQ(www.routes[0].path_match, PathMatch::exact);
  EXPECT_EQ(www.routes[0].path, "/healthz");
  ASSERT_TRUE(www.routes[0].direct_response);
  EXPECT_EQ(www.routes[0].direct_response->status, 200);
  EXPECT_EQ(www.routes[0].direct_response->body, "ok");
  EXPECT_TRUE(www.routes[0].clusters.empty());
  ASSERT_TRUE(www.routes[1].redirect);
  EXPECT_EQ(www.routes[1].redirect->prefix, "/new/");
  EXPECT_EQ(www.routes[1].redirect->status, 308);
  EXPECT_EQ(config.clusters[www.routes[2].clusters.at(0).cluster].name, "web");

  EXPECT_EQ(config.clusters[0].endpoints.at(0).addresses.at(0).to_string(), "127.0.0.1:9001");
  EXPECT_EQ(config.clusters[1].endpoints.at(0).addresses.at(0).to_string(), "127.0.0.1:9002");
  EXPECT_FALSE(config.clusters[1].endpoints.at(0).backup);
  EXPECT_EQ(config.clusters[1].endpoints.at(1).addresses.at(0).to_string(), "127.0.0.1:9001");
  EXPECT_TRUE(config.clusters[1].endpoints.at(1).backup);
  EXPECT_EQ(config.clusters[1].pool.idle_timeout, seconds(4));
  ASSERT_TRUE(config.clusters[1].health_check);
  EXPECT_EQ(config.clusters[1].health_check->path, "/");
  EXPECT_EQ(config.clusters[1].health_check->interval, seconds(2));
  EXPECT_EQ(config.clusters[1].health_check->unhealthy_threshold, 2u);
  EXPECT_EQ(config.clusters[1].health_check->healthy_threshold, 1u);
}

TEST(HttpExample, EveryKeyIsRead) {
  Config config = load_config(kExamples + "/http-all-keys.toml");
  const Listener& listener = config.listeners.at(0);
  EXPECT_EQ(listener.protocol, Protocol::http);
  const HttpSettings& http = listener.http;
  ASSERT_EQ(http.filters.size(), 5u);
  EXPECT_EQ(http.filters[0].kind, FilterKind::local_rate_limit);
  EXPECT_EQ(http.filters[0].rate_limit.requests_per_second, 100u);
  EXPECT_EQ(http.filters[0].rate_limit.burst, 200u);
  EXPECT_EQ(http.filters[0].rate_limit.status, 429);
  EXPECT_EQ(http.filters[1].kind, FilterKind::fault);
  EXPECT_EQ(http.filters[1].fault.abort_status, 503);
  EXPECT_EQ(http.filters[2].kind, FilterKind::headers);
  const HeadersFilter& headers = http.filters[2].headers;
  ASSERT_EQ(headers.request.set.size(), 1u);
  EXPECT_EQ(headers.request.set[0].name, "X-Env");
  EXPECT_EQ(pieces(headers.request.set[0].value), format_of("prod"));
  ASSERT_EQ(headers.request.add.size(), 1u);
  EXPECT_EQ(pieces(headers.request.add[0].value), format_of("%CLIENT_ADDRESS%:%CLIENT_PORT%"));
  EXPECT_EQ(headers.request.remove, std::vector<std::string>{"X-Debug"});
  EXPECT_EQ(pieces(headers.response.set.at(0).value), format_of("%REQ(X-Request-Id)%"));
  EXPECT_EQ(headers.response.add.at(0).name, "X-Upstream");
  EXPECT_EQ(headers.response.remove, std::vector<std::string>{"Server"});
  EXPECT_EQ(http.filters[3].kind, FilterKind::access_log);
  EXPECT_EQ(pieces(http.filters[3].access_log.format), format_of(kDefaultAccessLogFormat));
  EXPECT_EQ(http.filters[4].kind, FilterKind::router);
  EXPECT_EQ(http.max_request_headers, 60u * 1024);
  EXPECT_EQ(http.max_header_count, 100u);
  EXPECT_EQ(http.max_uri_length, 8192u);
  EXPECT_EQ(http.request_headers_timeout, seconds(10));
  EXPECT_EQ(http.idle_timeout, seconds(60));
  EXPECT_EQ(http.trusted_proxies,
            (std::vector<std::string>{"127.0.0.1/32", "10.0.0.0/8", "fd00::/8"}));
  EXPECT_EQ(http.via, "ringress");
  EXPECT_TRUE(http.generate_request_id);
  EXPECT_TRUE(http.normalize_path);
  EXPECT_TRUE(http.merge_slashes);
  EXPECT_EQ(http.escaped_slashes, EscapedSlashes::keep);

  const VirtualHost& api = http.virtual_hosts.at(0);
  EXPECT_EQ(api.domains,
            (std::vector<std::string>{"api.example.com", "*.api.example.com", "api.*"}));
  ASSERT_EQ(api.routes.size(), 2u);
  const Route& users = api.routes[0];
  EXPECT_EQ(users.name, "users");
  EXPECT_EQ(users.path_match, PathMatch::path_prefix);
  EXPECT_EQ(users.path, "/users");
  EXPECT_EQ(users.methods, (std::vector<std::string>{"GET", "POST"}));
  ASSERT_EQ(users.headers.size(), 2u);
  EXPECT_EQ(users.headers[0].name, "X-Canary");
  EXPECT_EQ(users.headers[0].kind, MatchKind::exact);
  EXPECT_EQ(users.headers[0].value, "1");
  EXPECT_FALSE(users.headers[0].invert);
  EXPECT_EQ(users.headers[1].kind, MatchKind::present);
  EXPECT_TRUE(users.headers[1].invert);
  ASSERT_EQ(users.query.size(), 1u);
  EXPECT_EQ(users.query[0].name, "v");
  EXPECT_EQ(users.query[0].kind, MatchKind::exact);
  ASSERT_EQ(users.clusters.size(), 2u);
  EXPECT_EQ(users.clusters[0].cluster, 0u);
  EXPECT_EQ(users.clusters[0].weight, 90u);
  EXPECT_EQ(users.clusters[1].cluster, 1u);
  EXPECT_EQ(users.clusters[1].weight, 10u);
  EXPECT_EQ(users.timeout, seconds(15));
  EXPECT_EQ(users.idle_timeout, minutes(5));
  EXPECT_EQ(users.max_body_size, 10u << 20);
  EXPECT_EQ(users.prefix_rewrite, "/v2/users");
  EXPECT_EQ(users.host_rewrite, "users.internal");
  EXPECT_EQ(users.request_headers.set.at(0).name, "X-Route");
  EXPECT_EQ(pieces(users.request_headers.add.at(0).value), format_of("%REQ(X-Request-Id)%"));
  EXPECT_EQ(users.request_headers.remove, std::vector<std::string>{"Cookie"});
  EXPECT_EQ(users.response_headers.set.at(0).name, "Cache-Control");
  EXPECT_TRUE(users.response_headers.add.empty());
  EXPECT_FALSE(users.allow_upgrade);
  EXPECT_TRUE(users.retry.connect_failure && users.retry.reset && users.retry.status_5xx &&
              users.retry.gateway_errors);
  EXPECT_EQ(users.retry.attempts, 2u);
  const Route& img = api.routes[1];
  EXPECT_EQ(img.name, "api/1");
  EXPECT_EQ(img.path_match, PathMatch::regex);
  EXPECT_EQ(img.path, "^/img/[0-9]+$");
  ASSERT_TRUE(img.regex_rewrite);
  EXPECT_EQ(img.regex_rewrite->pattern, "^/img/([0-9]+)$");
  EXPECT_EQ(img.regex_rewrite->substitution, "/images/\\1.png");
  EXPECT_TRUE(img.auto_host_rewrite);

  const VirtualHost& www = http.virtual_hosts.at(1);
  ASSERT_EQ(www.routes.size(), 3u);
  EXPECT_EQ(www.routes[0].direct_response->content_type, "text/plain");
  const Redirect& redirect = www.routes[1].redirect.value();
  EXPECT_EQ(redirect.scheme, "https");
  EXPECT_EQ(redirect.host, "www.example.com");
  EXPECT_EQ(redirect.prefix, "/new/");
  EXPECT_EQ(redirect.path, "");
  EXPECT_TRUE(redirect.strip_query);
  EXPECT_EQ(redirect.status, 301);
  EXPECT_TRUE(www.routes[2].allow_upgrade);

  const PoolSettings& pool = config.clusters.at(0).pool;
  EXPECT_EQ(pool.max_idle_per_host, 64u);
  EXPECT_EQ(pool.idle_timeout, seconds(4));
  EXPECT_EQ(pool.max_requests_per_connection, 0u);
}

// --- Defaults ---

TEST(HttpDefaults, AreAsDocumented) {
  Config config = parse_config(http(""), "proxy.toml");
  const Listener& listener = config.listeners.at(0);
  EXPECT_EQ(listener.protocol, Protocol::http);
  const HttpSettings& http = listener.http;
  ASSERT_EQ(http.filters.size(), 1u);
  EXPECT_EQ(http.filters[0].kind, FilterKind::router);
  EXPECT_EQ(http.max_request_headers, 61440u);
  EXPECT_EQ(http.max_header_count, 100u);
  EXPECT_EQ(http.max_uri_length, 8192u);
  EXPECT_EQ(http.request_headers_timeout, seconds(10));
  EXPECT_EQ(http.idle_timeout, seconds(60));
  EXPECT_TRUE(http.trusted_proxies.empty());
  EXPECT_EQ(http.via, "");
  EXPECT_TRUE(http.generate_request_id);
  const VirtualHost& vhost = http.virtual_hosts.at(0);
  EXPECT_EQ(vhost.name, "vhost0");
  EXPECT_EQ(vhost.domains, std::vector<std::string>{"*"});
  const Route& r = vhost.routes.at(0);
  EXPECT_EQ(r.name, "vhost0/0");
  EXPECT_EQ(r.path_match, PathMatch::prefix);
  EXPECT_EQ(r.path, "/");
  EXPECT_TRUE(r.methods.empty());
  EXPECT_TRUE(r.headers.empty());
  EXPECT_TRUE(r.query.empty());
  ASSERT_EQ(r.clusters.size(), 1u);
  EXPECT_EQ(r.clusters[0].cluster, 0u);
  EXPECT_EQ(r.clusters[0].weight, 1u);
  EXPECT_FALSE(r.direct_response);
  EXPECT_FALSE(r.redirect);
  EXPECT_EQ(r.prefix_rewrite, "");
  EXPECT_FALSE(r.regex_rewrite);
  EXPECT_EQ(r.host_rewrite, "");
  EXPECT_FALSE(r.auto_host_rewrite);
  EXPECT_EQ(r.timeout, seconds(15));
  EXPECT_EQ(r.idle_timeout, minutes(5));
  EXPECT_EQ(r.max_body_size, 0u);
  EXPECT_TRUE(r.request_headers.empty());
  EXPECT_TRUE(r.response_headers.empty());
  EXPECT_FALSE(r.allow_upgrade);
  EXPECT_TRUE(r.retry.connect_failure);
  EXPECT_FALSE(r.retry.reset || r.retry.status_5xx || r.retry.gateway_errors);
  EXPECT_EQ(r.retry.attempts, 1u);
  const PoolSettings& pool = config.clusters.at(0).pool;
  EXPECT_EQ(pool.max_idle_per_host, 64u);
  EXPECT_EQ(pool.idle_timeout, seconds(4));
  EXPECT_EQ(pool.max_requests_per_connection, 0u);
}

TEST(HttpDefaults, FilterSettings) {
  Config config =
      parse_config(http("filters = [\"local_rate_limit\", \"fault\", \"headers\", \"access_log\", "
                        "\"router\"]\nlocal_rate_limit = { requests_per_second = 500 }\n"),
                   "proxy.toml");
  const auto& filters = config.listeners.at(0).http.filters;
  ASSERT_EQ(filters.size(), 5u);
  EXPECT_EQ(filters[0].rate_limit.requests_per_second, 500u);
  EXPECT_EQ(filters[0].rate_limit.burst, 500u);  // a second's worth
  EXPECT_EQ(filters[0].rate_limit.status, 429);
  EXPECT_EQ(filters[1].fault.abort_percent, 0u);
  EXPECT_EQ(filters[1].fault.abort_status, 503);
  EXPECT_EQ(filters[1].fault.delay_percent, 0u);
  EXPECT_EQ(filters[1].fault.delay, milliseconds(0));
  EXPECT_TRUE(filters[2].headers.request.empty());
  EXPECT_TRUE(filters[2].headers.response.empty());
  EXPECT_EQ(filters[3].access_log.path, "-");
  EXPECT_FALSE(filters[3].access_log.json);
  EXPECT_EQ(pieces(filters[3].access_log.format), format_of(kDefaultAccessLogFormat));
}

TEST(HttpDefaults, IdleTimeoutDependsOnTheProtocol) {
  Config config = parse_config(http("idle_timeout = \"30s\"\n"), "proxy.toml");
  EXPECT_EQ(config.listeners[0].http.idle_timeout, seconds(30));
  EXPECT_EQ(config.listeners[0].idle_timeout, std::chrono::hours(1));  // the tcp one, unused
}

// --- Values ---

TEST(HttpValues, ProtocolMayBeGiven) {
  Config config = parse_config(http("protocol = \"http\"\n"), "proxy.toml");
  EXPECT_EQ(config.listeners[0].protocol, Protocol::http);
}

TEST(HttpValues, RoutesMayBeTablesOrInlineTables) {
  std::string inline_form = http("", R"([[listeners.virtual_hosts]]
routes = [
  { exact = "/healthz", direct_response = { status = 200, body = "ok" } },
  { prefix = "/", clusters = ["users", { name = "web", weight = 3 }], timeout = "2s" },
]
)");
  std::string table_form = http("", R"([[listeners.virtual_hosts]]
[[listeners.virtual_hosts.routes]]
exact = "/healthz"
direct_response = { status = 200, body = "ok" }
[[listeners.virtual_hosts.routes]]
prefix = "/"
timeout = "2s"
clusters = ["users", { name = "web", weight = 3 }]
)");
  for (const std::string& text : {inline_form, table_form}) {
    SCOPED_TRACE(text);
    Config config = parse_config(text, "proxy.toml");
    const auto& routes = config.listeners.at(0).http.virtual_hosts.at(0).routes;
    ASSERT_EQ(routes.size(), 2u);
    EXPECT_EQ(routes[0].path_match, PathMatch::exact);
    EXPECT_EQ(routes[0].direct_response->body, "ok");
    EXPECT_EQ(routes[1].timeout, seconds(2));
    ASSERT_EQ(routes[1].clusters.size(), 2u);
    EXPECT_EQ(routes[1].clusters[0].cluster, 0u);
    EXPECT_EQ(routes[1].clusters[0].weight, 1u);
    EXPECT_EQ(routes[1].clusters[1].cluster, 1u);
    EXPECT_EQ(routes[1].clusters[1].weight, 3u);
  }
}

TEST(HttpValues, DomainsAreLowerCased) {
  Config config =
      parse_config(http("",
                        "[[listeners.virtual_hosts]]\ndomains = [\"API.Example.com\", \"[::1]\"]\n"
                        "routes = [{ cluster = \"users\" }]\n"),
                   "proxy.toml");
  EXPECT_EQ(config.listeners[0].http.virtual_hosts[0].domains,
            (std::vector<std::string>{"api.example.com", "[::1]"}));
}

TEST(HttpValues, HeaderEditsKeepDocumentOrder) {
  Config config = parse_config(
      http("filters = [\"headers\", \"router\"]\n"
           "headers = { request_set = { \"X-B\" = \"1\", \"X-A\" = \"%METHOD%\" } }\n"),
      "proxy.toml");
  const auto& set = config.listeners[0].http.filters.at(0).headers.request.set;
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(set[0].name, "X-B");
  EXPECT_EQ(set[1].name, "X-A");
  EXPECT_EQ(pieces(set[1].value), format_of("%METHOD%"));
}

TEST(HttpValues, AccessLogInJson) {
  Config config = parse_config(
      http("filters = [\"access_log\", \"router\"]\n"
           "access_log = { path = \"/var/log/ringress.log\", json = true, format = \"%STATUS% "
           "%REQ(User-Agent)%\" }\n"),
      "proxy.toml");
  const AccessLog& log = config.listeners[0].http.filters.at(0).access_log;
  EXPECT_EQ(log.path, "/var/log/ringress.log");
  EXPECT_TRUE(log.json);
  EXPECT_EQ(pieces(log.format), format_of("%STATUS% %REQ(User-Agent)%"));
}

TEST(HttpValues, TcpListenersStayAsTheyWere) {
  Config config = parse_config(http("") +
                                   "[[listeners]]\nname = \"db\"\naddress = \"127.0.0.1:5432\"\n"
                                   "cluster = \"users\"\nidle_timeout = \"10m\"\n",
                               "proxy.toml");
  EXPECT_EQ(config.listeners.at(1).protocol, Protocol::tcp);
  EXPECT_EQ(config.listeners.at(1).idle_timeout, minutes(10));
}

// --- Mistakes: which protocol ---

TEST(HttpErrors, Protocol) {
  EXPECT_EQ(error_of(http("cluster = \"users\"\n")),
            "proxy.toml:11:13: listeners[0].virtual_hosts: a listener has cluster (tcp: pass "
            "connections on) or virtual_hosts (http: route requests), not both");
  EXPECT_EQ(error_of(http("", "")),
            "proxy.toml:7:1: listeners[0]: a listener needs cluster (tcp: pass connections on) or "
            "virtual_hosts (http: route requests)");
  EXPECT_EQ(error_of(http("protocol = \"htp\"\n")),
            "proxy.toml:10:12: listeners[0].protocol: expected one of \"tcp\" or \"http\", got "
            "\"htp\" (did you mean \"http\"?)");
  EXPECT_EQ(error_of(http("protocol = \"http\"\n", "")),
            "proxy.toml:7:1: listeners[0].virtual_hosts: required key is missing");
  EXPECT_EQ(error_of(http("protocol = \"http\"\ncluster = \"users\"\n")),
            "proxy.toml:11:1: listeners[0].cluster: cluster is for tcp listeners, and this one is "
            "http (protocol = \"http\")");
  EXPECT_EQ(error_of(http("connect_attempts = 2\n")),
            "proxy.toml:10:1: listeners[0].connect_attempts: connect_attempts is for tcp "
            "listeners, and this one is http (it has virtual_hosts)");
  EXPECT_EQ(error_of(http("protocol = \"tcp\"\ncluster = \"users\"\n")),
            "proxy.toml:12:13: listeners[0].virtual_hosts: virtual_hosts is for http listeners, "
            "and this one is tcp (protocol = \"tcp\")");
  EXPECT_EQ(error_of(http("cluster = \"users\"\nvia = \"x\"\n", "")),
            "proxy.toml:11:1: listeners[0].via: via is for http listeners, and this one is tcp (it "
            "has cluster)");
  EXPECT_EQ(error_of(http("cluster = \"users\"\nfilters = [\"router\"]\n", "")),
            "proxy.toml:11:1: listeners[0].filters: filters is for http listeners, and this one is "
            "tcp (it has cluster)");
}

// --- Mistakes: listener settings ---

TEST(HttpErrors, Settings) {
  EXPECT_EQ(error_of(http("max_request_headers = \"2MiB\"\n")),
            "proxy.toml:10:23: listeners[0].max_request_headers: must be between 1KiB and 1MiB, "
            "got \"2MiB\"");
  EXPECT_EQ(error_of(http("max_header_count = 0\n")),
            "proxy.toml:10:20: listeners[0].max_header_count: must be between 1 and 10000, got 0");
  EXPECT_EQ(error_of(http("max_uri_length = 10\n")),
            "proxy.toml:10:18: listeners[0].max_uri_length: must be between 64B and 1MiB, got 10");
  EXPECT_EQ(error_of(http("request_headers_timeout = \"0\"\n")),
            "proxy.toml:10:27: listeners[0].request_headers_timeout: must be between 1ms and 1h, "
            "got \"0\"");
  EXPECT_EQ(error_of(http("idle_timeout = 60\n")),
            "proxy.toml:10:16: listeners[0].idle_timeout: expected a duration string like \"5s\", "
            "got integer");
  EXPECT_EQ(error_of(http("escaped_slashes = \"decode\"\n")),
            "proxy.toml:10:19: listeners[0].escaped_slashes: expected one of \"keep\", "
            "\"reject\" or \"unescape\", got \"decode\"");
  EXPECT_EQ(error_of(http("normalize_path = 1\n")),
            "proxy.toml:10:18: listeners[0].normalize_path: expected true or false, got integer");
  EXPECT_EQ(
      error_of(http("generate_request_id = \"yes\"\n")),
      "proxy.toml:10:23: listeners[0].generate_request_id: expected true or false, got string");
  EXPECT_EQ(error_of(http("via = \"my proxy\"\n")),
            "proxy.toml:10:7: listeners[0].via: expected a name like \"ringress\" (letters, digits "
            "and !#$%&'*+-.^_`|~), got \"my proxy\"");
  EXPECT_EQ(error_of(http("max_header_cont = 10\n")),
            "proxy.toml:10:1: listeners[0].max_header_cont: unknown key (did you mean "
            "\"max_header_count\"?)");
}

TEST(HttpErrors, TrustedProxies) {
  EXPECT_EQ(error_of(http("trusted_proxies = [\"10.0.0.1/8\"]\n")),
            "proxy.toml:10:20: listeners[0].trusted_proxies[0]: address bits are set after the /8 "
            "prefix, got \"10.0.0.1/8\" (did you mean \"10.0.0.0/8\"?)");
  EXPECT_EQ(error_of(http("trusted_proxies = [\"10.0.0.0/8\", \"localhost\"]\n")),
            "proxy.toml:10:34: listeners[0].trusted_proxies[1]: expected an IPv4 or IPv6 address "
            "block like \"10.0.0.0/8\" or \"fd00::/8\", got \"localhost\"");
  EXPECT_EQ(error_of(http("trusted_proxies = [\"::1/200\"]\n")),
            "proxy.toml:10:20: listeners[0].trusted_proxies[0]: the prefix length after \"/\" must "
            "be 0 to 128, got \"::1/200\"");
  EXPECT_EQ(error_of(http("trusted_proxies = [\"10.0.0.0/8\", \"10.0.0.0/8\"]\n")),
            "proxy.toml:10:34: listeners[0].trusted_proxies[1]: \"10.0.0.0/8\" is already listed "
            "as listeners[0].trusted_proxies[0]");
  EXPECT_EQ(error_of(http("trusted_proxies = \"10.0.0.0/8\"\n")),
            "proxy.toml:10:19: listeners[0].trusted_proxies: expected an array, got string");
}

// --- Mistakes: filters ---

TEST(HttpErrors, FilterList) {
  EXPECT_EQ(error_of(http("filters = [\"acess_log\", \"router\"]\n")),
            "proxy.toml:10:12: listeners[0].filters[0]: expected one of \"headers\", "
            "\"local_rate_limit\", \"fault\", \"access_log\" or \"router\", got \"acess_log\" (did "
            "you mean \"access_log\"?)");
  EXPECT_EQ(error_of(http("filters = [\"headers\", \"headers\", \"router\"]\n")),
            "proxy.toml:10:23: listeners[0].filters[1]: \"headers\" is already listed as "
            "listeners[0].filters[0]");
  EXPECT_EQ(error_of(http("filters = [\"router\", \"access_log\"]\n")),
            "proxy.toml:10:12: listeners[0].filters[0]: \"router\" must be the last filter: it "
            "forwards the request, so no filter after it would run");
  EXPECT_EQ(error_of(http("filters = [\"access_log\"]\n")),
            "proxy.toml:10:11: listeners[0].filters: must end with \"router\", the filter that "
            "forwards requests to clusters: filters = [\"access_log\", \"router\"]");
  EXPECT_EQ(error_of(http("filters = []\n")),
            "proxy.toml:10:11: listeners[0].filters: must end with \"router\", the filter that "
            "forwards requests to clusters: filters = [\"router\"]");
}

TEST(HttpErrors, SettingsOfAFilterNotListed) {
  EXPECT_EQ(error_of(http("access_log = { path = \"-\" }\n")),
            "proxy.toml:10:1: listeners[0].access_log: the access_log filter is not in filters, so "
            "these settings would do nothing; add it: filters = [\"access_log\", \"router\"]");
  EXPECT_EQ(
      error_of(http("filters = [\"access_log\", \"router\"]\nfault = { abort_percent = 5 }\n")),
      "proxy.toml:11:1: listeners[0].fault: the fault filter is not in filters, so these settings "
      "would do nothing; add it: filters = [\"access_log\", \"fault\", \"router\"]");
}

TEST(HttpErrors, FilterSettings) {
  std::string all = "filters = [\"local_rate_limit\", \"fault\", \"access_log\", \"router\"]\n";
  EXPECT_EQ(error_of(http(all + "local_rate_limit = { requests_per_second = 0 }\n")),
            "proxy.toml:11:44: listeners[0].local_rate_limit.requests_per_second: must be between "
            "1 and 1000000, got 0");
  EXPECT_EQ(error_of(http(all + "local_rate_limit = { status = 200 }\n")),
            "proxy.toml:11:31: listeners[0].local_rate_limit.status: must be between 400 and 599, "
            "got 200");
  EXPECT_EQ(
      error_of(http(all + "fault = { abort_percent = 101 }\n")),
      "proxy.toml:11:27: listeners[0].fault.abort_percent: must be between 0 and 100, got 101");
  EXPECT_EQ(
      error_of(http(all + "fault = { abort_status = 200 }\n")),
      "proxy.toml:11:26: listeners[0].fault.abort_status: must be between 400 and 599, got 200");
  EXPECT_EQ(error_of(http(all + "fault = { delay_percent = 10 }\n")),
            "proxy.toml:11:27: listeners[0].fault.delay_percent: delay_percent needs a delay too, "
            "like delay = \"100ms\"");
  EXPECT_EQ(error_of(http(all + "access_log = { path = \"\" }\n")),
            "proxy.toml:11:23: listeners[0].access_log.path: expected a file name, or \"-\" for "
            "standard output");
  EXPECT_EQ(error_of(http(all + "access_log = { format = \"%METOD% %PATH%\" }\n")),
            "proxy.toml:11:25: listeners[0].access_log.format: unknown variable %METOD% (did you "
            "mean \"%METHOD%\"?); the variables are %START_TIME%, %CLIENT_ADDRESS%, %CLIENT_PORT%, "
            "%REQUEST_ID%, %METHOD%, %PATH%, %PROTOCOL%, %HOST%, %STATUS%, %BYTES_RECEIVED%, "
            "%BYTES_SENT%, %DURATION%, %UPSTREAM_HOST%, %UPSTREAM_CLUSTER%, %ROUTE_NAME%, "
            "%RESPONSE_FLAGS%, %RESPONSE_DURATION%, %RESPONSE_TX_DURATION%, "
            "%UPSTREAM_SERVICE_TIME%, %UPSTREAM_CONNECT_TIME%, %UPSTREAM_REQUEST_ATTEMPT_COUNT%, "
            "%REQ(Name)% and %RESP(Name)%, and %% for a literal \"%\"");
  EXPECT_EQ(
      error_of(http(all + "access_log = { formt = \"\" }\n")),
      "proxy.toml:11:16: listeners[0].access_log.formt: unknown key (did you mean \"format\"?)");
}

TEST(HttpErrors, HeaderEdits) {
  std::string filters = "filters = [\"headers\", \"router\"]\n";
  EXPECT_EQ(error_of(http(filters + "headers = { request_set = { \"X Env\" = \"prod\" } }\n")),
            "proxy.toml:11:29: listeners[0].headers.request_set.\"X Env\": expected a header name "
            "(letters, digits and !#$%&'*+-.^_`|~), got \"X Env\"");
  EXPECT_EQ(
      error_of(http(filters + "headers = { request_add = { \"X-Env\" = 5 } }\n")),
      "proxy.toml:11:39: listeners[0].headers.request_add.X-Env: expected a string, got integer");
  EXPECT_EQ(error_of(http(filters + "headers = { request_set = { \"X-Env\" = \"a\\r\\nb\" } }\n")),
            "proxy.toml:11:39: listeners[0].headers.request_set.X-Env: a header value may not "
            "contain control characters such as CR or LF, got \"a\\u000d\\u000ab\"");
  EXPECT_EQ(error_of(http(filters + "headers = { request_set = { \"X-Env\" = \"%ENV%\" } }\n")),
            "proxy.toml:11:39: listeners[0].headers.request_set.X-Env: unknown variable %ENV%; the "
            "variables are %START_TIME%, %CLIENT_ADDRESS%, %CLIENT_PORT%, %REQUEST_ID%, %METHOD%, "
            "%PATH%, %PROTOCOL%, %HOST%, %STATUS%, %BYTES_RECEIVED%, %BYTES_SENT%, %DURATION%, "
            "%UPSTREAM_HOST%, %UPSTREAM_CLUSTER%, %ROUTE_NAME%, %RESPONSE_FLAGS%, "
            "%RESPONSE_DURATION%, %RESPONSE_TX_DURATION%, %UPSTREAM_SERVICE_TIME%, "
            "%UPSTREAM_CONNECT_TIME%, %UPSTREAM_REQUEST_ATTEMPT_COUNT%, %REQ(Name)% and "
            "%RESP(Name)%, and %% for a literal \"%\"");
  EXPECT_EQ(
      error_of(
          http(filters + "headers = { request_set = { \"X-Env\" = \"a\", \"x-env\" = \"b\" } }\n")),
      "proxy.toml:11:44: listeners[0].headers.request_set.x-env: \"x-env\" is already in "
      "listeners[0].headers.request_set as \"X-Env\" (header names ignore case)");
  EXPECT_EQ(error_of(http(filters + "headers = { response_remove = [\"Content-Length\"] }\n")),
            "proxy.toml:11:32: listeners[0].headers.response_remove[0]: Content-Length is managed "
            "by the proxy (message framing and connection handling) and cannot be edited");
  EXPECT_EQ(error_of(http(filters + "headers = { request_set = { \"Host\" = \"x\" } }\n")),
            "proxy.toml:11:29: listeners[0].headers.request_set.Host: the request's Host is "
            "changed with host_rewrite or auto_host_rewrite on a route");
  EXPECT_EQ(error_of(http(filters + "headers = { request_remove = [\"A\", \"a\"] }\n")),
            "proxy.toml:11:36: listeners[0].headers.request_remove[1]: \"a\" is already listed as "
            "listeners[0].headers.request_remove[0]");
  EXPECT_EQ(error_of(http(filters + "headers = { request_remove = \"X-Debug\" }\n")),
            "proxy.toml:11:30: listeners[0].headers.request_remove: expected an array, got string");
  EXPECT_EQ(error_of(http(filters + "headers = { reqest_set = {} }\n")),
            "proxy.toml:11:13: listeners[0].headers.reqest_set: unknown key (did you mean "
            "\"request_set\"?)");
}

// --- Mistakes: virtual hosts ---

TEST(HttpErrors, VirtualHosts) {
  EXPECT_EQ(error_of(http("", "[listeners.virtual_hosts]\nroutes = []\n")),
            "proxy.toml:10:1: listeners[0].virtual_hosts: expected an array of tables: write "
            "[[listeners.virtual_hosts]], not [listeners.virtual_hosts]");
  EXPECT_EQ(error_of(http("virtual_hosts = []\n", "")),
            "proxy.toml:10:17: listeners[0].virtual_hosts: list at least one virtual host");
  EXPECT_EQ(error_of(http("", "[[listeners.virtual_hosts]]\nname = \"api\"\n")),
            "proxy.toml:10:1: listeners[0].virtual_hosts[0].routes: required key is missing");
  EXPECT_EQ(error_of(http("", "[[listeners.virtual_hosts]]\nroutes = []\n")),
            "proxy.toml:11:10: listeners[0].virtual_hosts[0].routes: list at least one route");
  EXPECT_EQ(error_of(http("", kVhost + "name = \"a b\"\n")),
            "proxy.toml:12:8: listeners[0].virtual_hosts[0].name: names are 1 to 64 letters, "
            "digits, \"-\", \"_\" or \".\", got \"a b\"");
  EXPECT_EQ(error_of(http("",
                          "[[listeners.virtual_hosts]]\nname = \"api\"\n"
                          "routes = [{ cluster = \"users\" }]\n"
                          "[[listeners.virtual_hosts]]\nname = \"api\"\ndomains = [\"a\"]\n"
                          "routes = [{ cluster = \"users\" }]\n")),
            "proxy.toml:14:8: listeners[0].virtual_hosts[1].name: \"api\" is already the name of "
            "listeners[0].virtual_hosts[0]");
  EXPECT_EQ(error_of(http("",
                          "[[listeners.virtual_hosts]]\n"
                          "routes = [{ name = \"r\", cluster = \"users\" },\n"
                          "          { name = \"s\", cluster = \"users\" },\n"
                          "          { name = \"r\", cluster = \"users\" }]\n")),
            "proxy.toml:13:20: listeners[0].virtual_hosts[0].routes[2].name: \"r\" is already the "
            "name of listeners[0].virtual_hosts[0].routes[0]");
}

TEST(HttpErrors, Domains) {
  auto vhosts = [](std::string_view domains) {
    return http("",
                "[[listeners.virtual_hosts]]\ndomains = [\"api.example.com\"]\n"
                "routes = [{ cluster = \"users\" }]\n"
                "[[listeners.virtual_hosts]]\ndomains = " +
                    std::string(domains) + "\nroutes = [{ cluster = \"users\" }]\n");
  };
  EXPECT_EQ(error_of(vhosts("[\"www.example.com\", \"API.example.com\"]")),
            "proxy.toml:14:31: listeners[0].virtual_hosts[1].domains[1]: \"api.example.com\" is "
            "already a domain of listeners[0].virtual_hosts[0]");
  EXPECT_EQ(error_of(vhosts("[\"a.com\", \"a.com\"]")),
            "proxy.toml:14:21: listeners[0].virtual_hosts[1].domains[1]: \"a.com\" is already a "
            "domain of listeners[0].virtual_hosts[1]");
  EXPECT_EQ(error_of(vhosts("[\"a*.example.com\"]")),
            "proxy.toml:14:12: listeners[0].virtual_hosts[1].domains[0]: a wildcard is \"*\" alone "
            "(any host), \"*.example.com\" (its subdomains) or \"example.*\" (any ending), got "
            "\"a*.example.com\"");
  EXPECT_EQ(
      error_of(vhosts("[\"*.*.com\"]")),
      "proxy.toml:14:12: listeners[0].virtual_hosts[1].domains[0]: a wildcard is \"*\" alone (any "
      "host), \"*.example.com\" (its subdomains) or \"example.*\" (any ending), got \"*.*.com\"");
  EXPECT_EQ(error_of(vhosts("[\"example.com:8080\"]")),
            "proxy.toml:14:12: listeners[0].virtual_hosts[1].domains[0]: domains match the Host "
            "header without its port: write \"example.com\", got \"example.com:8080\"");
  EXPECT_EQ(error_of(vhosts("[\"exa mple.com\"]")),
            "proxy.toml:14:12: listeners[0].virtual_hosts[1].domains[0]: expected a host name like "
            "\"api.example.com\", \"*.example.com\", \"api.*\" or \"*\", got \"exa mple.com\"");
  EXPECT_EQ(error_of(vhosts("[]")),
            "proxy.toml:14:11: listeners[0].virtual_hosts[1].domains: list at least one domain, or "
            "\"*\" for any host");
  EXPECT_EQ(error_of(http("", kVhost + kVhost)),
            "proxy.toml:12:1: listeners[0].virtual_hosts[1].domains: \"*\" (the default when "
            "domains is not given) is already a domain of listeners[0].virtual_hosts[0]");
}

// --- Mistakes: routes ---

TEST(HttpErrors, RouteShape) {
  EXPECT_EQ(error_of(route("{ prefix = \"/\" }")),
            "proxy.toml:12:3: listeners[0].virtual_hosts[0].routes[0]: a route needs an action: "
            "cluster, clusters, direct_response or redirect");
  EXPECT_EQ(error_of(route("{ prefix = \"/\", exact = \"/a\", cluster = \"users\" }")),
            "proxy.toml:12:19: listeners[0].virtual_hosts[0].routes[0].exact: give only one of "
            "prefix, exact, path_prefix or regex (this route already has prefix)");
  EXPECT_EQ(error_of(route("{ cluster = \"users\", redirect = { path = \"/\" } }")),
            "proxy.toml:12:24: listeners[0].virtual_hosts[0].routes[0].redirect: give only one of "
            "cluster, clusters, direct_response or redirect (this route already has cluster)");
  EXPECT_EQ(error_of(route("{ clusters = [\"users\"], cluster = \"users\" }")),
            "proxy.toml:12:27: listeners[0].virtual_hosts[0].routes[0].cluster: give only one of "
            "cluster, clusters, direct_response or redirect (this route already has clusters)");
  EXPECT_EQ(error_of(route("{ clutser = \"users\" }")),
            "proxy.toml:12:5: listeners[0].virtual_hosts[0].routes[0].clutser: unknown key (did "
            "you mean \"cluster\"?)");
  EXPECT_EQ(
      error_of(route("\"users\"")),
      "proxy.toml:12:3: listeners[0].virtual_hosts[0].routes[0]: expected a table, got string");
  EXPECT_EQ(error_of(http("",
                          "[[listeners.virtual_hosts]]\n[[listeners.virtual_hosts.routes]]\n"
                          "prefix = \"/\"\n")),
            "proxy.toml:11:1: listeners[0].virtual_hosts[0].routes[0]: a route needs an action: "
            "cluster, clusters, direct_response or redirect");
  EXPECT_EQ(
      error_of(route("{ name = \"a\", cluster = \"users\" }, { name = \"a\", cluster = \"web\" }")),
      "proxy.toml:12:47: listeners[0].virtual_hosts[0].routes[1].name: \"a\" is already the name "
      "of listeners[0].virtual_hosts[0].routes[0]");
}

TEST(HttpErrors, RouteClusters) {
  EXPECT_EQ(error_of(route("{ cluster = \"usres\" }")),
            "proxy.toml:12:15: listeners[0].virtual_hosts[0].routes[0].cluster: no cluster named "
            "\"usres\" (did you mean \"users\"?)");
  EXPECT_EQ(error_of(route("{ clusters = [] }")),
            "proxy.toml:12:16: listeners[0].virtual_hosts[0].routes[0].clusters: list at least one "
            "cluster");
  EXPECT_EQ(error_of(route("{ clusters = [\"users\", { name = \"users\" }] }")),
            "proxy.toml:12:35: listeners[0].virtual_hosts[0].routes[0].clusters[1].name: \"users\" "
            "is already listed as listeners[0].virtual_hosts[0].routes[0].clusters[0]");
  EXPECT_EQ(error_of(route("{ clusters = [{ name = \"users\", weight = 0 }] }")),
            "proxy.toml:12:16: listeners[0].virtual_hosts[0].routes[0].clusters: the weights add "
            "up to 0: give at least one cluster a weight");
  EXPECT_EQ(error_of(route("{ clusters = [{ name = \"users\", weight = 10001 }] }")),
            "proxy.toml:12:44: listeners[0].virtual_hosts[0].routes[0].clusters[0].weight: must be "
            "between 0 and 10000, got 10001");
  EXPECT_EQ(error_of(route("{ clusters = [{ weight = 1 }] }")),
            "proxy.toml:12:17: listeners[0].virtual_hosts[0].routes[0].clusters[0].name: required "
            "key is missing");
  EXPECT_EQ(error_of(route("{ clusters = [1] }")),
            "proxy.toml:12:17: listeners[0].virtual_hosts[0].routes[0].clusters[0]: expected a "
            "cluster name or { name = \"...\", weight = N }, got integer");
}

TEST(HttpErrors, RoutePaths) {
  EXPECT_EQ(error_of(route("{ prefix = \"api\", cluster = \"users\" }")),
            "proxy.toml:12:14: listeners[0].virtual_hosts[0].routes[0].prefix: a path starts with "
            "\"/\", got \"api\"");
  EXPECT_EQ(error_of(route("{ exact = \"/a?b=1\", cluster = \"users\" }")),
            "proxy.toml:12:13: listeners[0].virtual_hosts[0].routes[0].exact: a path has no "
            "spaces, control characters, \"?\" or \"#\" (query parameters are matched with query), "
            "got \"/a?b=1\"");
  EXPECT_EQ(error_of(route("{ path_prefix = \"/api/\", cluster = \"users\" }")),
            "proxy.toml:12:19: listeners[0].virtual_hosts[0].routes[0].path_prefix: path_prefix "
            "matches whole segments, so it does not end with \"/\": write \"/api\" (it matches "
            "/api and /api/...), or use prefix");
  EXPECT_EQ(error_of(route("{ regex = \"^/img/(\", cluster = \"users\" }")),
            "proxy.toml:12:13: listeners[0].virtual_hosts[0].routes[0].regex: invalid regular "
            "expression: missing ): ^/img/(");
  EXPECT_EQ(error_of(route("{ regex = \"[z-a]\", cluster = \"users\" }")),
            "proxy.toml:12:13: listeners[0].virtual_hosts[0].routes[0].regex: invalid regular "
            "expression: invalid character class range: z-a");
}

TEST(HttpErrors, RouteMatchers) {
  EXPECT_EQ(error_of(route("{ methods = [\"get\"], cluster = \"users\" }")),
            "proxy.toml:12:16: listeners[0].virtual_hosts[0].routes[0].methods[0]: methods are "
            "case-sensitive and upper case: write \"GET\", got \"get\"");
  EXPECT_EQ(error_of(route("{ methods = [\"GET\", \"GET\"], cluster = \"users\" }")),
            "proxy.toml:12:23: listeners[0].virtual_hosts[0].routes[0].methods[1]: \"GET\" is "
            "already listed as listeners[0].virtual_hosts[0].routes[0].methods[0]");
  EXPECT_EQ(error_of(route("{ methods = [\"GE T\"], cluster = \"users\" }")),
            "proxy.toml:12:16: listeners[0].virtual_hosts[0].routes[0].methods[0]: expected a "
            "method like \"GET\" (an HTTP token), got \"GE T\"");
  EXPECT_EQ(error_of(route("{ methods = [], cluster = \"users\" }")),
            "proxy.toml:12:15: listeners[0].virtual_hosts[0].routes[0].methods: list at least one "
            "method, or leave methods out to match any");
  EXPECT_EQ(error_of(route("{ headers = [{ name = \"X-A\", exact = \"1\", prefix = \"2\" }], "
                           "cluster = \"users\" }")),
            "proxy.toml:12:45: listeners[0].virtual_hosts[0].routes[0].headers[0].prefix: give "
            "only one of exact, prefix, regex or present (this matcher already has exact)");
  EXPECT_EQ(error_of(route("{ headers = [{ name = \"X A\" }], cluster = \"users\" }")),
            "proxy.toml:12:25: listeners[0].virtual_hosts[0].routes[0].headers[0].name: expected a "
            "header name (letters, digits and !#$%&'*+-.^_`|~), got \"X A\"");
  EXPECT_EQ(error_of(route("{ headers = [{ exact = \"1\" }], cluster = \"users\" }")),
            "proxy.toml:12:16: listeners[0].virtual_hosts[0].routes[0].headers[0].name: required "
            "key is missing");
  EXPECT_EQ(error_of(route("{ headers = [{ name = \"X-A\", present = false }], cluster = "
                           "\"users\" }")),
            "proxy.toml:12:42: listeners[0].virtual_hosts[0].routes[0].headers[0].present: to "
            "match when the header is absent, write present = true, invert = true");
  EXPECT_EQ(
      error_of(route("{ headers = [{ name = \"X-A\", regex = \"(\" }], cluster = \"users\" }")),
      "proxy.toml:12:40: listeners[0].virtual_hosts[0].routes[0].headers[0].regex: invalid regular "
      "expression: missing ): (");
  EXPECT_EQ(error_of(route("{ query = [{ name = \"a=b\" }], cluster = \"users\" }")),
            "proxy.toml:12:23: listeners[0].virtual_hosts[0].routes[0].query[0].name: expected a "
            "query parameter name (no \"&\", \"=\", \"#\" or control characters), got \"a=b\"");
  EXPECT_EQ(
      error_of(route("{ query = [{ name = \"v\", invert = true }], cluster = \"users\" }")),
      "proxy.toml:12:28: listeners[0].virtual_hosts[0].routes[0].query[0].invert: unknown key");
}

TEST(HttpErrors, RouteForwardingKeys) {
  EXPECT_EQ(error_of(route("{ direct_response = { status = 200 }, timeout = \"1s\" }")),
            "proxy.toml:12:41: listeners[0].virtual_hosts[0].routes[0].timeout: timeout is for "
            "routes that forward to a cluster; this one has direct_response");
  EXPECT_EQ(
      error_of(route("{ redirect = { path = \"/b\" }, request_headers = { remove = [\"A\"] } }")),
      "proxy.toml:12:33: listeners[0].virtual_hosts[0].routes[0].request_headers: request_headers "
      "is for routes that forward to a cluster; this one has redirect");
  EXPECT_EQ(error_of(route("{ cluster = \"users\", timeout = \"25h\" }")),
            "proxy.toml:12:34: listeners[0].virtual_hosts[0].routes[0].timeout: must be between 0 "
            "and 24h, got \"25h\"");
  EXPECT_EQ(error_of(route("{ cluster = \"users\", max_body_size = \"10MB\" }")),
            "proxy.toml:12:40: listeners[0].virtual_hosts[0].routes[0].max_body_size: invalid size "
            "\"10MB\": write a number of bytes or a number and a unit (B, KiB, MiB, GiB), like "
            "\"64KiB\"");
  EXPECT_EQ(error_of(route("{ cluster = \"users\", retry = { on = [\"5xx\", \"rest\"] } }")),
            "proxy.toml:12:47: listeners[0].virtual_hosts[0].routes[0].retry.on[1]: expected one "
            "of \"connect-failure\", \"reset\", \"5xx\" or \"gateway-error\", got \"rest\" (did "
            "you mean \"reset\"?)");
  EXPECT_EQ(error_of(route("{ cluster = \"users\", retry = { on = [\"5xx\", \"5xx\"] } }")),
            "proxy.toml:12:47: listeners[0].virtual_hosts[0].routes[0].retry.on[1]: \"5xx\" is "
            "already listed as listeners[0].virtual_hosts[0].routes[0].retry.on[0]");
  EXPECT_EQ(error_of(route("{ cluster = \"users\", retry = { attempts = 11 } }")),
            "proxy.toml:12:45: listeners[0].virtual_hosts[0].routes[0].retry.attempts: must be "
            "between 0 and 10, got 11");
  EXPECT_EQ(
      error_of(route("{ cluster = \"users\", response_headers = { set = { \"Connection\" = "
                     "\"close\" } } }")),
      "proxy.toml:12:53: listeners[0].virtual_hosts[0].routes[0].response_headers.set.Connection: "
      "Connection is managed by the proxy (message framing and connection handling) and cannot be "
      "edited");
}

// Route header mutations cannot reach the framing or the connection's own fields: an edit of
// Content-Length or Transfer-Encoding would desynchronise the peers (request smuggling).
TEST(HttpErrors, RouteHeaderMutationsCannotTouchFraming) {
  const std::pair<std::string, std::string> managed[] = {
      {"content-length", "Content-Length"},
      {"Transfer-Encoding", "Transfer-Encoding"},
      {"connection", "Connection"},
      {"keep-alive", "Keep-Alive"},
      {"UPGRADE", "Upgrade"},
      {"te", "TE"},
      {"trailer", "Trailer"},
      {"proxy-connection", "Proxy-Connection"},
  };
  const std::string why =
      " is managed by the proxy (message framing and connection handling) and cannot be edited";
  for (const auto& [name, canonical] : managed) {
    for (std::string side : {"request_headers", "response_headers"}) {
      for (std::string op : {"set", "add"}) {
        const std::string prefix = "{ cluster = \"users\", " + side + " = { " + op + " = { ";
        EXPECT_EQ(error_of(route(prefix + "\"" + name + "\" = \"x\" } } }")),
                  "proxy.toml:12:" + std::to_string(3 + prefix.size()) + ": " +
                      std::string(kRoute) + "." + side + "." + op + "." + name + ": " + canonical +
                      why);
      }
      const std::string prefix = "{ cluster = \"users\", " + side + " = { remove = [";
      EXPECT_EQ(error_of(route(prefix + "\"" + name + "\"] } }")),
                "proxy.toml:12:" + std::to_string(3 + prefix.size()) + ": " + std::string(kRoute) +
                    "." + side + ".remove[0]: " + canonical + why);
    }
  }
}

TEST(HttpErrors, RouteRewrites) {
  EXPECT_EQ(error_of(route("{ exact = \"/a\", cluster = \"users\", prefix_rewrite = \"/b\" }")),
            "proxy.toml:12:38: listeners[0].virtual_hosts[0].routes[0].prefix_rewrite: "
            "prefix_rewrite replaces the part of the path that the route's prefix matched, so it "
            "needs a prefix or path_prefix route; use regex_rewrite");
  EXPECT_EQ(error_of(route("{ cluster = \"users\", prefix_rewrite = \"/b\", regex_rewrite = { "
                           "pattern = \"a\", substitution = \"b\" } }")),
            "proxy.toml:12:47: listeners[0].virtual_hosts[0].routes[0].regex_rewrite: give only "
            "one of prefix_rewrite or regex_rewrite (this route already has prefix_rewrite)");
  EXPECT_EQ(
      error_of(route("{ cluster = \"users\", regex_rewrite = { pattern = \"^/(a)$\", "
                     "substitution = \"/\\\\2\" } }")),
      "proxy.toml:12:77: listeners[0].virtual_hosts[0].routes[0].regex_rewrite.substitution: \\2 "
      "refers to group 2, but the pattern has only 1 (groups are the parts in parentheses)");
  EXPECT_EQ(error_of(route("{ cluster = \"users\", regex_rewrite = { pattern = \"^/(a)$\" } }")),
            "proxy.toml:12:40: listeners[0].virtual_hosts[0].routes[0].regex_rewrite.substitution: "
            "required key is missing");
  EXPECT_EQ(
      error_of(route("{ cluster = \"users\", host_rewrite = \"a\", auto_host_rewrite = true }")),
      "proxy.toml:12:44: listeners[0].virtual_hosts[0].routes[0].auto_host_rewrite: give only one "
      "of host_rewrite or auto_host_rewrite (this route already has host_rewrite)");
  EXPECT_EQ(error_of(route("{ cluster = \"users\", host_rewrite = \"http://a\" }")),
            "proxy.toml:12:39: listeners[0].virtual_hosts[0].routes[0].host_rewrite: expected a "
            "host name or address with an optional port, like \"web.internal\" or "
            "\"web.internal:8080\", got \"http://a\"");
}

TEST(HttpErrors, DirectResponses) {
  EXPECT_EQ(error_of(route("{ direct_response = { status = 100 } }")),
            "proxy.toml:12:34: listeners[0].virtual_hosts[0].routes[0].direct_response.status: "
            "must be between 200 and 599, got 100");
  EXPECT_EQ(error_of(route("{ direct_response = { status = 204, body = \"x\" } }")),
            "proxy.toml:12:46: listeners[0].virtual_hosts[0].routes[0].direct_response.body: a 204 "
            "response has no body");
  EXPECT_EQ(
      error_of(route("{ direct_response = { status = 200, content_type = \"\" } }")),
      "proxy.toml:12:54: listeners[0].virtual_hosts[0].routes[0].direct_response.content_type: "
      "expected a media type like \"text/plain\" or \"application/json\", got \"\"");
  EXPECT_EQ(error_of(route("{ direct_response = { status = 200, bdy = \"ok\" } }")),
            "proxy.toml:12:39: listeners[0].virtual_hosts[0].routes[0].direct_response.bdy: "
            "unknown key (did you mean \"body\"?)");
}

TEST(HttpErrors, Redirects) {
  EXPECT_EQ(error_of(route("{ redirect = { status = 301 } }")),
            "proxy.toml:12:16: listeners[0].virtual_hosts[0].routes[0].redirect: a redirect "
            "changes the URL: give scheme, host, path or prefix");
  EXPECT_EQ(error_of(route("{ redirect = { path = \"/b\", status = 300 } }")),
            "proxy.toml:12:40: listeners[0].virtual_hosts[0].routes[0].redirect.status: expected "
            "301, 302, 303, 307 or 308, got 300");
  EXPECT_EQ(error_of(route("{ redirect = { scheme = \"ftp\" } }")),
            "proxy.toml:12:27: listeners[0].virtual_hosts[0].routes[0].redirect.scheme: expected "
            "one of \"http\" or \"https\", got \"ftp\" (did you mean \"http\"?)");
  EXPECT_EQ(error_of(route("{ redirect = { host = \"a b\" } }")),
            "proxy.toml:12:25: listeners[0].virtual_hosts[0].routes[0].redirect.host: expected a "
            "host name or address with an optional port, like \"example.com\" or "
            "\"example.com:8443\", got \"a b\"");
  EXPECT_EQ(error_of(route("{ redirect = { path = \"/a\", prefix = \"/b\" } }")),
            "proxy.toml:12:31: listeners[0].virtual_hosts[0].routes[0].redirect.prefix: give only "
            "one of path or prefix (this redirect already has path)");
  EXPECT_EQ(error_of(route("{ exact = \"/a\", redirect = { prefix = \"/b\" } }")),
            "proxy.toml:12:32: listeners[0].virtual_hosts[0].routes[0].redirect.prefix: prefix "
            "replaces the part of the path that the route's prefix matched, so it needs a prefix "
            "or path_prefix route; to replace the whole path, use path");
}

// --- Mistakes: clusters ---

TEST(HttpErrors, ConnectionPools) {
  std::string listener =
      "[[listeners]]\nname = \"a\"\naddress = \"127.0.0.1:80\"\ncluster = \"c\"\n";
  std::string cluster = "[[clusters]]\nname = \"c\"\nendpoints = [\"127.0.0.1:1\"]\n";
  EXPECT_EQ(error_of(listener + cluster + "max_idle_per_host = -1\n"),
            "proxy.toml:8:21: clusters[0].max_idle_per_host: must be between 0 and 100000, got -1");
  EXPECT_EQ(error_of(listener + cluster + "idle_timeout = \"2h\"\n"),
            "proxy.toml:8:16: clusters[0].idle_timeout: must be between 1ms and 1h, got \"2h\"");
  EXPECT_EQ(
      error_of(listener + cluster + "max_requests_per_connection = 1.5\n"),
      "proxy.toml:8:31: clusters[0].max_requests_per_connection: expected an integer, got float");
}

}  // namespace
}  // namespace ringress::conf
