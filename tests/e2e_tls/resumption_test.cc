// Session resumption on a TLS listener, seen through openssl s_client -sess_out / -sess_in:
// TLS 1.2 (tickets, and the session cache when tickets are off) and TLS 1.3 tickets, which
// arrive after the handshake, so that client sends a request and reads the reply before saving.
#include <gtest/gtest.h>

#include "tests/e2e_tls/tls_test.h"

namespace ringress::test {
namespace {

class ResumptionTest : public TlsTest {
 protected:
  void start_https(const std::string& tls_extra = "") {
    std::string toml =
        runtime_toml() +
        http_listener("https", port_, listener_tls({pki().a_ecdsa}, tls_extra), "backend") +
        cluster_toml("backend", {upstream_.port()});
    ASSERT_TRUE(start_proxy(proxy_, toml, {port_}));
  }
  // A TLS 1.3 s_client that sends one request (Connection: close) and reads until the server
  // closes, so the session ticket sent after the handshake is in the session it saves.
  CommandResult request_tls13(const std::vector<std::string>& args) {
    std::vector<std::string> all{"-servername", "a.test", "-tls1_3", "-ign_eof"};
    all.insert(all.end(), args.begin(), args.end());
    return run_with_input(s_client_argv(port_, all),
                          "GET /ticket HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n");
  }
  // "New" or "Reused", and the version, from s_client's summary line.
  static std::string summary(const CommandResult& r) {
    for (const char* kind : {"New, ", "Reused, "}) {
      std::string rest = line_after(r.out, kind);
      if (!rest.empty()) return kind + rest.substr(0, rest.find(','));
    }
    return "no summary line in: " + r.out + r.err;
  }

  HttpUpstream upstream_{reply_with("ok\n")};
  const uint16_t port_ = free_port();
  ProxyProcess proxy_;
};

TEST_F(ResumptionTest, Tls12SessionResumes) {
  start_https();
  if (HasFatalFailure()) return;
  const std::string session = scratch("tls12.session");
  CommandResult first = s_client(port_, {"-servername", "a.test", "-tls1_2", "-sess_out", session});
  EXPECT_TRUE(first.success()) << first.err;
  EXPECT_EQ(summary(first), "New, TLSv1.2");
  CommandResult second = s_client(port_, {"-servername", "a.test", "-tls1_2", "-sess_in", session});
  EXPECT_TRUE(second.success()) << second.err;
  EXPECT_EQ(summary(second), "Reused, TLSv1.2");
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(10))));
  EXPECT_TRUE(contains(proxy_.log(), "tls listeners: 2 handshakes (1 resumed), 0 failed"))
      << proxy_.log();
}

// Without tickets a TLS 1.2 session still resumes by its id, from the server's session cache.
TEST_F(ResumptionTest, Tls12SessionIdResumesWithoutTickets) {
  start_https(", session_tickets = false");
  if (HasFatalFailure()) return;
  const std::string session = scratch("tls12-id.session");
  CommandResult first =
      s_client(port_, {"-servername", "a.test", "-tls1_2", "-no_ticket", "-sess_out", session});
  EXPECT_EQ(summary(first), "New, TLSv1.2");
  CommandResult second =
      s_client(port_, {"-servername", "a.test", "-tls1_2", "-no_ticket", "-sess_in", session});
  EXPECT_EQ(summary(second), "Reused, TLSv1.2");
}

TEST_F(ResumptionTest, Tls13TicketResumes) {
  start_https();
  if (HasFatalFailure()) return;
  const std::string session = scratch("tls13.session");
  CommandResult first = request_tls13({"-sess_out", session});
  EXPECT_TRUE(first.success()) << first.describe() << first.err;
  EXPECT_EQ(summary(first), "New, TLSv1.3");
  EXPECT_TRUE(contains(first.out, "HTTP/1.1 200 OK")) << first.out;
  EXPECT_TRUE(contains(first.out, "Post-Handshake New Session Ticket arrived")) << first.out;
  CommandResult second = request_tls13({"-sess_in", session});
  EXPECT_TRUE(second.success()) << second.describe() << second.err;
  EXPECT_EQ(summary(second), "Reused, TLSv1.3");
  EXPECT_TRUE(contains(second.out, "HTTP/1.1 200 OK")) << second.out;
  EXPECT_EQ(upstream_.request_count(), 2u);
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(10))));
  EXPECT_TRUE(contains(proxy_.log(), "tls listeners: 2 handshakes (1 resumed), 0 failed"))
      << proxy_.log();
}

TEST_F(ResumptionTest, Tls13WithoutTicketsDoesNotResume) {
  start_https(", session_tickets = false");
  if (HasFatalFailure()) return;
  const std::string session = scratch("tls13-none.session");
  CommandResult first = request_tls13({"-sess_out", session});
  EXPECT_TRUE(first.success()) << first.describe() << first.err;
  EXPECT_TRUE(contains(first.out, "HTTP/1.1 200 OK")) << first.out;
  EXPECT_FALSE(contains(first.out, "New Session Ticket arrived")) << first.out;
  // With no ticket there is no resumable session: s_client writes none, or one that fails.
  CommandResult second = request_tls13({"-sess_in", session});
  EXPECT_EQ(summary(second).rfind("Reused", 0), std::string::npos) << second.out;
}

}  // namespace
}  // namespace ringress::test
