// TLS termination on an http listener, seen through curl: TLS 1.2 and 1.3 requests reach the
// scripted upstream as plain HTTP with X-Forwarded-Proto: https; a kept-alive TLS connection
// carries several requests; plain HTTP sent to the TLS port gets the fixed 400; 5 MiB bodies cross
// in both directions byte for byte.
#include <gtest/gtest.h>

#include "tests/e2e_tls/tls_test.h"
#include "tests/support/digest.h"
#include "tests/support/pattern.h"

namespace ringress::test {
namespace {

class TerminationTest : public TlsTest {
 protected:
  // An https listener with the a.test certificate in front of `upstream`.
  void start_https(const HttpUpstream& upstream, const std::string& tls_extra = "") {
    std::string toml =
        runtime_toml() +
        http_listener("https", port_, listener_tls({pki().a_ecdsa}, tls_extra), "backend") +
        cluster_toml("backend", {upstream.port()});
    ASSERT_TRUE(start_proxy(proxy_, toml, {port_}));
  }

  // GET /hello?x=1 with curl limited by `version_args`; asserts the exchange and the version.
  void check_get(const std::vector<std::string>& version_args, const std::string& version) {
    HttpUpstream upstream(reply_with("hello over tls\n"));
    start_https(upstream);
    if (HasFatalFailure()) return;
    CurlResult r = curl_https("a.test", port_, "/hello?x=1", version_args);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.http_code, 200) << r.describe();
    EXPECT_EQ(r.ssl_verify_result, 0) << r.describe();
    EXPECT_EQ(r.http_version, "1.1") << r.describe();
    EXPECT_EQ(r.body, "hello over tls\n");
    EXPECT_TRUE(contains(r.run.err, "SSL connection using " + version + " / ")) << r.describe();

    auto seen = upstream.wait_requests(1, soon());
    ASSERT_TRUE(seen);
    const HttpMessage& up = (*seen)[0].message;
    EXPECT_TRUE(up.ok()) << up.describe();
    EXPECT_EQ(up.method, "GET");
    EXPECT_EQ(up.target, "/hello?x=1");
    EXPECT_EQ(up.header("Host"), "a.test:" + std::to_string(port_));
    EXPECT_EQ(up.header("X-Forwarded-Proto"), "https") << up.describe();
    EXPECT_EQ(up.headers.count("X-Forwarded-Proto"), 1u) << up.describe();
    EXPECT_EQ(up.header("X-Forwarded-For"), "127.0.0.1") << up.describe();
  }

  const uint16_t port_ = free_port();
  ProxyProcess proxy_;
};

TEST_F(TerminationTest, CurlOverTls12) { check_get({"--tlsv1.2", "--tls-max", "1.2"}, "TLSv1.2"); }

TEST_F(TerminationTest, CurlOverTls13) { check_get({"--tlsv1.3"}, "TLSv1.3"); }

TEST_F(TerminationTest, ClientForwardedProtoIsReplaced) {
  HttpUpstream upstream(reply_with("ok\n"));
  start_https(upstream);
  if (HasFatalFailure()) return;
  CurlResult r = curl_https("a.test", port_, "/", {"-H", "X-Forwarded-Proto: http"});
  ASSERT_EQ(r.http_code, 200) << r.describe();
  auto seen = upstream.wait_requests(1, soon());
  ASSERT_TRUE(seen);
  const HttpMessage& up = (*seen)[0].message;
  EXPECT_EQ(up.headers.count("X-Forwarded-Proto"), 1u) << up.describe();
  EXPECT_EQ(up.header("X-Forwarded-Proto"), "https") << up.describe();
}

// Three URLs in one curl run share one TLS connection: one handshake, three requests.
TEST_F(TerminationTest, KeepAliveCarriesSeveralRequests) {
  HttpUpstream upstream(describe_request);
  start_https(upstream);
  if (HasFatalFailure()) return;
  std::string base = "https://a.test:" + std::to_string(port_);
  // The body of the first URL goes where run_curl reads it, the others to files.
  CurlResult r =
      run_curl({"--cacert", pki().ca_cert, "--resolve",
                "a.test:" + std::to_string(port_) + ":127.0.0.1", base + "/one", base + "/two",
                "-o", scratch("two"), base + "/three", "-o", scratch("three")});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.run.out, "200 0 1.1\n200 0 1.1\n200 0 1.1\n") << r.describe();
  EXPECT_EQ(r.body, "GET /one 0");
  EXPECT_EQ(read_text_file(scratch("two")), "GET /two 0");
  EXPECT_EQ(read_text_file(scratch("three")), "GET /three 0");
  auto seen = upstream.wait_requests(3, soon());
  ASSERT_TRUE(seen);
  EXPECT_EQ((*seen)[2].message.target, "/three");

  ASSERT_TRUE(proxy_.terminate(stretched(seconds(10))));
  EXPECT_TRUE(contains(proxy_.log(), "tls listeners: 1 handshakes (0 resumed), 0 failed"))
      << proxy_.log();
}

// Bytes that are not a usable ClientHello end in a closed connection, never an upstream request:
// a handshake record whose ClientHello is cut short inside, and binary bytes that are neither
// TLS nor HTTP. The listener keeps serving, and both count as failed handshakes.
TEST_F(TerminationTest, GarbageInsteadOfClientHelloIsClosed) {
  HttpUpstream upstream(reply_with("ok\n"));
  start_https(upstream);
  if (HasFatalFailure()) return;
  const std::string inputs[] = {
      std::string("\x16\x03\x01\x00\x08\x01\x00\x00\x04\x03\x03\x00\x00", 13),
      std::string("\x00\x01\x02\x03\xff\xfe\xfd\xfc garbage\r\n\r\n", 20)};
  for (const std::string& bytes : inputs) {
    Fd fd = connect_tcp(port_, soon());
    ASSERT_TRUE(fd.valid());
    ASSERT_TRUE(send_all(fd.get(), bytes, soon()).ok());
    std::string got;
    IoResult closed = recv_until_closed(fd.get(), got, 4096, soon());
    EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
        << closed.describe();
    EXPECT_EQ(got.find("HTTP/1.1"), std::string::npos) << got;
  }
  CurlResult r = curl_https("a.test", port_, "/");
  EXPECT_EQ(r.http_code, 200) << r.describe();
  EXPECT_EQ(upstream.request_count(), 1u);
  ASSERT_TRUE(proxy_.terminate(stretched(seconds(10))));
  EXPECT_TRUE(contains(proxy_.log(), "tls listeners: 3 handshakes (0 resumed), 2 failed"))
      << proxy_.log();
}

// SIGTERM after TLS handshakes: a clean exit. Under AddressSanitizer this also checks that the
// process frees what TLS allocated (ProxyProcess fails the test on a LeakSanitizer report).
TEST_F(TerminationTest, GracefulShutdownAfterHandshakesIsClean) {
  HttpUpstream upstream(reply_with("ok\n"));
  start_https(upstream);
  if (HasFatalFailure()) return;
  CurlResult r = curl_https("a.test", port_, "/", {"--tlsv1.3"});
  ASSERT_EQ(r.http_code, 200) << r.describe();
  std::optional<ExitStatus> exit = proxy_.terminate(stretched(seconds(10)));
  ASSERT_TRUE(exit) << "ringress did not exit after SIGTERM";
  EXPECT_TRUE(exit->success()) << exit->describe();
  EXPECT_FALSE(contains(proxy_.log(), "LeakSanitizer")) << proxy_.log();
}

// Plain HTTP to the TLS port: the fixed 400 (never an upstream request), then the close.
TEST_F(TerminationTest, PlainHttpToTlsPortGets400) {
  HttpUpstream upstream(reply_with("must not be reached\n"));
  start_https(upstream);
  if (HasFatalFailure()) return;
  HttpClient c(port_);
  ASSERT_TRUE(c.connected());
  HttpMessage r = c.round_trip(get_request("/plain"), soon());
  ASSERT_TRUE(has_status(r, 400));
  EXPECT_EQ(r.head,
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 47\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_EQ(r.body, "This port speaks TLS: use https:// to connect.\n");
  std::string extra;
  IoResult closed = c.wait_closed(soon(), &extra);
  EXPECT_TRUE(closed.status == IoResult::kEof || closed.status == IoResult::kReset)
      << closed.describe();
  EXPECT_EQ(extra, "");
  EXPECT_EQ(upstream.request_count(), 0u);
  EXPECT_EQ(upstream.accepted(), 0u);

  // curl with http:// sees the same reply.
  CurlResult cr = run_curl({"http://127.0.0.1:" + std::to_string(port_) + "/plain"});
  EXPECT_EQ(cr.http_code, 400) << cr.describe();
  EXPECT_EQ(cr.body, "This port speaks TLS: use https:// to connect.\n");
}

// A 5 MiB response of a known pattern crosses the TLS connection unchanged (many records, partial
// reads on the client side).
TEST_F(TerminationTest, LargeResponseBody) {
  const uint64_t size = scaled_bytes(5 << 20);
  constexpr uint64_t kSeed = 71;
  HttpUpstream upstream([size](const UpstreamRequest&) {
    UpstreamReply reply;
    reply.bytes = response_bytes(200, "OK", {{"Content-Length", std::to_string(size)}}, "", false);
    reply.pattern_bytes = size;
    reply.pattern_seed = kSeed;
    return reply;
  });
  start_https(upstream);
  if (HasFatalFailure()) return;
  CurlResult r = curl_https("a.test", port_, "/big", {"--tlsv1.3"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.http_code, 200);
  ASSERT_EQ(r.body.size(), size);
  Pattern expected(kSeed);
  EXPECT_TRUE(expected.check(reinterpret_cast<const uint8_t*>(r.body.data()), r.body.size()))
      << "first wrong byte at " << *expected.first_mismatch();
}

// A 5 MiB POST body of a known pattern reaches the upstream unchanged, over TLS 1.2 and 1.3.
TEST_F(TerminationTest, LargeRequestBody) {
  const uint64_t size = scaled_bytes(5 << 20);
  constexpr uint64_t kSeed = 72;
  const std::string body = pattern_text(kSeed, size);
  Digest digest;
  digest.update(body.data(), body.size());
  ASSERT_TRUE(write_file(scratch("body"), body));
  HttpUpstream upstream([](const UpstreamRequest& r) {
    UpstreamReply reply;
    reply.bytes = ok_response("received " + std::to_string(r.message.body_size) + "\n");
    return reply;
  });
  start_https(upstream);
  if (HasFatalFailure()) return;
  size_t index = 0;
  for (const std::vector<std::string>& version :
       {std::vector<std::string>{"--tls-max", "1.2"}, std::vector<std::string>{"--tlsv1.3"}}) {
    std::vector<std::string> args{"--data-binary", "@" + scratch("body"), "-H",
                                  "Content-Type: application/octet-stream"};
    args.insert(args.end(), version.begin(), version.end());
    CurlResult r = curl_https("a.test", port_, "/upload", args);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.http_code, 200) << r.describe();
    EXPECT_EQ(r.body, "received " + std::to_string(size) + "\n");
    auto seen = upstream.wait_requests(index + 1, soon());
    ASSERT_TRUE(seen);
    const HttpMessage& up = (*seen)[index].message;
    EXPECT_TRUE(up.ok()) << up.describe();
    EXPECT_EQ(up.method, "POST");
    EXPECT_EQ(up.body_size, size);
    EXPECT_EQ(up.body_digest, digest.value()) << "the body arrived changed";
    ++index;
  }
}

}  // namespace
}  // namespace ringress::test
