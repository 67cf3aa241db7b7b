// TLS on tcp listeners and tcp clusters: a tcp listener terminating TLS in front of a plain echo
// server (openssl s_client as the client), and a plain tcp listener whose cluster originates TLS
// to a terminating tcp listener, carrying megabytes both ways and the half-closes between them.
#include <sys/socket.h>

#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e_tls/tls_test.h"
#include "tests/support/test_servers.h"
#include "tests/support/transfer.h"

namespace ringress::test {
namespace {

class TcpTlsTest : public TlsTest {
 protected:
  // One ringress, two tcp listeners: "in" (port_, plain) whose cluster originates TLS, trusting
  // `ca`, to "tls-in", which terminates TLS (a.test) in front of 127.0.0.1:`server_port`.
  ::testing::AssertionResult start_chain(const std::string& ca, uint16_t server_port) {
    const uint16_t tls_port = free_port();
    std::string toml =
        runtime_toml() + tcp_listener("in", port_, {"cluster = \"secure\""}) +
        tcp_listener("tls-in", tls_port,
                     {"cluster = \"server\"", "tls = " + listener_tls({pki().a_ecdsa})}) +
        cluster_toml("secure", {tls_port},
                     {"tls = { ca = " + toml_string(ca) + ", server_name = \"a.test\" }"}) +
        cluster_toml("server", {server_port});
    return start_proxy(proxy_, toml, {port_, tls_port});
  }

  const uint16_t port_ = free_port();
  ProxyProcess proxy_;
};

TEST_F(TcpTlsTest, EchoThroughTlsTermination) {
  EchoServer echo;
  std::string toml =
      runtime_toml() +
      tcp_listener("tls-tcp", port_,
                   {"cluster = \"echo\"", "tls = " + listener_tls({pki().a_ecdsa})}) +
      cluster_toml("echo", {echo.port()});
  ASSERT_TRUE(start_proxy(proxy_, toml, {port_}));

  // Text lines, then binary bytes of every value, in several writes of different sizes.
  std::string payload = "hello over tls\nsecond line\n";
  payload += pattern_text(91, 200 * 1024);
  ChildProcess client;
  ASSERT_TRUE(client.start(
      s_client_argv(port_, {"-servername", "a.test", "-quiet", "-nocommands", "-verify_quiet"})));
  Deadline deadline = deadline_in(stretched(seconds(10)));
  for (size_t at = 0, step = 1000; at < payload.size(); at += step, step *= 3) {
    ASSERT_TRUE(client.write_stdin(std::string_view(payload).substr(at, step), deadline).ok());
  }
  std::string echoed = client.wait_output(payload.size(), deadline);
  ASSERT_EQ(echoed.size(), payload.size()) << "stderr: " << client.err();
  EXPECT_TRUE(echoed == payload) << "the echoed bytes differ";
  EXPECT_EQ(echo.accepted(), 1u);
  client.kill();

  // A client that does not speak TLS never reaches the echo server.
  Fd plain = connect_tcp(port_, soon());
  ASSERT_TRUE(plain.valid());
  ASSERT_TRUE(send_all(plain.get(), std::string("plain text\r\n"), soon()).ok());
  IoResult closed = wait_closed(plain.get(), soon());
  EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
      << closed.describe();
  EXPECT_EQ(echo.accepted(), 1u);
}

// A TLS 1.3 KeyUpdate that asks for ours in the middle of a stream (s_client's "K" command):
// ringress answers with its own KeyUpdate, sent before the data it encrypts with the new keys,
// so the bytes after it still decrypt and echo back.
TEST_F(TcpTlsTest, KeyUpdateMidStream) {
  EchoServer echo;
  std::string toml =
      runtime_toml() +
      tcp_listener("tls-tcp", port_,
                   {"cluster = \"echo\"", "tls = " + listener_tls({pki().a_ecdsa})}) +
      cluster_toml("echo", {echo.port()});
  ASSERT_TRUE(start_proxy(proxy_, toml, {port_}));
  // Without -quiet, s_client takes command letters (and prints the session first).
  ChildProcess client;
  ASSERT_TRUE(client.start(s_client_argv(port_, {"-servername", "a.test", "-tls1_3"})));
  Deadline deadline = deadline_in(stretched(seconds(10)));
  auto output_with = [&](const std::string& text) {
    std::string out = client.out();
    while (!contains(out, text) && Clock::now() < deadline) {
      std::string more = client.wait_output(out.size() + 1, deadline);
      if (more.size() == out.size()) break;  // exited, or the deadline passed
      out = more;
    }
    return out;
  };
  ASSERT_TRUE(client.write_stdin("before the key update\n", deadline).ok());
  EXPECT_TRUE(contains(output_with("before the key update\n"), "before the key update\n"));
  ASSERT_TRUE(client.write_stdin("K\n", deadline).ok());  // a command, not data
  // s_client takes a whole read of stdin as the command line: the data goes after it is done.
  while (!contains(client.out() + client.err(), "KEYUPDATE") && Clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(10));
  ASSERT_TRUE(client.write_stdin("after the key update\n", deadline).ok());
  std::string out = output_with("after the key update\n");
  EXPECT_TRUE(contains(out, "before the key update\nafter the key update\n"))
      << out << "\nstderr: " << client.err();
  EXPECT_FALSE(contains(out, "\nK\n")) << out;
  client.kill();
}

// client -(plain)-> listener "in" -(TLS, origination)-> listener "tls-in" -(plain)-> server,
// one ringress: 4 MiB each way, verified, and each side's EOF crosses the TLS hop.
TEST_F(TcpTlsTest, OriginationToTerminationCarriesBothDirections) {
  const uint64_t size = scaled_bytes(4 << 20);
  constexpr uint64_t kUpSeed = 93, kDownSeed = 94;
  PatternServer server(size, kDownSeed, kUpSeed);
  ASSERT_TRUE(start_chain(pki().ca_cert, server.port()));

  Deadline deadline = deadline_in(stretched(seconds(20)));
  Fd fd = connect_tcp(port_, deadline);
  ASSERT_TRUE(fd.valid());
  TransferResult client = exchange_patterns(fd.get(), size, kUpSeed, kDownSeed, deadline);
  EXPECT_EQ(client.sent, size) << client.describe();
  EXPECT_EQ(client.received, size) << client.describe();
  EXPECT_FALSE(client.mismatch) << client.describe();
  EXPECT_EQ(client.end.status, IoResult::kEof) << client.describe();
  auto results = server.wait_results(1, deadline);
  ASSERT_TRUE(results);
  const TransferResult& up = (*results)[0];
  EXPECT_EQ(up.received, size) << up.describe();
  EXPECT_FALSE(up.mismatch) << up.describe();
  EXPECT_EQ(up.end.status, IoResult::kEof) << up.describe();
}

// Each new upstream connection of a tcp cluster resumes the TLS session of the one before (the
// one-listener setup counts for both sides: 3 client handshakes on "tls-in", 2 resumed).
TEST_F(TcpTlsTest, OriginationResumesTheLastSession) {
  EchoServer echo;
  ASSERT_TRUE(start_chain(pki().ca_cert, echo.port()));
  for (int i = 0; i < 3; ++i) {
    Fd fd = connect_tcp(port_, soon());
    ASSERT_TRUE(fd.valid());
    std::string line = "connection " + std::to_string(i) + "\n";
    ASSERT_TRUE(send_all(fd.get(), line, soon()).ok());
    std::string got(line.size(), '\0');
    ASSERT_TRUE(recv_exact(fd.get(), got.data(), got.size(), soon()).ok());
    EXPECT_EQ(got, line);
    ::shutdown(fd.get(), SHUT_WR);
    IoResult closed = wait_closed(fd.get(), soon());
    EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
  }
  EXPECT_EQ(echo.accepted(), 3u);
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(10))));
  EXPECT_TRUE(contains(proxy_.log(), "tls listeners: 3 handshakes (2 resumed), 0 failed"))
      << proxy_.log();
}

// A tcp cluster whose TLS handshake fails closes the client without a byte.
TEST_F(TcpTlsTest, FailedOriginationClosesClient) {
  EchoServer echo;
  ASSERT_TRUE(start_chain(pki().other_ca_cert, echo.port()));
  Fd fd = connect_tcp(port_, soon());
  ASSERT_TRUE(fd.valid());
  ASSERT_TRUE(send_all(fd.get(), std::string("hello"), soon()).ok());
  IoResult closed = wait_closed(fd.get(), soon());
  EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
      << closed.describe();
  EXPECT_EQ(closed.bytes, 0u);
  EXPECT_EQ(echo.accepted(), 0u);
  // The client may see the close before the worker's log line is written: stop the proxy first.
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(10))));
  EXPECT_TRUE(contains(proxy_.log(), "failed: certificate not signed by a trusted CA"))
      << proxy_.log();
}

}  // namespace
}  // namespace ringress::test
