// SIGTERM while a request waits on something no stream can end: an upstream connect that never
// completes, an upstream TLS handshake that never gets an answer, the fault filter's delay, and
// a TCP proxy session's connect. Each wait is cut at drain_timeout (not before: a request in
// flight keeps its grace; not at connect_timeout or the end of the delay, 30 s later), and the
// process exits 0 right after.
//
// What the client gets: its connection closed without a response byte. drain_timeout is the
// bound on shutdown, and at that point every request still running ends the same way, whether
// it waited on a connect, a delay or an upstream's response (as Envoy, HAProxy and nginx cut
// connections at their drain deadlines): writing a 503 then would need yet another wait on a
// client that may not read. A client sees a close without a response and may retry an
// idempotent request (RFC 9110 §9.2.2).
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/proxy_config.h"

namespace ringress::test {
namespace {

constexpr const char* kDrainTimeout = "1s";
constexpr milliseconds kDrain{1000};
// Waits that ignore the drain would last this long (connect_timeout, fault delay).
constexpr const char* kLongWait = "30s";

// One row of /proc/net/tcp (IPv4: every socket here is on 127.0.0.1).
struct TcpRow {
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  int state = 0;  // 1 ESTABLISHED, 2 SYN_SENT, ...
  unsigned long rx_queue = 0;
};

std::vector<TcpRow> tcp_rows() {
  std::vector<TcpRow> rows;
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    unsigned local_ip = 0, local_port = 0, remote_ip = 0, remote_port = 0, state = 0;
    unsigned long tx = 0, rx = 0;
    if (std::sscanf(line.c_str(), " %*d: %x:%x %x:%x %x %lx:%lx", &local_ip, &local_port,
                    &remote_ip, &remote_port, &state, &tx, &rx) != 7)
      continue;
    rows.push_back({static_cast<uint16_t>(local_port), static_cast<uint16_t>(remote_port),
                    static_cast<int>(state), rx});
  }
  return rows;
}

// Polls /proc/net/tcp until a row satisfies `match` or the deadline passes.
template <typename Match>
bool wait_for_socket(Match match, Deadline deadline) {
  for (;;) {
    for (const TcpRow& r : tcp_rows())
      if (match(r)) return true;
    if (Clock::now() >= deadline) return false;
    ::usleep(10000);
  }
}

// A listener on 127.0.0.1 that never accepts, with its accept queue full (backlog 0, one
// connection queued): the kernel drops every further SYN, so a connect to it stays in SYN_SENT
// until it is cancelled or times out. Loopback only: nothing leaves the machine.
class Blackhole {
 public:
  Blackhole() : listener_(listen_tcp(0, 0)) {
    if (!listener_.valid()) return;
    port_ = local_port(listener_.get());
    queued_ = connect_tcp(port_, soon());
    if (!queued_.valid()) return;
    // A probe whose SYN is dropped proves the queue is full; it is closed again, so the only
    // socket in SYN_SENT towards the port afterwards is the proxy's.
    Fd probe(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = ::connect(probe.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
    full_ = rc != 0 && errno == EINPROGRESS &&
            wait_ready(probe.get(), POLLOUT, deadline_in(milliseconds(300))) == 0;
  }
  bool full() const { return full_; }
  uint16_t port() const { return port_; }
  // Waits until someone's connect to the port is in flight (SYN_SENT).
  bool wait_connecting(Deadline deadline) const {
    return wait_for_socket(
        [this](const TcpRow& r) { return r.remote_port == port_ && r.state == 2; }, deadline);
  }

 private:
  Fd listener_;
  Fd queued_;
  uint16_t port_ = 0;
  bool full_ = false;
};

// Waits until the proxy has read every byte `client` sent (its end of the connection has an
// empty receive queue).
bool proxy_has_read(int client_fd, uint16_t proxy_port, Deadline deadline) {
  sockaddr_in local{};
  socklen_t len = sizeof(local);
  if (::getsockname(client_fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) return false;
  const uint16_t client_port = ntohs(local.sin_port);
  return wait_for_socket(
      [&](const TcpRow& r) {
        return r.local_port == proxy_port && r.remote_port == client_port && r.state == 1 &&
               r.rx_queue == 0;
      },
      deadline);
}

class DrainCancelTest : public HttpProxyTest {
 protected:
  // After SIGTERM: the client's connection stays open through the drain grace, then is closed
  // without a response byte; the process exits 0 soon after drain_timeout.
  void expect_cut_at_drain_timeout(int client_fd) {
    const Clock::time_point term = Clock::now();
    ASSERT_TRUE(proxy_.signal(SIGTERM));
    IoResult early = wait_closed(client_fd, term + kDrain / 2);
    EXPECT_EQ(early.status, IoResult::kTimeout)
        << "closed before drain_timeout: " << early.describe();
    const Deadline cut_by = term + kDrain + stretched(milliseconds(1500));
    IoResult closed = wait_closed(client_fd, cut_by);
    EXPECT_EQ(closed.status, IoResult::kEof) << closed.describe();
    EXPECT_EQ(closed.bytes, 0u);
    const milliseconds left = std::chrono::duration_cast<milliseconds>(cut_by - Clock::now());
    std::optional<ExitStatus> exit = proxy_.wait_exit(std::max(left, milliseconds(1)));
    ASSERT_TRUE(exit) << "still running " << kDrainTimeout << " + 1.5 s after SIGTERM";
    EXPECT_TRUE(exit->success()) << exit->describe();
  }
};

TEST_F(DrainCancelTest, UpstreamConnectInFlightIsCutAtDrainTimeout) {
  Blackhole hole;
  ASSERT_TRUE(hole.full()) << "could not fill the accept queue of a backlog-0 listener";
  HttpProxyConfig config = config_for(hole.port());
  config.drain_timeout = kDrainTimeout;
  config.clusters[0].keys = {std::string("connect_timeout = \"") + kLongWait + "\""};
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(get_request("/stuck"), soon()).ok());
  ASSERT_TRUE(hole.wait_connecting(soon())) << "the proxy never connected upstream";
  expect_cut_at_drain_timeout(c.fd());
}

TEST_F(DrainCancelTest, UpstreamTlsHandshakeInFlightIsCutAtDrainTimeout) {
  // Takes TCP connections (the kernel completes them) and never answers a ClientHello.
  Fd silent = listen_tcp(0, 16);
  ASSERT_TRUE(silent.valid());
  const uint16_t silent_port = local_port(silent.get());
  HttpProxyConfig config = config_for(silent_port);
  config.drain_timeout = kDrainTimeout;
  config.clusters[0].keys = {std::string("connect_timeout = \"") + kLongWait + "\"",
                             "tls = { verify = false }"};
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(get_request("/stuck"), soon()).ok());
  // The proxy's connection is up and its ClientHello waits, unread, at the silent listener.
  ASSERT_TRUE(wait_for_socket(
      [&](const TcpRow& r) {
        return r.local_port == silent_port && r.state == 1 && r.rx_queue > 0;
      },
      soon()))
      << "no ClientHello arrived";
  expect_cut_at_drain_timeout(c.fd());
}

TEST_F(DrainCancelTest, FaultDelayIsCutAtDrainTimeout) {
  HttpUpstream upstream(describe_request);
  HttpProxyConfig config = config_for(upstream.port());
  config.drain_timeout = kDrainTimeout;
  config.listener_keys = {
      R"(filters = ["fault", "router"])",
      std::string("fault = { delay_percent = 100, delay = \"") + kLongWait + "\" }"};
  ASSERT_TRUE(start(config));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(get_request("/delayed"), soon()).ok());
  ASSERT_TRUE(proxy_has_read(c.fd(), listen_port_, soon()));
  expect_cut_at_drain_timeout(c.fd());
  EXPECT_EQ(upstream.request_count(), 0u);
}

TEST_F(DrainCancelTest, TcpProxyConnectInFlightIsCutAtDrainTimeout) {
  Blackhole hole;
  ASSERT_TRUE(hole.full()) << "could not fill the accept queue of a backlog-0 listener";
  ProxyConfig config;
  config.listen_port = listen_port_;
  config.drain_timeout = kDrainTimeout;
  config.endpoints = {{hole.port()}};
  config.connect_timeout = kLongWait;
  config.connect_attempts = 1;
  ASSERT_TRUE(proxy_.start(config.toml(), listen_port_));
  Fd c = connect_tcp(listen_port_, soon());
  ASSERT_TRUE(c.valid());
  ASSERT_TRUE(hole.wait_connecting(soon())) << "the proxy never connected upstream";
  expect_cut_at_drain_timeout(c.get());
}

}  // namespace
}  // namespace ringress::test
