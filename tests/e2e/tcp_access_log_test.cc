// The access log of a tcp listener through the real binary: one line per session, written when
// it ends, with its bytes each way and the flag of how it ended (docs/configuration.md, TCP
// listeners): "-" for a normal end (and the SNI of a passthrough), NR for no sni_routes match,
// DPE for a failed client handshake, UO over the cluster's max_connections, UF for an upstream
// that refuses, UH for a cluster with no healthy host, UR for an upstream reset, DC for a client
// reset, SI for the idle timeout, SC for a session cut at drain_timeout; in text and JSON.
#include <signal.h>

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/proxy_test.h"
#include "tests/support/log_file.h"
#include "tests/support/openssl_client_hello.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/test_servers.h"

namespace ringress::test {
namespace {

using std::chrono::seconds;

// Upstream, bytes each way, flag, connect attempts: what every test checks.
constexpr std::string_view kFormat =
    "%UPSTREAM_CLUSTER% %UPSTREAM_HOST% %BYTES_RECEIVED% %BYTES_SENT% %RESPONSE_FLAGS% "
    "%UPSTREAM_REQUEST_ATTEMPT_COUNT%";

class TcpAccessLogTest : public ProxyTest {
 protected:
  // `config` with access_log = { path = <temp>/access.log, format = `format`, json = `json` }.
  std::string logged_toml(const ProxyConfig& config, std::string_view format = kFormat,
                          bool json = false, const std::string& cluster_keys = "") {
    log_path_ = dir_.path() + "/access.log";
    std::string toml = config.toml();
    std::string key = "access_log = { path = \"" + log_path_ + "\", format = \"" + escaped(format) +
                      "\"" + (json ? ", json = true" : "") + " }\n";
    toml.insert(toml.find("\n[[clusters]]"), "\n" + key);
    return toml + cluster_keys;
  }
  ::testing::AssertionResult start_logged(const ProxyConfig& config,
                                          std::string_view format = kFormat, bool json = false) {
    if (dir_.path().empty()) return ::testing::AssertionFailure() << "no temp dir";
    return proxy_.start(logged_toml(config, format, json), listen_port_);
  }
  // The access log's lines once it has `n`.
  std::vector<std::string> lines(size_t n) const {
    return wait_for_lines(log_path_, n, deadline_in(stretched(seconds(5))));
  }
  // A client that sends `message`, gets its echo, then closes its side and waits for the
  // proxy's close.
  void echo_session(const std::string& message) {
    Fd client = connect_client();
    ASSERT_TRUE(client.valid()) << strerror(errno);
    ASSERT_TRUE(round_trip(client.get(), message, deadline_in(seconds(5))));
    shutdown_write(client.get());
    IoResult closed = wait_closed(client.get(), deadline_in(seconds(5)));
    EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
  }
  // A client whose connection the proxy closes without a byte.
  void refused_session() {
    Fd client = connect_client();
    ASSERT_TRUE(client.valid()) << strerror(errno);
    IoResult closed = wait_closed(client.get(), deadline_in(seconds(5)));
    EXPECT_TRUE(is_closed(closed)) << closed.describe();
    EXPECT_EQ(closed.bytes, 0u);
  }
  static std::string escaped(std::string_view text) {
    std::string out;
    for (char c : text) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return out;
  }
  static std::string host(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }
  // `text` is `prefix` followed by a decimal number and then `suffix`.
  static bool number_between(const std::string& text, const std::string& prefix,
                             const std::string& suffix) {
    if (text.size() <= prefix.size() + suffix.size() || !text.starts_with(prefix) ||
        !text.ends_with(suffix))
      return false;
    std::string middle = text.substr(prefix.size(), text.size() - prefix.size() - suffix.size());
    return middle.find_first_not_of("0123456789") == std::string::npos;
  }

  TempDir dir_;
  std::string log_path_;
};

// The bytes each way are exact and differ (1000 up, 300000 down), and the end is normal.
TEST_F(TcpAccessLogTest, NormalSessionLogsBytesEachWayAndNoFlag) {
  constexpr uint64_t kReply = 300000;
  HalfCloseServer upstream(kReply, 3);
  ASSERT_TRUE(start_logged(config_for({upstream.port()})));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  ASSERT_TRUE(send_all(client.get(), std::string(1000, 'x'), deadline_in(seconds(5))).ok());
  shutdown_write(client.get());
  std::string reply;
  IoResult r = recv_until_closed(client.get(), reply, kReply + 1, deadline_in(seconds(5)));
  EXPECT_EQ(r.status, IoResult::kEof) << r.describe();
  EXPECT_EQ(reply.size(), kReply);

  std::vector<std::string> logged = lines(1);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], "backend " + host(upstream.port()) + " 1000 300000 - 1");
}

// Without format, the line is the documented default.
TEST_F(TcpAccessLogTest, DefaultFormat) {
  EchoServer upstream;
  ProxyConfig config = config_for({upstream.port()});
  std::string toml = config.toml();
  log_path_ = dir_.path() + "/access.log";
  toml.insert(toml.find("\n[[clusters]]"), "\naccess_log = { path = \"" + log_path_ + "\" }\n");
  ASSERT_TRUE(proxy_.start(toml, listen_port_));
  echo_session("hello");

  std::vector<std::string> logged = lines(1);
  ASSERT_EQ(logged.size(), 1u);
  // "2026-12-03T17:30:13.123Z 127.0.0.1:PORT 5 5 Nms backend "127.0.0.1:PORT" -"
  std::istringstream in(logged[0]);
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(f);
  ASSERT_EQ(fields.size(), 8u) << logged[0];
  EXPECT_EQ(fields[0].size(), 24u) << fields[0];
  EXPECT_EQ(fields[0][10], 'T') << fields[0];
  EXPECT_EQ(fields[0].back(), 'Z') << fields[0];
  EXPECT_TRUE(number_between(fields[1], "127.0.0.1:", "")) << fields[1];
  EXPECT_EQ(fields[2], "5");
  EXPECT_EQ(fields[3], "5");
  EXPECT_TRUE(number_between(fields[4], "", "ms")) << fields[4];
  EXPECT_EQ(fields[5], "backend");
  EXPECT_EQ(fields[6], "\"" + host(upstream.port()) + "\"");
  EXPECT_EQ(fields[7], "-");
}

// Every connect to the only host is refused: UF after connect_attempts tries, no bytes.
TEST_F(TcpAccessLogTest, DeadUpstreamLogsUF) {
  uint16_t dead = free_port();
  ASSERT_TRUE(start_logged(config_for({dead})));
  refused_session();

  std::vector<std::string> logged = lines(1);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], "backend " + host(dead) + " 0 0 UF 3");
}

// A cluster whose only host fails its health checks: once it is out, a session finds no host
// (UH, nothing tried). The sessions before that may still try it (UF).
TEST_F(TcpAccessLogTest, NoHealthyHostLogsUH) {
  uint16_t dead = free_port();
  ASSERT_FALSE(dir_.path().empty());
  ASSERT_TRUE(proxy_.start(logged_toml(config_for({dead}), kFormat, false,
                                       "health_check = { kind = \"tcp\", interval = \"10ms\", "
                                       "unhealthy_threshold = 1, timeout = \"100ms\" }\n"),
                           listen_port_));
  Deadline until = deadline_in(stretched(seconds(10)));
  std::vector<std::string> logged;
  for (size_t n = 1; Clock::now() < until; ++n) {
    refused_session();
    logged = lines(n);
    ASSERT_EQ(logged.size(), n);
    if (logged.back() == "backend - 0 0 UH 0") break;
    EXPECT_EQ(logged.back(), "backend " + host(dead) + " 0 0 UF 3");
  }
  EXPECT_EQ(logged.back(), "backend - 0 0 UH 0");
}

// A listener with only sni_routes: a client whose first bytes carry no routed server name (here
// not TLS at all) is closed: NR, no cluster, nothing tried.
TEST_F(TcpAccessLogTest, NoSniRouteLogsNR) {
  EchoServer upstream;
  std::string toml = logged_toml(config_for({upstream.port()}));
  const std::string listener_cluster = "cluster = \"backend\"\n";
  ASSERT_NE(toml.find(listener_cluster), std::string::npos);
  toml.replace(toml.find(listener_cluster), listener_cluster.size(),
               "sni_routes = [{ server_names = [\"a.test\"], cluster = \"backend\" }]\n");
  ASSERT_TRUE(proxy_.start(toml, listen_port_));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  ASSERT_TRUE(
      send_all(client.get(), std::string("not a ClientHello\r\n\r\n"), deadline_in(seconds(5)))
          .ok());
  IoResult closed = wait_closed(client.get(), deadline_in(seconds(5)));
  EXPECT_TRUE(is_closed(closed)) << closed.describe();

  std::vector<std::string> logged = lines(1);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], "- - 0 0 NR 0");
  EXPECT_EQ(upstream.accepted(), 0u);
}

// SNI passthrough: the ClientHello's server name is %REQUESTED_SERVER_NAME%, and the hello's
// bytes count as received (they are forwarded).
TEST_F(TcpAccessLogTest, SniPassthroughLogsTheServerName) {
  EchoServer upstream;
  std::string toml = logged_toml(config_for({upstream.port()}),
                                 "%REQUESTED_SERVER_NAME% %UPSTREAM_CLUSTER% %BYTES_RECEIVED% "
                                 "%BYTES_SENT% %RESPONSE_FLAGS%");
  const std::string listener_cluster = "cluster = \"backend\"\n";
  ASSERT_NE(toml.find(listener_cluster), std::string::npos);
  toml.replace(toml.find(listener_cluster), listener_cluster.size(),
               "sni_routes = [{ server_names = [\"example.com\"], cluster = \"backend\" }]\n");
  ASSERT_TRUE(proxy_.start(toml, listen_port_));
  const std::string hello = openssl_client_hello();
  ASSERT_EQ(hello.size(), 335u);
  echo_session(hello);

  std::vector<std::string> logged = lines(1);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], "example.com backend 335 335 -");
}

// A listener that terminates TLS: a client whose handshake fails (it does not speak TLS) is
// DPE, before any cluster work.
TEST_F(TcpAccessLogTest, FailedClientHandshakeLogsDPE) {
  const TestPki* pki = shared_test_pki();
  ASSERT_NE(pki, nullptr);
  EchoServer upstream;
  std::string toml = logged_toml(config_for({upstream.port()}));
  toml.insert(toml.find("\n[[clusters]]"), "\ntls = { certificates = [{ cert = \"" +
                                               pki->localhost.cert + "\", key = \"" +
                                               pki->localhost.key + "\" }] }\n");
  ASSERT_TRUE(proxy_.start(toml, listen_port_));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  ASSERT_TRUE(
      send_all(client.get(), std::string("not a ClientHello\r\n\r\n"), deadline_in(seconds(5)))
          .ok());
  std::string reply;
  IoResult closed = recv_until_closed(client.get(), reply, 4096, deadline_in(seconds(5)));
  EXPECT_TRUE(is_closed(closed)) << closed.describe();

  std::vector<std::string> logged = lines(1);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], "- - 0 0 DPE 0");
  EXPECT_EQ(upstream.accepted(), 0u);
}

// The cluster's circuit breaker max_connections is 1 (one worker): while a session holds the
// connection, the next is closed at once with UO.
TEST_F(TcpAccessLogTest, ClusterAtMaxConnectionsLogsUO) {
  EchoServer upstream;
  ASSERT_FALSE(dir_.path().empty());
  ASSERT_TRUE(proxy_.start(logged_toml(config_for({upstream.port()}), kFormat, false,
                                       "circuit_breakers = { max_connections = 1 }\n"),
                           listen_port_));
  Fd first = connect_client();
  ASSERT_TRUE(first.valid()) << strerror(errno);
  ASSERT_TRUE(round_trip(first.get(), "hello", deadline_in(seconds(5))));
  refused_session();
  std::vector<std::string> logged = lines(1);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], "backend - 0 0 UO 0");

  shutdown_write(first.get());
  IoResult closed = wait_closed(first.get(), deadline_in(seconds(5)));
  EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
  logged = lines(2);
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[1], "backend " + host(upstream.port()) + " 5 5 - 1");
}

// No byte either way for idle_timeout: both sides closed, flag SI.
TEST_F(TcpAccessLogTest, IdleTimeoutLogsSI) {
  EchoServer upstream;
  ProxyConfig config = config_for({upstream.port()});
  config.idle_timeout = "200ms";
  ASSERT_TRUE(start_logged(config));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  ASSERT_TRUE(round_trip(client.get(), "hello", deadline_in(seconds(5))));
  IoResult closed = wait_closed(client.get(), deadline_in(seconds(5)));
  EXPECT_TRUE(is_closed(closed)) << closed.describe();

  std::vector<std::string> logged = lines(1);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], "backend " + host(upstream.port()) + " 5 5 SI 1");
}

// The upstream resets mid-stream: UR, with the bytes that reached the client.
TEST_F(TcpAccessLogTest, UpstreamResetLogsUR) {
  constexpr uint64_t kBytes = 64 * 1024;
  ResetServer upstream(kBytes, 5);
  ASSERT_TRUE(start_logged(config_for({upstream.port()})));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  std::string got(kBytes, '\0');
  ASSERT_TRUE(recv_exact(client.get(), got.data(), got.size(), deadline_in(seconds(5))).ok());
  upstream.reset_all();
  IoResult closed = wait_closed(client.get(), deadline_in(seconds(5)));
  EXPECT_TRUE(is_closed(closed)) << closed.describe();

  std::vector<std::string> logged = lines(1);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], "backend " + host(upstream.port()) + " 0 65536 UR 1");
}

// The client resets its connection: DC, not an upstream failure.
TEST_F(TcpAccessLogTest, ClientResetLogsDC) {
  EchoServer upstream;
  ASSERT_TRUE(start_logged(config_for({upstream.port()})));
  {
    Fd client = connect_client();
    ASSERT_TRUE(client.valid()) << strerror(errno);
    ASSERT_TRUE(round_trip(client.get(), "hello", deadline_in(seconds(5))));
    set_linger_zero(client.get());
  }
  std::vector<std::string> logged = lines(1);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], "backend " + host(upstream.port()) + " 5 5 DC 1");
}

// A session still open at drain_timeout after SIGTERM is cut: flag SC, and its line is written
// before the process exits.
TEST_F(TcpAccessLogTest, SessionCutAtDrainTimeoutLogsSC) {
  EchoServer upstream;
  ProxyConfig config = config_for({upstream.port()});
  config.drain_timeout = "300ms";
  ASSERT_TRUE(start_logged(config));
  Fd client = connect_client();
  ASSERT_TRUE(client.valid()) << strerror(errno);
  ASSERT_TRUE(round_trip(client.get(), "hello", deadline_in(seconds(5))));
  std::optional<ExitStatus> exit = proxy_.terminate(stretched(std::chrono::milliseconds(5000)));
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->success()) << exit->describe();

  std::vector<std::string> logged = complete_lines(read_text_file(log_path_));
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], "backend " + host(upstream.port()) + " 5 5 SC 1");
}

// json = true: one object per session, the variables as members, numbers as numbers and a
// connect that did not happen as null.
TEST_F(TcpAccessLogTest, JsonLines) {
  EchoServer upstream;
  uint16_t dead = free_port();
  ProxyConfig config = config_for({upstream.port()});
  ASSERT_TRUE(start_logged(config, std::string(kFormat) + " %UPSTREAM_CONNECT_TIME%", true));
  echo_session("hello");
  std::vector<std::string> logged = lines(1);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_TRUE(number_between(logged[0],
                             R"({"upstream_cluster":"backend","upstream_host":")" +
                                 host(upstream.port()) +
                                 R"(","bytes_received":5,"bytes_sent":5,"response_flags":"-",)"
                                 R"("upstream_request_attempt_count":1,"upstream_connect_time":)",
                             "}"))
      << logged[0];

  // A dead upstream: no connection, so no connect time.
  ProxyProcess second;
  uint16_t second_port = free_port();
  ProxyConfig failing = config_for({dead});
  failing.listen_port = second_port;
  std::string second_log = dir_.path() + "/second.log";
  std::string toml = failing.toml();
  toml.insert(toml.find("\n[[clusters]]"),
              "\naccess_log = { path = \"" + second_log + "\", json = true, format = \"" +
                  escaped(std::string(kFormat) + " %UPSTREAM_CONNECT_TIME%") + "\" }\n");
  ASSERT_TRUE(second.start(toml, second_port));
  Fd client = connect_tcp(second_port, deadline_in(seconds(5)));
  ASSERT_TRUE(client.valid()) << strerror(errno);
  IoResult closed = wait_closed(client.get(), deadline_in(seconds(5)));
  EXPECT_TRUE(is_closed(closed)) << closed.describe();
  logged = wait_for_lines(second_log, 1, deadline_in(stretched(seconds(5))));
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0], R"({"upstream_cluster":"backend","upstream_host":")" + host(dead) +
                           R"(","bytes_received":0,"bytes_sent":0,"response_flags":"UF",)"
                           R"("upstream_request_attempt_count":3,"upstream_connect_time":null})");
}

}  // namespace
}  // namespace ringress::test
