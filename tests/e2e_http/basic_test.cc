// Plain proxying: method, target and body reach the upstream; the client's header fields keep
// their case and order; the upstream's response comes back byte for byte.
#include <gtest/gtest.h>

#include "tests/e2e_http/http_proxy_test.h"

namespace ringress::test {
namespace {

using BasicProxyTest = HttpProxyTest;
using Fields = std::vector<std::pair<std::string, std::string>>;

// The fields ringress adds on the way upstream (the proxy headers test covers their values).
bool added_by_proxy(const std::string& name) {
  return iequals(name, "x-forwarded-for") || iequals(name, "x-forwarded-proto") ||
         iequals(name, "x-request-id");
}

Fields without_proxy_fields(const HeaderList& headers) {
  Fields out;
  for (const auto& f : headers.fields)
    if (!added_by_proxy(f.first)) out.push_back(f);
  return out;
}

const Fields kResponseFields = {
    {"X-Resp-MiXed", "Value With  Spaces"},
    {"Content-Type", "application/octet-stream"},
    {"set-cookie", "a=1"},
    {"Set-Cookie", "b=2"},
    {"X-EMPTY", ""},
};

UpstreamReply scripted_response(const UpstreamRequest& request) {
  UpstreamReply reply;
  std::string body = "reply to " + request.message.method + " " + request.message.target;
  if (request.message.method == "HEAD") {
    reply.bytes = response_bytes(200, "Fine Thanks", kResponseFields, "", false);
    reply.bytes.insert(reply.bytes.size() - 2, "Content-Length: 1234\r\n");
  } else {
    reply.bytes = response_bytes(200, "Fine Thanks", kResponseFields, body);
  }
  return reply;
}

TEST_F(BasicProxyTest, PostIsForwardedWithExactHeadersAndBody) {
  HttpUpstream upstream(scripted_response);
  ASSERT_TRUE(start(config_for(upstream.port())));

  const std::string body = "field=1&other=" + std::string(3000, 'x') + "\r\n\0end";
  const Fields fields = {{"Host", "Api.Example.COM:8080"},
                         {"X-MiXeD-Case", "v"},
                         {"user-agent", "e2e/1.0"},
                         {"Accept", "*/*"},
                         {"X-Dup", "one"},
                         {"x-dup", "two"},
                         {"Content-Length", std::to_string(body.size())},
                         {"X-After-Length", "tail"}};
  HttpClient c = client();
  ASSERT_TRUE(c.connected());
  HttpMessage r =
      c.round_trip(request_bytes("POST", "/some/Path;p?q=1&r=%20x&q=2", fields, body), soon());
  ASSERT_TRUE(has_status(r, 200));

  auto seen = upstream.wait_requests(1, soon());
  ASSERT_TRUE(seen);
  const HttpMessage& up = (*seen)[0].message;
  ASSERT_TRUE(up.ok()) << up.describe();
  EXPECT_EQ(up.method, "POST");
  EXPECT_EQ(up.target, "/some/Path;p?q=1&r=%20x&q=2");
  EXPECT_EQ(up.version, "HTTP/1.1");
  EXPECT_EQ(up.framing, HttpMessage::Framing::content_length);
  EXPECT_EQ(up.body, body);
  EXPECT_EQ(without_proxy_fields(up.headers), fields) << up.headers.describe();

  // The response: status line (with its reason), every field in order and case, the body.
  EXPECT_EQ(r.version, "HTTP/1.1");
  EXPECT_EQ(r.reason, "Fine Thanks");
  Fields expected = kResponseFields;
  const std::string reply_body = "reply to POST /some/Path;p?q=1&r=%20x&q=2";
  expected.push_back({"Content-Length", std::to_string(reply_body.size())});
  EXPECT_EQ(r.headers.fields, expected) << r.headers.describe();
  EXPECT_EQ(r.body, reply_body);
}

// GET, HEAD, PUT, DELETE and OPTIONS over one connection: each arrives with its method and
// target, and HEAD's response comes back without a body but with its Content-Length.
TEST_F(BasicProxyTest, MethodsAndTargetsAreForwardedAsSent) {
  HttpUpstream upstream(scripted_response);
  ASSERT_TRUE(start(config_for(upstream.port())));
  HttpClient c = client();
  ASSERT_TRUE(c.connected());

  struct Case {
    std::string method, target, body;
  };
  const std::vector<Case> cases = {
      {"GET", "/", ""},          {"HEAD", "/head?x", ""},     {"PUT", "/put/a%2Fb", "put body"},
      {"DELETE", "/item/7", ""}, {"OPTIONS", "/options", ""}, {"PATCH", "/p", "{\"a\":1}"}};
  for (const Case& k : cases) {
    Fields fields = {{"Host", "h"}};
    if (!k.body.empty()) fields.push_back({"Content-Length", std::to_string(k.body.size())});
    HttpClient::ReadOptions options;
    options.head_request = k.method == "HEAD";
    HttpMessage r =
        c.round_trip(request_bytes(k.method, k.target, fields, k.body), soon(), options);
    ASSERT_TRUE(has_status(r, 200)) << k.method;
    if (k.method == "HEAD") {
      EXPECT_EQ(r.header("content-length"), "1234");
      EXPECT_EQ(r.body_size, 0u);
    } else {
      EXPECT_EQ(r.body, "reply to " + k.method + " " + k.target);
    }
  }
  auto seen = upstream.wait_requests(cases.size(), soon());
  ASSERT_TRUE(seen);
  for (size_t i = 0; i < cases.size(); ++i) {
    const HttpMessage& up = (*seen)[i].message;
    EXPECT_TRUE(up.ok()) << up.describe();
    EXPECT_EQ(up.method, cases[i].method);
    EXPECT_EQ(up.target, cases[i].target);
    EXPECT_EQ(up.body, cases[i].body);
  }
  EXPECT_EQ(upstream.accepted(), 1u);
}

}  // namespace
}  // namespace ringress::test
