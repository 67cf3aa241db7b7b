// tls::Transport over real loopback sockets: what the ClientHello step reports for each way a
// client can start, and accept/originate against each other (data both ways, session
// resumption with a kept session, the client certificate's details).
#include "tls/transport.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>
#include <thread>

#include "core/reactor.h"
#include "core/task_scope.h"
#include "tests/core/test_sockets.h"
#include "tests/support/openssl_client_hello.h"
#include "tests/support/test_pki.h"

namespace ringress::tls {
namespace {

using core::testing::send_all;
using core::testing::tcp_pair;

constexpr uint32_t kConnectionBuffer = 65536;

core::TimePoint soon() { return core::deadline_after(std::chrono::seconds(5)); }

// What read_client_hello() reports after the peer sent `bytes` and, when `close`, closed.
ClientHello hello_after(const std::string& bytes, bool close,
                        std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
  core::Reactor reactor;
  core::BufferPool pool(reactor, 4096, 64);
  auto [peer, mine] = tcp_pair();
  if (!bytes.empty()) {
    EXPECT_TRUE(send_all(peer.fd(), bytes));
  }
  if (close) ::shutdown(peer.fd(), SHUT_WR);
  return reactor.run([](core::Socket s, core::BufferPool& p,
                        std::chrono::milliseconds d) -> core::Task<ClientHello> {
    Transport t(std::move(s), p, kConnectionBuffer);
    ClientHello h = co_await t.read_client_hello(core::deadline_after(d));
    co_return h;
  }(std::move(mine), pool, deadline));
}

std::string openssl_hello() { return test::openssl_client_hello(); }

TEST(TransportHello, AClientHelloIsReceivedWithItsServerNameAndBytes) {
  const std::string hello = openssl_hello();
  ClientHello h = hello_after(hello, false);
  EXPECT_EQ(h.outcome, ClientHello::Outcome::received);
  EXPECT_EQ(h.server_name, "example.com");
  EXPECT_EQ(h.bytes, hello);
}

TEST(TransportHello, PlainHttpIsToldApart) {
  ClientHello h = hello_after("GET / HTTP/1.1\r\nHost: a\r\n\r\n", false);
  EXPECT_EQ(h.outcome, ClientHello::Outcome::plain_http);
  EXPECT_EQ(h.bytes, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
}

TEST(TransportHello, OtherBytesGoToTheHandshakeWithoutAName) {
  ClientHello h = hello_after("SSH-2.0-OpenSSH_9.2\r\n", false);
  EXPECT_EQ(h.outcome, ClientHello::Outcome::received);
  EXPECT_EQ(h.server_name, "");
}

TEST(TransportHello, AClientThatLeavesAtOnceIsNotAFailedHandshake) {
  ClientHello h = hello_after("", true);
  EXPECT_EQ(h.outcome, ClientHello::Outcome::none);
  EXPECT_FALSE(h.failed);
}

TEST(TransportHello, APartialHelloThenCloseIsAFailedHandshake) {
  ClientHello h = hello_after(openssl_hello().substr(0, 40), true);
  EXPECT_EQ(h.outcome, ClientHello::Outcome::none);
  EXPECT_TRUE(h.failed);
}

TEST(TransportHello, SilenceUntilTheDeadlineIsAFailedHandshake) {
  ClientHello h = hello_after("", false, std::chrono::milliseconds(50));
  EXPECT_EQ(h.outcome, ClientHello::Outcome::none);
  EXPECT_TRUE(h.failed);
}

// What one TLS connection between a server Transport and a client Transport showed.
struct Exchange {
  int accept_rc = -1;
  int originate_rc = -1;
  bool server_resumed = false;
  bool client_resumed = false;
  std::string server_got;
  std::string client_got;
  std::string client_certificate;
};

// Accepts with `server` and originates to "a.test" with `client`, offering `session`, then sends
// "ping" up and "pong" down; keeps the client's session in `session` afterwards.
Exchange connect_once(const ServerContext& server, const ClientContext& client,
                      SessionPtr& session) {
  core::Reactor reactor;
  core::BufferPool pool(reactor, 16384, 64);
  auto [client_socket, server_socket] = tcp_pair();
  Exchange out;
  reactor.run([](core::Socket cs, core::Socket ss, core::BufferPool& p, const ServerContext& sc,
                 const ClientContext& cc, SessionPtr& kept, Exchange& o) -> core::Task<void> {
    core::TaskScope scope;
    scope.spawn([](core::Socket s, core::BufferPool& bp, const ServerContext& ctx,
                   Exchange& e) -> core::Task<void> {
      Transport t(std::move(s), bp, kConnectionBuffer);
      ClientHello h = co_await t.read_client_hello(soon());
      e.accept_rc = co_await t.accept(ctx, std::move(h), soon());
      if (e.accept_rc != 0) co_return;
      e.server_resumed = t.resumed();
      e.client_certificate = t.client_certificate_details();
      core::ReadResult r = co_await t.stream().read(soon());
      e.server_got = std::string(r.data.view());
      co_await t.stream().write("pong", 4, soon());
      core::ReadResult end = co_await t.stream().read(soon());  // the client's close_notify
      EXPECT_TRUE(end.eof());
    }(std::move(ss), p, sc, o));
    scope.spawn([](core::Socket s, core::BufferPool& bp, const ClientContext& ctx,
                   SessionPtr& session, Exchange& e) -> core::Task<void> {
      Transport t(std::move(s), bp, kConnectionBuffer);
      e.originate_rc = co_await t.originate(ctx, "a.test", session.get(), soon(), nullptr);
      if (e.originate_rc != 0) co_return;
      e.client_resumed = t.resumed();
      co_await t.stream().write("ping", 4, soon());
      core::ReadResult r = co_await t.stream().read(soon());
      e.client_got = std::string(r.data.view());
      t.save_session(session);
      co_await t.stream().shutdown_write();
    }(std::move(cs), p, cc, kept, o));
    co_await scope.join();
  }(std::move(client_socket), std::move(server_socket), pool, server, client, session, out));
  return out;
}

TEST(TransportTls, AcceptAndOriginateCarryDataAndResumeAKeptSession) {
  const test::TestPki* pki = test::shared_test_pki();
  ASSERT_NE(pki, nullptr);
  ServerSettings ss;
  ss.enabled = true;
  ss.certificates.push_back({pki->a_ecdsa.cert, pki->a_ecdsa.key, {}});
  auto server = ServerContext::create(ss);
  ClientSettings cs;
  cs.enabled = true;
  cs.ca = pki->ca_cert;
  auto client = ClientContext::create(cs);

  SessionPtr session;
  Exchange first = connect_once(*server, *client, session);
  ASSERT_EQ(first.accept_rc, 0);
  ASSERT_EQ(first.originate_rc, 0);
  EXPECT_EQ(first.server_got, "ping");
  EXPECT_EQ(first.client_got, "pong");
  EXPECT_FALSE(first.client_resumed);
  EXPECT_FALSE(first.server_resumed);
  EXPECT_EQ(first.client_certificate, "");
  ASSERT_TRUE(session);

  Exchange second = connect_once(*server, *client, session);
  ASSERT_EQ(second.accept_rc, 0);
  ASSERT_EQ(second.originate_rc, 0);
  EXPECT_EQ(second.server_got, "ping");
  EXPECT_TRUE(second.client_resumed);
  EXPECT_TRUE(second.server_resumed);
}

TEST(TransportTls, AcceptGivesTheClientCertificateDetails) {
  const test::TestPki* pki = test::shared_test_pki();
  ASSERT_NE(pki, nullptr);
  ServerSettings ss;
  ss.enabled = true;
  ss.certificates.push_back({pki->a_ecdsa.cert, pki->a_ecdsa.key, {}});
  ss.client_ca = pki->ca_cert;
  ss.client_certificate = ClientCertMode::required;
  auto server = ServerContext::create(ss);
  ClientSettings cs;
  cs.enabled = true;
  cs.ca = pki->ca_cert;
  cs.client_cert = pki->client.cert;
  cs.client_key = pki->client.key;
  auto client = ClientContext::create(cs);

  SessionPtr session;
  Exchange e = connect_once(*server, *client, session);
  ASSERT_EQ(e.accept_rc, 0);
  ASSERT_EQ(e.originate_rc, 0);
  EXPECT_EQ(e.server_got, "ping");
  EXPECT_NE(e.client_certificate.find("URI=spiffe://test/client-one"), std::string::npos)
      << e.client_certificate;
}

TEST(TransportTls, AnUntrustedServerFailsOriginationWithAReason) {
  const test::TestPki* pki = test::shared_test_pki();
  ASSERT_NE(pki, nullptr);
  ServerSettings ss;
  ss.enabled = true;
  ss.certificates.push_back({pki->a_ecdsa.cert, pki->a_ecdsa.key, {}});
  auto server = ServerContext::create(ss);
  ClientSettings cs;
  cs.enabled = true;
  cs.ca = pki->other_ca_cert;
  auto client = ClientContext::create(cs);

  core::Reactor reactor;
  core::BufferPool pool(reactor, 16384, 64);
  auto [client_socket, server_socket] = tcp_pair();
  std::string failure;
  int rc =
      reactor.run([](core::Socket cs, core::Socket ss, core::BufferPool& p, const ServerContext& sc,
                     const ClientContext& cc, std::string& why) -> core::Task<int> {
        core::TaskScope scope;
        scope.spawn(
            [](core::Socket s, core::BufferPool& bp, const ServerContext& ctx) -> core::Task<void> {
              Transport t(std::move(s), bp, kConnectionBuffer);
              ClientHello h = co_await t.read_client_hello(soon());
              co_await t.accept(ctx, std::move(h), soon());
            }(std::move(ss), p, sc));
        int r = 0;
        {
          Transport t(std::move(cs), p, kConnectionBuffer);
          r = co_await t.originate(cc, "a.test", nullptr, soon(), nullptr);
          why = t.failure();
        }  // closed: the server's handshake ends too
        co_await scope.join();
        co_return r;
      }(std::move(client_socket), std::move(server_socket), pool, *server, *client, failure));
  EXPECT_EQ(rc, -EPROTO);
  EXPECT_FALSE(failure.empty());
}

}  // namespace
}  // namespace ringress::tls
