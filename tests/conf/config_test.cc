// Loading configs: the examples, the defaults, and the exact message for each kind of mistake.
#include "conf/config.h"
#include "conf/format_string.h"
#include "tests/conf/config_text.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ringress::conf {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kSourceDir = RINGRESS_SOURCE_DIR;
const std::string kExamples = kSourceDir + "/conf/examples";

// The what() of the ConfigError that `text` causes, or "(no error)".
using test::error_of;

// A listener and a cluster that are valid; tests append or prepend the mistake they need.
constexpr std::string_view kListener =
    "[[listeners]]\n"
    "name = \"front\"\n"
    "address = \"127.0.0.1:8000\"\n"
    "cluster = \"users\"\n";
constexpr std::string_view kCluster =
    "[[clusters]]\n"
    "name = \"users\"\n"
    "endpoints = [\"127.0.0.1:9001\"]\n";

std::string with(std::string_view a, std::string_view b, std::string_view c = {}) {
  return std::string(a) + std::string(b) + std::string(c);
}

// --- Examples and defaults ---

TEST(Examples, EveryExampleLoads) {
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kExamples)) {
    if (entry.path().extension() != ".toml") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(load_config(entry.path().string()));
    ++loaded;
  }
  EXPECT_GE(loaded, 1);
}

TEST(Examples, TcpProxiesToTwoEndpoints) {
  Config config = load_config(kExamples + "/tcp.toml");
  ASSERT_EQ(config.listeners.size(), 1u);
  ASSERT_EQ(config.clusters.size(), 1u);
  const Listener& listener = config.listeners[0];
  EXPECT_EQ(listener.address.to_string(), "127.0.0.1:8000");
  EXPECT_EQ(listener.protocol, Protocol::tcp);
  EXPECT_EQ(listener.cluster, 0u);
  const Cluster& cluster = config.clusters[0];
  ASSERT_EQ(cluster.endpoints.size(), 2u);
  EXPECT_EQ(cluster.endpoints[0].addresses.at(0).to_string(), "127.0.0.1:9001");
  EXPECT_EQ(cluster.endpoints[1].addresses.at(0).to_string(), "127.0.0.1:9002");
}

// Every ```toml block in the docs that is a whole config (has a listener) loads.
TEST(Examples, CompleteConfigsInTheDocsLoad) {
  std::ifstream file(kSourceDir + "/docs/configuration.md");
  ASSERT_TRUE(file) << "docs/configuration.md";
  std::stringstream text;
  text << file.rdbuf();
  std::string docs = text.str();
  int loaded = 0;
  for (size_t start = docs.find("```toml\n"); start != std::string::npos;
       start = docs.find("```toml\n", start)) {
    start += 8;
    size_t end = docs.find("```", start);
    ASSERT_NE(end, std::string::npos);
    std::string block = docs.substr(start, end - start);
    size_t line = 1 + std::count(docs.begin(), docs.begin() + start, '\n');
    start = end + 3;
    if (block.find("[[listeners]]") == std::string::npos) continue;
    EXPECT_NO_THROW(
        parse_config(block, "docs/configuration.md block at line " + std::to_string(line)));
    ++loaded;
  }
  EXPECT_GE(loaded, 2);
}

TEST(Defaults, AreAsDocumented) {
  Config config = parse_config(with(kListener, kCluster), "proxy.toml");
  EXPECT_EQ(config.path, "proxy.toml");
  const Runtime& runtime = config.runtime;
  EXPECT_EQ(runtime.workers, 0u);
  EXPECT_EQ(runtime.drain_timeout, seconds(15));
  EXPECT_EQ(runtime.buffer_size, 16384u);
  EXPECT_EQ(runtime.buffers_per_worker, 4096u);
  EXPECT_EQ(runtime.connection_buffer, 65536u);
  EXPECT_EQ(runtime.log_level, LogLevel::info);
  const Listener& listener = config.listeners.at(0);
  EXPECT_EQ(listener.name, "front");
  EXPECT_EQ(listener.address_text, "127.0.0.1:8000");
  EXPECT_EQ(listener.protocol, Protocol::tcp);
  EXPECT_EQ(listener.idle_timeout, hours(1));
  EXPECT_EQ(listener.connect_attempts, 3u);
  EXPECT_EQ(listener.backlog, 4096u);
  EXPECT_EQ(listener.max_connections, 100000u);
  EXPECT_FALSE(listener.access_log.has_value());
  const Cluster& cluster = config.clusters.at(0);
  EXPECT_EQ(cluster.connect_timeout, seconds(1));
  EXPECT_EQ(cluster.endpoints.at(0).weight, 1u);
  EXPECT_EQ(cluster.endpoints.at(0).text, "127.0.0.1:9001");
}

TEST(Values, EveryKeyIsRead) {
  Config config = parse_config(R"([runtime]
workers = 4
drain_timeout = "30s"
buffer_size = "32KiB"
buffers_per_worker = 1024
connection_buffer = 1048576
log_level = "debug"

[[listeners]]
name = "db"
address = "[::1]:5432"
protocol = "tcp"
cluster = "pg"
idle_timeout = "1h30m"
connect_attempts = 5
backlog = 128
max_connections = 500
access_log = { path = "tcp.log", json = true, format = "%START_TIME% %BYTES_SENT%" }

[[clusters]]
name = "web"
endpoints = ["127.0.0.1:80"]

[[clusters]]
name = "pg"
endpoints = ["127.0.0.1:5432"]
connect_timeout = "250ms"
)",
                               "proxy.toml");
  EXPECT_EQ(config.runtime.workers, 4u);
  EXPECT_EQ(config.runtime.drain_timeout, seconds(30));
  EXPECT_EQ(config.runtime.buffer_size, 32768u);
  EXPECT_EQ(config.runtime.buffers_per_worker, 1024u);
  EXPECT_EQ(config.runtime.connection_buffer, 1048576u);
  EXPECT_EQ(config.runtime.log_level, LogLevel::debug);
  const Listener& listener = config.listeners.at(0);
  EXPECT_EQ(listener.address.family(), AF_INET6);
  EXPECT_EQ(listener.address.to_string(), "[::1]:5432");
  EXPECT_EQ(listener.cluster, 1u);
  EXPECT_EQ(listener.idle_timeout, std::chrono::minutes(90));
  EXPECT_EQ(listener.connect_attempts, 5u);
  EXPECT_EQ(listener.backlog, 128u);
  EXPECT_EQ(listener.max_connections, 500u);
  ASSERT_TRUE(listener.access_log.has_value());
  EXPECT_EQ(listener.access_log->path, "tcp.log");
  EXPECT_TRUE(listener.access_log->json);
  ASSERT_EQ(listener.access_log->format.size(), 3u);
  EXPECT_EQ(listener.access_log->format[0].var, FormatVar::start_time);
  EXPECT_EQ(listener.access_log->format[1].text, " ");
  EXPECT_EQ(listener.access_log->format[2].var, FormatVar::bytes_sent);
  EXPECT_EQ(config.clusters.at(1).connect_timeout, milliseconds(250));
}

// The example with every key of a tcp listener: access_log included, with the default format.
TEST(Examples, TcpEveryKeyIsRead) {
  Config config = load_config(kExamples + "/tcp-all-keys.toml");
  const Listener& listener = config.listeners.at(0);
  EXPECT_EQ(listener.protocol, Protocol::tcp);
  EXPECT_EQ(listener.idle_timeout, hours(1));
  EXPECT_EQ(listener.connect_attempts, 3u);
  EXPECT_EQ(listener.backlog, 4096u);
  EXPECT_EQ(listener.max_connections, 100000u);
  ASSERT_TRUE(listener.access_log.has_value());
  EXPECT_EQ(listener.access_log->path, "-");
  EXPECT_FALSE(listener.access_log->json);
  std::string error;
  auto expected = parse_tcp_format(kDefaultTcpAccessLogFormat, error);
  ASSERT_TRUE(expected.has_value()) << error;
  ASSERT_EQ(listener.access_log->format.size(), expected->size());
  for (size_t i = 0; i < expected->size(); ++i) {
    EXPECT_EQ(listener.access_log->format[i].var, (*expected)[i].var) << i;
    EXPECT_EQ(listener.access_log->format[i].text, (*expected)[i].text) << i;
  }
  EXPECT_FALSE(config.listeners.at(1).access_log.has_value());
}

// A tcp listener's access log knows only the variables a TCP session has; an HTTP one, or a
// header, is an error at the format's place that lists them.
TEST(Errors, TcpAccessLogVariables) {
  constexpr std::string_view kTcpVariables =
      "the tcp variables are %START_TIME%, %CLIENT_ADDRESS%, %CLIENT_PORT%, %BYTES_RECEIVED%, "
      "%BYTES_SENT%, %DURATION%, %UPSTREAM_HOST%, %UPSTREAM_CLUSTER%, %RESPONSE_FLAGS%, "
      "%UPSTREAM_CONNECT_TIME%, %UPSTREAM_REQUEST_ATTEMPT_COUNT%, %REQUESTED_SERVER_NAME%, and %% "
      "for a literal \"%\"";
  EXPECT_EQ(
      error_of(with(kListener, "access_log = { format = \"%BYTES_SENT% %METHOD%\" }\n", kCluster)),
      "proxy.toml:5:25: listeners[0].access_log.format: %METHOD% has no value in a tcp "
      "listener's access log (a TCP session has no request); " +
          std::string(kTcpVariables));
  EXPECT_EQ(
      error_of(with(kListener, "access_log = { format = \"%REQ(User-Agent)%\" }\n", kCluster)),
      "proxy.toml:5:25: listeners[0].access_log.format: %REQ(User-Agent)% has no value in a "
      "tcp listener's access log (a TCP session has no request); " +
          std::string(kTcpVariables));
  EXPECT_EQ(error_of(with(kListener, "access_log = { format = \"%BYTES_SNET%\" }\n", kCluster)),
            "proxy.toml:5:25: listeners[0].access_log.format: unknown variable %BYTES_SNET% (did "
            "you mean \"%BYTES_SENT%\"?); " +
                std::string(kTcpVariables));
  EXPECT_EQ(error_of(with(kListener, "access_log = { path = \"\" }\n", kCluster)),
            "proxy.toml:5:23: listeners[0].access_log.path: expected a file name, or \"-\" for "
            "standard output");
  // The SNI is a TCP session's only.
  EXPECT_EQ(error_of("[[listeners]]\nname = \"web\"\naddress = \"127.0.0.1:8000\"\n"
                     "virtual_hosts = [{ name = \"all\", domains = [\"*\"], routes = [{ prefix = "
                     "\"/\", direct_response = { status = 200 } }] }]\n"
                     "filters = [\"access_log\", \"router\"]\n"
                     "access_log = { format = \"%REQUESTED_SERVER_NAME%\" }\n"),
            "proxy.toml:6:25: listeners[0].access_log.format: %REQUESTED_SERVER_NAME% is only for "
            "a tcp listener's access log; the variables are %START_TIME%, %CLIENT_ADDRESS%, "
            "%CLIENT_PORT%, %REQUEST_ID%, %METHOD%, %PATH%, %PROTOCOL%, %HOST%, %STATUS%, "
            "%BYTES_RECEIVED%, %BYTES_SENT%, %DURATION%, %UPSTREAM_HOST%, %UPSTREAM_CLUSTER%, "
            "%ROUTE_NAME%, %RESPONSE_FLAGS%, %RESPONSE_DURATION%, %RESPONSE_TX_DURATION%, "
            "%UPSTREAM_SERVICE_TIME%, %UPSTREAM_CONNECT_TIME%, %UPSTREAM_REQUEST_ATTEMPT_COUNT%, "
            "%REQ(Name)% and %RESP(Name)%, and %% for a literal \"%\"");
  // A listener that reads a ClientHello logs its server name by default.
  Config sni = parse_config(
      "[[listeners]]\nname = \"front\"\naddress = \"127.0.0.1:8000\"\n"
      "sni_routes = [{ server_names = [\"a.test\"], cluster = \"users\" }]\naccess_log = {}\n" +
          std::string(kCluster),
      "proxy.toml");
  ASSERT_TRUE(sni.listeners.at(0).access_log.has_value());
  EXPECT_EQ(sni.listeners.at(0).access_log->format.back().var, FormatVar::requested_server_name);
  // The other filter keys stay http-only.
  EXPECT_EQ(error_of(with(kListener, "headers = {}\n", kCluster)),
            "proxy.toml:5:1: listeners[0].headers: headers is for http listeners, and this one is "
            "tcp (it has cluster)");
}

TEST(Values, EndpointsMayCarryWeights) {
  Config config = parse_config(with(kListener, R"([[clusters]]
name = "users"
endpoints = [
  "127.0.0.1:9001",
  { address = "127.0.0.1:9002", weight = 3 },
  { address = "[::1]:9003" },
]
)"),
                               "proxy.toml");
  const auto& endpoints = config.clusters.at(0).endpoints;
  ASSERT_EQ(endpoints.size(), 3u);
  EXPECT_EQ(endpoints[0].weight, 1u);
  EXPECT_EQ(endpoints[1].weight, 3u);
  EXPECT_EQ(endpoints[1].text, "127.0.0.1:9002");
  EXPECT_EQ(endpoints[2].weight, 1u);
  EXPECT_EQ(endpoints[2].addresses.at(0).to_string(), "[::1]:9003");
}

TEST(Values, EndpointsMayBeATableArray) {
  Config config = parse_config(with(kListener, R"([[clusters]]
name = "users"
[[clusters.endpoints]]
address = "127.0.0.1:9001"
weight = 10
)"),
                               "proxy.toml");
  EXPECT_EQ(config.clusters.at(0).endpoints.at(0).weight, 10u);
}

TEST(Values, HostNamesAreResolved) {
  Config config = parse_config(with(kListener, R"([[clusters]]
name = "users"
endpoints = ["localhost:80"]
)"),
                               "proxy.toml");
  const Endpoint& endpoint = config.clusters.at(0).endpoints.at(0);
  EXPECT_EQ(endpoint.text, "localhost:80");
  ASSERT_FALSE(endpoint.addresses.empty());
  for (const auto& address : endpoint.addresses) {
    EXPECT_EQ(address.port(), 80);
    EXPECT_TRUE(address.ip_text() == "127.0.0.1" || address.ip_text() == "::1")
        << address.to_string();
  }
}

TEST(Values, SizesMayBeIntegers) {
  Config config = parse_config(
      with("[runtime]\nbuffer_size = 4096\nconnection_buffer = \"4KiB\"\n", kListener, kCluster),
      "proxy.toml");
  EXPECT_EQ(config.runtime.buffer_size, 4096u);
  EXPECT_EQ(config.runtime.connection_buffer, 4096u);
}

// --- Reading the file ---

TEST(Errors, UnreadableFile) {
  try {
    load_config("/nonexistent/proxy.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/proxy.toml:0:0: No such file or directory");
    EXPECT_EQ(e.file(), "/nonexistent/proxy.toml");
    EXPECT_EQ(e.line(), 0u);
    EXPECT_EQ(e.column(), 0u);
    EXPECT_EQ(e.key(), "");
    EXPECT_EQ(e.message(), "No such file or directory");
  }
}

TEST(Errors, TomlSyntax) {
  EXPECT_EQ(error_of("[runtime]\nworkers = 4 4\n"),
            "proxy.toml:2:13: Error while parsing key-value pair: expected a comment or "
            "whitespace, saw '4'");
  EXPECT_EQ(error_of("[runtime]\nworkers = 1\nworkers = 2\n"),
            "proxy.toml:3:11: Error while parsing key-value pair: cannot redefine existing "
            "integer 'workers'");
}

TEST(Errors, CarryTheirParts) {
  try {
    parse_config(with(kListener, kCluster, "[runtime]\nworkers = -1\n"), "proxy.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "proxy.toml");
    EXPECT_EQ(e.line(), 9u);
    EXPECT_EQ(e.column(), 11u);
    EXPECT_EQ(e.key(), "runtime.workers");
    EXPECT_EQ(e.message(), "must be between 0 and 1024, got -1");
    EXPECT_STREQ(e.what(), "proxy.toml:9:11: runtime.workers: must be between 0 and 1024, got -1");
  }
}

// runtime.upgrade_socket: resolved against the config file's directory, as every path the config
// names; absent it is "" (the command line's or the default path is used: app/cli.h).
TEST(Values, UpgradeSocketIsRelativeToTheConfigFile) {
  const std::string base = with(kListener, kCluster, "[runtime]\n");
  EXPECT_EQ(parse_config(base, "/etc/ringress/proxy.toml").runtime.upgrade_socket, "");
  EXPECT_EQ(parse_config(base + "upgrade_socket = \"up.sock\"\n", "/etc/ringress/proxy.toml")
                .runtime.upgrade_socket,
            "/etc/ringress/up.sock");
  EXPECT_EQ(parse_config(base + "upgrade_socket = \"../run/up.sock\"\n", "/etc/ringress/proxy.toml")
                .runtime.upgrade_socket,
            "/etc/run/up.sock");
  EXPECT_EQ(parse_config(base + "upgrade_socket = \"/run/ringress/upgrade.sock\"\n",
                         "/etc/ringress/proxy.toml")
                .runtime.upgrade_socket,
            "/run/ringress/upgrade.sock");
  EXPECT_EQ(
      parse_config(base + "upgrade_socket = \"up.sock\"\n", "proxy.toml").runtime.upgrade_socket,
      "up.sock");
}

TEST(Errors, UpgradeSocketMustBeAUsableSocketPath) {
  const std::string base = with(kListener, kCluster, "[runtime]\n");
  EXPECT_EQ(error_of(base + "upgrade_socket = \"\"\n"),
            "proxy.toml:9:18: runtime.upgrade_socket: expected a socket path, got an empty string");
  const std::string long_name(120, 'a');
  EXPECT_EQ(error_of(base + "upgrade_socket = \"/" + long_name + "\"\n"),
            "proxy.toml:9:18: runtime.upgrade_socket: a Unix socket path has at most 107 bytes, /" +
                long_name + " has 121");
  EXPECT_EQ(error_of(base + "upgrade_socket = 1\n"),
            "proxy.toml:9:18: runtime.upgrade_socket: expected a string, got integer");
}

// --- Unknown keys ---

TEST(Errors, UnknownKeysWithHints) {
  EXPECT_EQ(error_of(with("[[listener]]\n", kListener, kCluster)),
            "proxy.toml:1:3: listener: unknown key (did you mean \"listeners\"?)");
  EXPECT_EQ(error_of(with("[runtime]\nworkers = 2\n  wrokers = 2\n", kListener, kCluster)),
            "proxy.toml:3:3: runtime.wrokers: unknown key (did you mean \"workers\"?)");
  EXPECT_EQ(error_of(with(kListener, "clustr = \"users\"\n", kCluster)),
            "proxy.toml:5:1: listeners[0].clustr: unknown key (did you mean \"cluster\"?)");
  EXPECT_EQ(error_of(with(kListener, kCluster,
                          "[[clusters]]\nname = \"b\"\n"
                          "endpoints = [{ address = \"127.0.0.1:1\", wieght = 2 }]\n")),
            "proxy.toml:10:41: clusters[1].endpoints[0].wieght: unknown key (did you mean "
            "\"weight\"?)");
}

TEST(Errors, UnknownKeysWithoutHints) {
  EXPECT_EQ(error_of(with("[metrics]\naddress = \"127.0.0.1:9901\"\n", kListener, kCluster)),
            "proxy.toml:1:2: metrics: unknown key");
  // The first unknown key in the file is reported, whatever its name.
  EXPECT_EQ(error_of(with(kListener, "zzz = 1\naaa = 2\n", kCluster)),
            "proxy.toml:5:1: listeners[0].zzz: unknown key");
}

// --- Types and ranges ---

TEST(Errors, WrongTypesSayWhatWasExpected) {
  EXPECT_EQ(error_of(with("[runtime]\nworkers = \"4\"\n", kListener, kCluster)),
            "proxy.toml:2:11: runtime.workers: expected an integer, got string");
  EXPECT_EQ(error_of(with("[runtime]\ndrain_timeout = 5\n", kListener, kCluster)),
            "proxy.toml:2:17: runtime.drain_timeout: expected a duration string like \"5s\", got "
            "integer");
  EXPECT_EQ(error_of(with("[runtime]\nbuffer_size = 1.5\n", kListener, kCluster)),
            "proxy.toml:2:15: runtime.buffer_size: expected a size like \"64KiB\" or an integer "
            "number of bytes, got float");
  EXPECT_EQ(error_of(with("[runtime]\nlog_level = true\n", kListener, kCluster)),
            "proxy.toml:2:13: runtime.log_level: expected a string, got boolean");
  EXPECT_EQ(error_of(with("runtime = 4\n", kListener, kCluster)),
            "proxy.toml:1:11: runtime: expected a table, got integer");
  EXPECT_EQ(error_of(with(kListener, "[[clusters]]\nname = 7\n")),
            "proxy.toml:6:8: clusters[0].name: expected a string, got integer");
}

TEST(Errors, TablesWhereArraysOfTablesBelong) {
  EXPECT_EQ(error_of(with("[listeners]\nname = \"a\"\n", kCluster)),
            "proxy.toml:1:1: listeners: expected an array of tables: write [[listeners]], not "
            "[listeners]");
  EXPECT_EQ(error_of(with(kListener, "[clusters]\nname = \"users\"\n")),
            "proxy.toml:5:1: clusters: expected an array of tables: write [[clusters]], not "
            "[clusters]");
}

TEST(Errors, BadDurations) {
  EXPECT_EQ(error_of(with(kListener, "idle_timeout = \"5\"\n", kCluster)),
            "proxy.toml:5:16: listeners[0].idle_timeout: invalid duration \"5\": write a number "
            "and a unit (ms, s, m, h), like \"250ms\", \"1.5s\" or \"1h30m\"");
  EXPECT_EQ(error_of(with(kListener, "idle_timeout = \"0\"\n", kCluster)),
            "proxy.toml:5:16: listeners[0].idle_timeout: must be between 1ms and 168h, got \"0\"");
  EXPECT_EQ(error_of(with(kListener, kCluster, "connect_timeout = \"1h\"\n")),
            "proxy.toml:8:19: clusters[0].connect_timeout: must be between 1ms and 10m, got "
            "\"1h\"");
}

TEST(Errors, BadSizes) {
  EXPECT_EQ(error_of(with("[runtime]\nbuffer_size = \"64KB\"\n", kListener, kCluster)),
            "proxy.toml:2:15: runtime.buffer_size: invalid size \"64KB\": write a number of bytes "
            "or a number and a unit (B, KiB, MiB, GiB), like \"64KiB\"");
  EXPECT_EQ(error_of(with("[runtime]\nbuffer_size = \"2MiB\"\n", kListener, kCluster)),
            "proxy.toml:2:15: runtime.buffer_size: must be between 1KiB and 1MiB, got \"2MiB\"");
  EXPECT_EQ(error_of(with("[runtime]\nbuffer_size = -1\n", kListener, kCluster)),
            "proxy.toml:2:15: runtime.buffer_size: must be between 1KiB and 1MiB, got -1");
}

TEST(Errors, BadIntegers) {
  EXPECT_EQ(error_of(with(kListener, "connect_attempts = 20\n", kCluster)),
            "proxy.toml:5:20: listeners[0].connect_attempts: must be between 1 and 16, got 20");
  EXPECT_EQ(error_of(with("[runtime]\nbuffers_per_worker = 100\n", kListener, kCluster)),
            "proxy.toml:2:22: runtime.buffers_per_worker: must be a power of two (64, 128, ..., "
            "32768), got 100");
  EXPECT_EQ(error_of(with("[runtime]\nbuffers_per_worker = 65536\n", kListener, kCluster)),
            "proxy.toml:2:22: runtime.buffers_per_worker: must be between 64 and 32768, got "
            "65536");
}

TEST(Errors, ConnectionBufferBelowBufferSize) {
  EXPECT_EQ(error_of(with("[runtime]\nbuffer_size = \"32KiB\"\nconnection_buffer = \"16KiB\"\n",
                          kListener, kCluster)),
            "proxy.toml:3:21: runtime.connection_buffer: must be at least buffer_size (32KiB), "
            "got \"16KiB\"");
  EXPECT_EQ(error_of(with("[runtime]\nbuffer_size = \"128KiB\"\n", kListener, kCluster)),
            "proxy.toml:2:15: runtime.buffer_size: must be at most connection_buffer (64KiB by "
            "default), got \"128KiB\"");
}

TEST(Errors, BadChoices) {
  EXPECT_EQ(error_of(with("[runtime]\nlog_level = \"wrn\"\n", kListener, kCluster)),
            "proxy.toml:2:13: runtime.log_level: expected one of \"debug\", \"info\", \"warn\" "
            "or \"error\", got \"wrn\" (did you mean \"warn\"?)");
  EXPECT_EQ(error_of(with(kListener, "protocol = \"quic\"\n", kCluster)),
            "proxy.toml:5:12: listeners[0].protocol: expected one of \"tcp\" or \"http\", got "
            "\"quic\"");
}

TEST(Errors, BadNames) {
  EXPECT_EQ(error_of(with(kListener, kCluster, "[[clusters]]\nname = \"my cluster\"\n")),
            "proxy.toml:9:8: clusters[1].name: names are 1 to 64 letters, digits, \"-\", \"_\" or "
            "\".\", got \"my cluster\"");
  EXPECT_EQ(error_of(with(kListener, kCluster, "[[clusters]]\nname = \"\"\n")),
            "proxy.toml:9:8: clusters[1].name: names are 1 to 64 letters, digits, \"-\", \"_\" or "
            "\".\", got \"\"");
}

// --- Required keys and references ---

TEST(Errors, MissingRequiredKeys) {
  EXPECT_EQ(error_of(with(kCluster, "\n[[listeners]]\naddress = \"127.0.0.1:80\"\n")),
            "proxy.toml:5:1: listeners[0].name: required key is missing");
  EXPECT_EQ(error_of(with(kCluster,
                          "[[listeners]]\nname = \"a\"\naddress = \"127.0.0.1:80\"\n"
                          "protocol = \"tcp\"\n")),
            "proxy.toml:4:1: listeners[0].cluster: required key is missing");
  // Without protocol, what is missing depends on what the listener was meant to be.
  EXPECT_EQ(error_of(with(kCluster, "[[listeners]]\nname = \"a\"\naddress = \"127.0.0.1:80\"\n")),
            "proxy.toml:4:1: listeners[0]: a listener needs cluster (tcp: pass connections on) or "
            "virtual_hosts (http: route requests)");
  EXPECT_EQ(error_of(with(kListener, "[[clusters]]\nname = \"users\"\n")),
            "proxy.toml:5:1: clusters[0].endpoints: required key is missing");
  EXPECT_EQ(error_of(with(kListener, kCluster,
                          "[[clusters]]\nname = \"b\"\nendpoints = [{ weight = 2 }]\n")),
            "proxy.toml:10:14: clusters[1].endpoints[0].address: required key is missing");
}

TEST(Errors, NoListeners) {
  EXPECT_EQ(error_of(""),
            "proxy.toml:1:1: listeners: a config needs at least one [[listeners]] "
            "table");
  EXPECT_EQ(error_of(with("listeners = []\n", kCluster)),
            "proxy.toml:1:13: listeners: a config needs at least one [[listeners]] table");
}

TEST(Errors, UnknownClusterWithHint) {
  EXPECT_EQ(error_of(with(kCluster, R"(
[[listeners]]
name = "front"
address = "127.0.0.1:8000"
cluster   = "usres"
)")),
            "proxy.toml:8:13: listeners[0].cluster: no cluster named \"usres\" (did you mean "
            "\"users\"?)");
  EXPECT_EQ(error_of(with(kCluster,
                          "[[listeners]]\nname = \"a\"\naddress = \"127.0.0.1:80\"\n"
                          "cluster = \"payments\"\n")),
            "proxy.toml:7:11: listeners[0].cluster: no cluster named \"payments\"");
}

TEST(Errors, DuplicatesPointAtTheSecond) {
  EXPECT_EQ(error_of(with(kListener, kCluster, kCluster)),
            "proxy.toml:9:8: clusters[1].name: \"users\" is already the name of clusters[0]");
  EXPECT_EQ(error_of(with(kListener, kCluster,
                          "[[listeners]]\nname = \"front\"\naddress = \"127.0.0.1:8001\"\n"
                          "cluster = \"users\"\n")),
            "proxy.toml:9:8: listeners[1].name: \"front\" is already the name of listeners[0]");
  EXPECT_EQ(error_of(with(kListener, kCluster,
                          "[[listeners]]\nname = \"back\"\naddress = \"127.0.0.1:8000\"\n"
                          "cluster = \"users\"\n")),
            "proxy.toml:10:11: listeners[1].address: \"127.0.0.1:8000\" is already the address of "
            "listeners[0] (\"front\")");
  EXPECT_EQ(error_of(with(kListener,
                          "[[clusters]]\nname = \"users\"\n"
                          "endpoints = [\"127.0.0.1:1\", \"127.0.0.1:2\", \"127.0.0.1:1\"]\n")),
            "proxy.toml:7:44: clusters[0].endpoints[2]: \"127.0.0.1:1\" is already listed as "
            "clusters[0].endpoints[0] (give it a weight instead)");
}

// --- Addresses ---

TEST(Errors, ListenerAddresses) {
  EXPECT_EQ(error_of(with(kCluster,
                          "[[listeners]]\nname = \"a\"\naddress = \"localhost:80\"\n"
                          "cluster = \"users\"\n")),
            "proxy.toml:6:11: listeners[0].address: a listener address must be a numeric IP, "
            "like \"0.0.0.0:80\" or \"[::]:80\", got \"localhost:80\"");
  EXPECT_EQ(error_of(with(kCluster,
                          "[[listeners]]\nname = \"a\"\naddress = \"8000\"\n"
                          "cluster = \"users\"\n")),
            "proxy.toml:6:11: listeners[0].address: expected \"ip:port\" with a port from 1 to "
            "65535, like \"0.0.0.0:8000\" or \"[::1]:8000\", got \"8000\"");
  EXPECT_EQ(error_of(with(kCluster,
                          "[[listeners]]\nname = \"a\"\naddress = \"127.0.0.1:0\"\n"
                          "cluster = \"users\"\n")),
            "proxy.toml:6:11: listeners[0].address: expected \"ip:port\" with a port from 1 to "
            "65535, like \"0.0.0.0:8000\" or \"[::1]:8000\", got \"127.0.0.1:0\"");
}

TEST(Errors, Endpoints) {
  EXPECT_EQ(error_of(with(kListener, "[[clusters]]\nname = \"users\"\nendpoints = []\n")),
            "proxy.toml:7:13: clusters[0].endpoints: must list at least one endpoint");
  EXPECT_EQ(error_of(with(kListener, "[[clusters]]\nname = \"users\"\nendpoints = \"a:1\"\n")),
            "proxy.toml:7:13: clusters[0].endpoints: expected an array, got string");
  EXPECT_EQ(error_of(with(kListener, "[[clusters]]\nname = \"users\"\nendpoints = [80]\n")),
            "proxy.toml:7:14: clusters[0].endpoints[0]: expected \"host:port\" or { address = "
            "\"host:port\", weight = N }, got integer");
  EXPECT_EQ(
      error_of(with(kListener, "[[clusters]]\nname = \"users\"\nendpoints = [\"10.0.0.1\"]\n")),
      "proxy.toml:7:14: clusters[0].endpoints[0]: expected \"host:port\" with a port from 1 "
      "to 65535, like \"10.0.0.1:8080\", \"[::1]:8080\" or \"db.internal:5432\", got "
      "\"10.0.0.1\"");
  EXPECT_EQ(error_of(with(kListener,
                          "[[clusters]]\nname = \"users\"\n"
                          "endpoints = [{ address = \"127.0.0.1:1\", weight = 0 }]\n")),
            "proxy.toml:7:50: clusters[0].endpoints[0].weight: must be between 1 and 1000, got 0");
  EXPECT_EQ(error_of(with(kListener,
                          "[[clusters]]\nname = \"users\"\n"
                          "endpoints = [{ address = \"127.0.0.1:1\", weight = 1001 }]\n")),
            "proxy.toml:7:50: clusters[0].endpoints[0].weight: must be between 1 and 1000, got "
            "1001");
}

TEST(Errors, UnresolvableHostName) {
  std::string text = with(kListener,
                          "[[clusters]]\nname = \"users\"\n"
                          "endpoints = [\"127.0.0.1:1\", \"no-such-host.invalid:80\"]\n");
  try {
    parse_config(text, "proxy.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    // The reason after the colon is the resolver's (gai_strerror), which varies by system.
    std::string prefix =
        "proxy.toml:7:29: clusters[0].endpoints[1]: cannot resolve \"no-such-host.invalid\": ";
    EXPECT_EQ(std::string(e.what()).substr(0, prefix.size()), prefix);
    EXPECT_GT(std::string(e.what()).size(), prefix.size());
    EXPECT_EQ(e.line(), 7u);
    EXPECT_EQ(e.column(), 29u);
    EXPECT_EQ(e.key(), "clusters[0].endpoints[1]");
  }
  // In the table form the error points at the address itself.
  std::string table_form =
      with(kListener,
           "[[clusters]]\nname = \"users\"\n"
           "endpoints = [{ weight = 2, address = \"no-such-host.invalid:80\" }]\n");
  try {
    parse_config(table_form, "proxy.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "clusters[0].endpoints[0].address");
    EXPECT_EQ(e.line(), 7u);
    EXPECT_EQ(e.column(), 38u);
  }
}

}  // namespace
}  // namespace ringress::conf
