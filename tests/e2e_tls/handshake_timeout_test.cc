// handshake_timeout bounds the whole TLS handshake of a client: one that sends nothing, half a
// ClientHello, or a ClientHello and then nothing more is closed once it passes (1 s here), on
// http and tcp listeners. A finished handshake is not cut by it.
#include <gtest/gtest.h>

#include "tests/e2e_tls/tls_test.h"
#include "tests/support/tcp_server.h"
#include "tests/support/test_servers.h"

namespace ringress::test {
namespace {

using std::chrono::duration_cast;

// A real ClientHello (TLS 1.3 capable, SNI a.test), recorded from openssl s_client by a server
// that reads its first record and closes. Empty if that failed.
std::string captured_client_hello() {
  static const std::string hello = [] {
    ResultLog<std::string> log;
    TcpServer server([&log](int fd, const std::atomic<bool>&) {
      Deadline deadline = deadline_in(seconds(5));
      std::string bytes;
      char buf[4096];
      while (true) {
        if (bytes.size() >= 5) {
          size_t length =
              5 + (static_cast<uint8_t>(bytes[3]) << 8 | static_cast<uint8_t>(bytes[4]));
          if (bytes.size() >= length) {
            bytes.resize(length);
            break;
          }
        }
        IoResult r = recv_some(fd, buf, sizeof buf, deadline);
        if (!r.ok()) break;
        bytes.append(buf, r.bytes);
      }
      log.add(bytes);
    });
    run_command({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(server.port()),
                 "-servername", "a.test"},
                seconds(10));
    auto got = log.wait(1, deadline_in(seconds(2)));
    return got ? (*got)[0] : std::string();
  }();
  return hello;
}

class HandshakeTimeoutTest : public TlsTest {
 protected:
  void SetUp() override {
    TlsTest::SetUp();
    if (HasFatalFailure()) return;
    hello_ = captured_client_hello();
    ASSERT_GT(hello_.size(), 100u);
    ASSERT_EQ(hello_[0], '\x16') << "not a TLS handshake record";
  }
  void start_http() {
    std::string toml =
        runtime_toml() +
        http_listener("https", port_, listener_tls({pki().a_ecdsa}, ", handshake_timeout = \"1s\""),
                      "backend") +
        cluster_toml("backend", {upstream_.port()});
    ASSERT_TRUE(start_proxy(proxy_, toml, {port_}));
  }
  // Connects, sends `bytes`, and asserts the proxy closes the connection about 1 s after the
  // connect. Returns how many bytes the proxy sent before closing.
  size_t expect_closed_after_timeout(const std::string& bytes) {
    Clock::time_point start = Clock::now();
    Fd fd = connect_tcp(port_, soon());
    if (!fd.valid()) {
      ADD_FAILURE() << "cannot connect";
      return 0;
    }
    if (!bytes.empty()) {
      EXPECT_TRUE(send_all(fd.get(), bytes, soon()).ok());
    }
    IoResult closed = wait_closed(fd.get(), deadline_in(seconds(5)));
    auto elapsed = duration_cast<milliseconds>(Clock::now() - start);
    EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
        << closed.describe() << " after " << elapsed.count() << " ms";
    EXPECT_GE(elapsed, milliseconds(900));
    EXPECT_LT(elapsed, stretched(milliseconds(2000)));
    return closed.bytes;
  }

  std::string hello_;
  HttpUpstream upstream_{reply_with("ok\n")};
  const uint16_t port_ = free_port();
  ProxyProcess proxy_;
};

TEST_F(HandshakeTimeoutTest, SilentClientIsClosed) {
  start_http();
  if (HasFatalFailure()) return;
  EXPECT_EQ(expect_closed_after_timeout(""), 0u);
}

TEST_F(HandshakeTimeoutTest, HalfClientHelloIsClosed) {
  start_http();
  if (HasFatalFailure()) return;
  EXPECT_EQ(expect_closed_after_timeout(hello_.substr(0, hello_.size() / 2)), 0u);
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(10))));
  EXPECT_TRUE(contains(proxy_.log(), "tls listeners: 0 handshakes (0 resumed), 1 failed"))
      << proxy_.log();
}

// The whole ClientHello, then nothing: the server's flight comes back, the handshake never ends.
TEST_F(HandshakeTimeoutTest, ClientStallingAfterClientHelloIsClosed) {
  start_http();
  if (HasFatalFailure()) return;
  EXPECT_GT(expect_closed_after_timeout(hello_), 0u) << "no ServerHello came back";
  EXPECT_EQ(upstream_.accepted(), 0u);
}

TEST_F(HandshakeTimeoutTest, TcpListenerHalfClientHelloIsClosed) {
  EchoServer echo;
  std::string toml =
      runtime_toml() +
      tcp_listener("tls-tcp", port_,
                   {"cluster = \"echo\"",
                    "tls = " + listener_tls({pki().a_ecdsa}, ", handshake_timeout = \"1s\"")}) +
      cluster_toml("echo", {echo.port()});
  ASSERT_TRUE(start_proxy(proxy_, toml, {port_}));
  EXPECT_EQ(expect_closed_after_timeout(hello_.substr(0, 40)), 0u);
  EXPECT_GT(expect_closed_after_timeout(hello_), 0u);
  EXPECT_EQ(echo.accepted(), 0u);
}

// A client whose handshake finished may wait longer than handshake_timeout before its request.
TEST_F(HandshakeTimeoutTest, FinishedHandshakeIsNotCut) {
  start_http();
  if (HasFatalFailure()) return;
  ChildProcess client;
  ASSERT_TRUE(client.start(s_client_argv(port_, {"-servername", "a.test", "-ign_eof"})));
  Deadline deadline = deadline_in(stretched(seconds(5)));
  while (!contains(client.out(), "Verify return code: 0 (ok)") && Clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(10));
  ASSERT_TRUE(contains(client.out(), "Verify return code: 0 (ok)")) << client.out() << client.err();
  std::this_thread::sleep_for(milliseconds(1500));
  ASSERT_TRUE(
      client.write_stdin("GET /late HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", soon())
          .ok());
  client.close_stdin();
  ASSERT_TRUE(client.wait_exit(soon())) << client.out();
  EXPECT_TRUE(contains(client.out(), "HTTP/1.1 200 OK\r\n")) << client.out();
  EXPECT_TRUE(contains(client.out(), "\r\n\r\nok\n")) << client.out();
  EXPECT_EQ(upstream_.request_count(), 1u);
}

}  // namespace
}  // namespace ringress::test
