// Format strings (%VARIABLES%) and the HTTP value syntax conf checks: tokens, header values, host
// names, CIDR blocks.
#include "conf/format_string.h"

#include <gtest/gtest.h>

#include "conf/http_syntax.h"

namespace ringress::conf {
namespace {

// The pieces as "literal|METHOD|REQ(name)|..." for compact comparisons; "!error" on failure.
std::string pieces(std::string_view text) {
  std::string error;
  auto format = parse_format(text, error);
  if (!format) return "!" + error;
  std::string out;
  for (const FormatPiece& p : *format) {
    if (!out.empty()) out += "|";
    if (p.var == FormatVar::literal)
      out += "'" + p.text + "'";
    else if (p.var == FormatVar::request_header || p.var == FormatVar::response_header)
      out += std::string(format_var_name(p.var)) + "(" + p.text + ")";
    else
      out += format_var_name(p.var);
  }
  return out;
}

constexpr std::string_view kKnown =
    "the variables are %START_TIME%, %CLIENT_ADDRESS%, %CLIENT_PORT%, %REQUEST_ID%, %METHOD%, "
    "%PATH%, %PROTOCOL%, %HOST%, %STATUS%, %BYTES_RECEIVED%, %BYTES_SENT%, %DURATION%, "
    "%UPSTREAM_HOST%, %UPSTREAM_CLUSTER%, %ROUTE_NAME%, %RESPONSE_FLAGS%, %RESPONSE_DURATION%, "
    "%RESPONSE_TX_DURATION%, %UPSTREAM_SERVICE_TIME%, %UPSTREAM_CONNECT_TIME%, "
    "%UPSTREAM_REQUEST_ATTEMPT_COUNT%, %REQ(Name)% and %RESP(Name)%, and %% for a literal \"%\"";

TEST(FormatString, LiteralTextIsOnePiece) {
  EXPECT_EQ(pieces("prod"), "'prod'");
  EXPECT_EQ(pieces(""), "");
}

TEST(FormatString, VariablesSplitTheText) {
  EXPECT_EQ(pieces("%METHOD% %PATH%"), "METHOD|' '|PATH");
  EXPECT_EQ(pieces("took %DURATION%ms"), "'took '|DURATION|'ms'");
  EXPECT_EQ(pieces("%STATUS%%BYTES_SENT%"), "STATUS|BYTES_SENT");
}

TEST(FormatString, DoublePercentIsALiteralPercent) {
  EXPECT_EQ(pieces("100%%"), "'100%'");
  EXPECT_EQ(pieces("%%METHOD%%"), "'%METHOD%'");
  EXPECT_EQ(pieces("a %% b %STATUS% c"), "'a % b '|STATUS|' c'");
}

TEST(FormatString, HeaderVariablesTakeAName) {
  EXPECT_EQ(pieces("%REQ(User-Agent)%"), "REQ(User-Agent)");
  EXPECT_EQ(pieces("ua=%REQ(User-Agent)% ct=%RESP(Content-Type)%"),
            "'ua='|REQ(User-Agent)|' ct='|RESP(Content-Type)");
  EXPECT_EQ(pieces("%REQ()%"),
            "!%REQ()% needs a header name in the parentheses, like "
            "%REQ(User-Agent)%");
  EXPECT_EQ(pieces("%RESP(a b)%"),
            "!%RESP(a b)% needs a header name in the parentheses, like "
            "%RESP(User-Agent)%");
}

TEST(FormatString, EveryVariableHasAName) {
  for (int v = static_cast<int>(FormatVar::client_address);
       v <= static_cast<int>(FormatVar::upstream_attempts); ++v) {
    std::string_view name = format_var_name(static_cast<FormatVar>(v));
    ASSERT_FALSE(name.empty()) << v;
    std::string error;
    auto format = parse_format("%" + std::string(name) + "%", error);
    ASSERT_TRUE(format) << error;
    ASSERT_EQ(format->size(), 1u);
    EXPECT_EQ(static_cast<int>(format->at(0).var), v) << name;
  }
}

TEST(FormatString, UnknownVariablesListTheKnownOnes) {
  EXPECT_EQ(pieces("%METOD%"),
            "!unknown variable %METOD% (did you mean \"%METHOD%\"?); " + std::string(kKnown));
  EXPECT_EQ(pieces("%method%"),
            "!unknown variable %method% (did you mean \"%METHOD%\"?); " + std::string(kKnown));
  EXPECT_EQ(pieces("%NOPE%"), "!unknown variable %NOPE%; " + std::string(kKnown));
  EXPECT_EQ(pieces("50% off, 10% more"), "!unknown variable % off, 10%; " + std::string(kKnown));
}

TEST(FormatString, UnclosedPercent) {
  EXPECT_EQ(pieces("100% sure"),
            "!the \"%\" at offset 3 starts a variable that has no closing \"%\"; write %% for a "
            "literal \"%\"");
}

TEST(FormatString, DefaultAccessLogFormatParses) {
  EXPECT_EQ(pieces(kDefaultAccessLogFormat),
            "START_TIME|' '|CLIENT_ADDRESS|' \"'|METHOD|' '|PATH|' '|PROTOCOL|'\" '|STATUS|' '|"
            "BYTES_RECEIVED|' '|BYTES_SENT|' '|DURATION|'ms \"'|UPSTREAM_HOST|'\" '|"
            "RESPONSE_FLAGS");
}

TEST(HttpSyntax, Tokens) {
  EXPECT_TRUE(is_http_token("X-Request-Id"));
  EXPECT_TRUE(is_http_token("GET"));
  EXPECT_TRUE(is_http_token("a!#$%&'*+-.^_`|~9"));
  EXPECT_FALSE(is_http_token(""));
  EXPECT_FALSE(is_http_token("X Env"));
  EXPECT_FALSE(is_http_token("X:Env"));
  EXPECT_FALSE(is_http_token("Ä"));
}

TEST(HttpSyntax, HeaderValues) {
  EXPECT_TRUE(is_header_value(""));
  EXPECT_TRUE(is_header_value("a b\tc \"d\" é"));
  EXPECT_FALSE(is_header_value("a\r\nX-Evil: 1"));
  EXPECT_FALSE(is_header_value(std::string_view("a\0b", 3)));
  EXPECT_FALSE(is_header_value("\x7f"));
}

TEST(HttpSyntax, HostNames) {
  EXPECT_TRUE(is_host_name("example.com"));
  EXPECT_TRUE(is_host_name("web.internal"));
  EXPECT_TRUE(is_host_name("10.0.0.1"));
  EXPECT_TRUE(is_host_name("my_host-1"));
  EXPECT_FALSE(is_host_name(""));
  EXPECT_FALSE(is_host_name("a..b"));
  EXPECT_FALSE(is_host_name(".a"));
  EXPECT_FALSE(is_host_name("a."));
  EXPECT_FALSE(is_host_name("a b"));
  EXPECT_FALSE(is_host_name(std::string(64, 'a') + ".com"));
  EXPECT_TRUE(is_host_header("example.com:8443"));
  EXPECT_TRUE(is_host_header("[::1]"));
  EXPECT_TRUE(is_host_header("[::1]:8080"));
  EXPECT_FALSE(is_host_header("example.com:0"));
  EXPECT_FALSE(is_host_header("example.com:65536"));
  EXPECT_FALSE(is_host_header("example.com:"));
  EXPECT_FALSE(is_host_header("[::1"));
  EXPECT_FALSE(is_host_header("[nope]"));
}

// The canonical block, or "!error".
std::string cidr(std::string_view text) {
  std::string error, meant;
  auto block = parse_cidr(text, error, meant);
  if (block) return *block;
  return "!" + error + (meant.empty() ? "" : " -> " + meant);
}

TEST(HttpSyntax, CidrBlocks) {
  EXPECT_EQ(cidr("10.0.0.0/8"), "10.0.0.0/8");
  EXPECT_EQ(cidr("127.0.0.1"), "127.0.0.1/32");
  EXPECT_EQ(cidr("0.0.0.0/0"), "0.0.0.0/0");
  EXPECT_EQ(cidr("fd00::/8"), "fd00::/8");
  EXPECT_EQ(cidr("FD00:0::/8"), "fd00::/8");
  EXPECT_EQ(cidr("::1"), "::1/128");
  EXPECT_EQ(cidr("10.0.0.1/8"), "!address bits are set after the /8 prefix -> 10.0.0.0/8");
  EXPECT_EQ(cidr("fd00::1/64"), "!address bits are set after the /64 prefix -> fd00::/64");
  EXPECT_EQ(cidr("10.1.2.3/20"), "!address bits are set after the /20 prefix -> 10.1.0.0/20");
  EXPECT_EQ(cidr("10.0.0.0/33"), "!the prefix length after \"/\" must be 0 to 32");
  EXPECT_EQ(cidr("::/129"), "!the prefix length after \"/\" must be 0 to 128");
  EXPECT_EQ(cidr("10.0.0.0/"), "!the prefix length after \"/\" must be 0 to 32");
  EXPECT_EQ(cidr("10.0.0.0/+8"), "!the prefix length after \"/\" must be 0 to 32");
  for (std::string_view bad : {"", "/8", "10.0.0/8", "10.0.0.256", "localhost/8", "10.0.0.0 /8"})
    EXPECT_EQ(cidr(bad),
              "!expected an IPv4 or IPv6 address block like \"10.0.0.0/8\" or \"fd00::/8\"")
        << bad;
}

}  // namespace
}  // namespace ringress::conf
