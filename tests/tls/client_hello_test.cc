// ClientHello parsing for SNI passthrough: a real OpenSSL hello, hellos assembled here (split over
// records, with and without each extension), and corrupted ones. The corruption tests are meant
// to run under -fsanitize=address,undefined, which turns any read past the input into a failure.
#include "tls/client_hello.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/openssl_client_hello.h"

namespace ringress::tls {
namespace {

std::string openssl_hello() { return test::openssl_client_hello(); }

// Assembles TLS structures. Every length prefix is written through open()/close(), which number
// them in the order they are opened, so a test can corrupt any one of them by `delta`.
class Writer {
 public:
  // With `absolute`, the corrupted length is set to `delta` (truncated to the field's width).
  Writer(int corrupt = -1, int delta = 0, bool absolute = false)
      : corrupt_(corrupt), delta_(delta), absolute_(absolute) {}

  Writer& u8(unsigned v) {
    out_.push_back(static_cast<char>(v & 0xff));
    return *this;
  }
  Writer& u16(unsigned v) { return u8(v >> 8).u8(v); }
  Writer& raw(std::string_view s) {
    out_.append(s);
    return *this;
  }
  // Starts a vector with a `width`-byte length prefix.
  Writer& open(int width) {
    open_.push_back({out_.size(), width, fields_++});
    out_.append(static_cast<std::size_t>(width), '\0');
    return *this;
  }
  Writer& close() {
    const Open o = open_.back();
    open_.pop_back();
    unsigned length = static_cast<unsigned>(out_.size() - o.at - o.width);
    if (o.index == corrupt_) {
      length = absolute_ ? static_cast<unsigned>(delta_) : length + static_cast<unsigned>(delta_);
    }
    for (int i = 0; i < o.width; ++i) {
      out_[o.at + i] = static_cast<char>(length >> (8 * (o.width - 1 - i)) & 0xff);
    }
    return *this;
  }
  int fields() const { return fields_; }
  const std::string& str() const { return out_; }

 private:
  struct Open {
    std::size_t at;
    int width;
    int index;
  };
  std::string out_;
  std::vector<Open> open_;
  int fields_ = 0;
  int corrupt_;
  int delta_;
  bool absolute_;
};

using Extension = std::function<void(Writer&)>;

Extension server_name(std::string_view name, unsigned name_type = 0) {
  return [name = std::string(name), name_type](Writer& w) {
    w.u16(0).open(2).open(2).u8(name_type).open(2).raw(name).close().close().close();
  };
}

// One server_name extension listing several names.
Extension server_names(std::vector<std::string> names) {
  return [names](Writer& w) {
    w.u16(0).open(2).open(2);
    for (const auto& name : names) w.u8(0).open(2).raw(name).close();
    w.close().close();
  };
}

Extension alpn(std::vector<std::string> protocols) {
  return [protocols](Writer& w) {
    w.u16(16).open(2).open(2);
    for (const auto& p : protocols) w.open(1).raw(p).close();
    w.close().close();
  };
}

Extension supported_versions(std::vector<unsigned> versions) {
  return [versions](Writer& w) {
    w.u16(43).open(2).open(1);
    for (unsigned v : versions) w.u16(v);
    w.close().close();
  };
}

Extension opaque(unsigned type, std::string data) {
  return [type, data](Writer& w) { w.u16(type).open(2).raw(data).close(); };
}

struct Hello {
  std::vector<Extension> extensions = {server_name("example.com"), alpn({"h2", "http/1.1"}),
                                       supported_versions({0x0304, 0x0303})};
  bool extensions_block = true;  // false: a TLS 1.0-era hello with no extensions at all
  unsigned handshake_type = 1;
  unsigned record_version = 0x0301;
  // Sizes of the handshake message fragments; the last record carries whatever is left.
  std::vector<std::size_t> split;

  // The handshake message alone: type, length, body.
  std::string message(Writer& w) const {
    w.u8(handshake_type).open(3);
    w.u16(0x0303).raw(std::string(32, '\x11'));
    w.open(1).raw(std::string(32, '\xaa')).close();
    w.open(2).u16(0x1301).u16(0x1302).u16(0xc02f).close();
    w.open(1).u8(0).close();
    if (extensions_block) {
      w.open(2);
      for (const auto& e : extensions) e(w);
      w.close();
    }
    w.close();
    return w.str();
  }

  // The records carrying the message. Field numbering for corruption: the handshake message's
  // lengths first, then the record lengths.
  std::string bytes(int corrupt = -1, int delta = 0, bool absolute = false) const {
    Writer m(corrupt, delta, absolute);
    const std::string msg = message(m);
    Writer r(corrupt - m.fields(), delta, absolute);
    std::size_t at = 0;
    for (std::size_t i = 0; i <= split.size(); ++i) {
      const std::size_t n = i < split.size() ? split[i] : msg.size() - at;
      r.u8(22).u16(record_version).open(2).raw(std::string_view(msg).substr(at, n)).close();
      at += n;
    }
    return r.str();
  }

  int length_fields() const {
    Writer m;
    message(m);
    return m.fields() + static_cast<int>(split.size()) + 1;
  }
};

HelloStatus parse(std::string_view bytes) {
  ClientHelloInfo info;
  return parse_client_hello(bytes, info);
}

ClientHelloInfo parse_ok(std::string_view bytes) {
  ClientHelloInfo info;
  EXPECT_EQ(parse_client_hello(bytes, info), HelloStatus::kComplete);
  return info;
}

// Re-frames a single-record hello's handshake message into records of the given sizes.
std::string resplit(const std::string& single, std::vector<std::size_t> sizes) {
  const std::string msg = single.substr(5);
  std::string out;
  std::size_t at = 0;
  for (std::size_t i = 0; i <= sizes.size(); ++i) {
    const std::size_t n = i < sizes.size() ? sizes[i] : msg.size() - at;
    out += std::string("\x16\x03\x01", 3);
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
    out += msg.substr(at, n);
    at += n;
  }
  return out;
}

void expect_openssl_fields(const ClientHelloInfo& info) {
  EXPECT_EQ(info.server_name, "example.com");
  EXPECT_EQ(info.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(info.legacy_version, 0x0303);
  EXPECT_TRUE(info.supports_tls13);
}

TEST(ClientHello, ParsesRealOpensslHello) {
  const std::string hello = openssl_hello();
  ASSERT_EQ(hello.size(), 335u);
  expect_openssl_fields(parse_ok(hello));
}

TEST(ClientHello, BytesAfterTheHelloAreNotRead) {
  expect_openssl_fields(parse_ok(openssl_hello() + "\x14\x03\x03\x00\x01\x01 garbage"));
}

TEST(ClientHello, EveryPrefixOfRealHelloNeedsMore) {
  const std::string hello = openssl_hello();
  for (std::size_t n = 0; n < hello.size(); ++n) {
    EXPECT_EQ(parse(std::string_view(hello).substr(0, n)), HelloStatus::kNeedMore) << n;
  }
}

TEST(ClientHello, RealHelloSplitOverTwoAndThreeRecords) {
  const std::string hello = openssl_hello();
  expect_openssl_fields(parse_ok(resplit(hello, {100})));
  expect_openssl_fields(parse_ok(resplit(hello, {100, 100})));
  // Splits inside the handshake header and inside the server name.
  expect_openssl_fields(parse_ok(resplit(hello, {1, 2})));
  expect_openssl_fields(parse_ok(resplit(hello, {3, 120})));
}

TEST(ClientHello, RealHelloInOneByteRecords) {
  const std::string hello = openssl_hello();
  const std::string split = resplit(hello, std::vector<std::size_t>(hello.size() - 6, 1));
  ASSERT_EQ(split.size(), hello.size() + 5 * (hello.size() - 6));
  expect_openssl_fields(parse_ok(split));
}

TEST(ClientHello, EveryPrefixOfSplitHelloNeedsMore) {
  for (const auto& sizes : {std::vector<std::size_t>{2}, {4, 60}, {50, 1, 7}}) {
    const std::string split = resplit(openssl_hello(), sizes);
    expect_openssl_fields(parse_ok(split));
    for (std::size_t n = 0; n < split.size(); ++n) {
      EXPECT_EQ(parse(std::string_view(split).substr(0, n)), HelloStatus::kNeedMore) << n;
    }
  }
}

TEST(ClientHello, BuiltHello) {
  const ClientHelloInfo info = parse_ok(Hello{}.bytes());
  EXPECT_EQ(info.server_name, "example.com");
  EXPECT_EQ(info.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(info.legacy_version, 0x0303);
  EXPECT_TRUE(info.supports_tls13);
}

TEST(ClientHello, BuiltHelloSplitOverTwoAndThreeRecords) {
  for (const auto& split : {std::vector<std::size_t>{10}, {1}, {2}, {3}, {4}, {30, 40}, {1, 1}}) {
    Hello h;
    h.split = split;
    const std::string bytes = h.bytes();
    EXPECT_EQ(parse_ok(bytes).server_name, "example.com") << split.size() << " " << split[0];
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_EQ(parse(std::string_view(bytes).substr(0, n)), HelloStatus::kNeedMore) << n;
    }
  }
}

TEST(ClientHello, AcceptsEveryRecordVersionFromTls10ToTls13) {
  for (unsigned v : {0x0301u, 0x0302u, 0x0303u, 0x0304u}) {
    Hello h;
    h.record_version = v;
    h.split = {20};
    EXPECT_EQ(parse(h.bytes()), HelloStatus::kComplete) << v;
  }
}

TEST(ClientHello, NoServerName) {
  Hello h;
  h.extensions = {alpn({"h2"})};
  const ClientHelloInfo info = parse_ok(h.bytes());
  EXPECT_EQ(info.server_name, "");
  EXPECT_EQ(info.alpn, std::vector<std::string>{"h2"});
  EXPECT_FALSE(info.supports_tls13);
}

TEST(ClientHello, NoExtensionsAtAll) {
  Hello h;
  h.extensions_block = false;
  const ClientHelloInfo info = parse_ok(h.bytes());
  EXPECT_EQ(info.server_name, "");
  EXPECT_TRUE(info.alpn.empty());
  EXPECT_FALSE(info.supports_tls13);
  h.extensions_block = true;
  h.extensions = {};
  EXPECT_EQ(parse_ok(h.bytes()).server_name, "");
}

TEST(ClientHello, AlpnListKeepsOrder) {
  Hello h;
  h.extensions = {alpn({"http/1.1", "h2", "spdy/3.1", std::string("\x00\xff", 2)})};
  EXPECT_EQ(parse_ok(h.bytes()).alpn,
            (std::vector<std::string>{"http/1.1", "h2", "spdy/3.1", std::string("\x00\xff", 2)}));
}

TEST(ClientHello, SupportedVersions) {
  Hello h;
  h.extensions = {supported_versions({0x0a0a, 0x0304, 0x0303})};  // GREASE first
  EXPECT_TRUE(parse_ok(h.bytes()).supports_tls13);
  h.extensions = {supported_versions({0x0303, 0x0302})};
  EXPECT_FALSE(parse_ok(h.bytes()).supports_tls13);
  h.extensions = {opaque(43, std::string("\x03\x03\x04\x03", 4))};  // odd list length
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
  h.extensions = {opaque(43, std::string("\x00", 1))};  // empty list
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
}

TEST(ClientHello, ExtensionsInAnyOrderAmongUnknownOnes) {
  Hello h;
  h.extensions = {opaque(0xfafa, ""), supported_versions({0x0304}),       opaque(23, ""),
                  alpn({"h2"}),       opaque(21, std::string(300, '\0')), server_name("a.b")};
  const ClientHelloInfo info = parse_ok(h.bytes());
  EXPECT_EQ(info.server_name, "a.b");
  EXPECT_EQ(info.alpn, std::vector<std::string>{"h2"});
  EXPECT_TRUE(info.supports_tls13);
}

TEST(ClientHello, LowercasesServerNameAndKeepsTheRest) {
  Hello h;
  h.extensions = {server_name("WWW.Example-1_x.COM.")};
  EXPECT_EQ(parse_ok(h.bytes()).server_name, "www.example-1_x.com.");
}

TEST(ClientHello, ServerNameLengthLimits) {
  Hello h;
  h.extensions = {server_name(std::string(255, 'a'))};
  EXPECT_EQ(parse_ok(h.bytes()).server_name, std::string(255, 'a'));
  h.extensions = {server_name(std::string(256, 'a'))};
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
  h.extensions = {server_name("")};
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
}

TEST(ClientHello, RejectsBadServerNameBytes) {
  for (const std::string& bad : std::vector<std::string>{
           "exa mple.com", "example.com/", "a*b", "a:443", "caf\xc3\xa9.fr", std::string("a\0b", 3),
           "a\r\nb", "a\x7f", "[::1]", "a@b", "a+b", "\xff"}) {
    Hello h;
    h.extensions = {server_name(bad)};
    EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed) << bad;
  }
}

TEST(ClientHello, RejectsDuplicateServerName) {
  Hello h;
  h.extensions = {server_name("a.example"), server_name("b.example")};
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
  h.extensions = {server_name("a.example"), alpn({"h2"}), server_name("a.example")};
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
  h.extensions = {server_names({"a.example", "b.example"})};  // two names in one extension
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
  h.extensions = {server_names({})};  // no names
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
}

TEST(ClientHello, RejectsDuplicateAlpnAndSupportedVersions) {
  Hello h;
  h.extensions = {alpn({"h2"}), alpn({"http/1.1"})};
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
  h.extensions = {supported_versions({0x0304}), supported_versions({0x0303})};
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
}

TEST(ClientHello, OnlyHostNameType) {
  Hello h;
  h.extensions = {server_name("example.com", 1)};
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
}

TEST(ClientHello, RejectsEmptyServerNameAndAlpnExtensions) {
  Hello h;
  h.extensions = {opaque(0, "")};
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
  h.extensions = {opaque(16, "")};
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
  h.extensions = {alpn({})};
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
  h.extensions = {alpn({"h2", ""})};
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kMalformed);
}

TEST(ClientHello, NotTls) {
  EXPECT_EQ(parse("GET / HTTP/1.1\r\n"), HelloStatus::kNotTls);
  EXPECT_EQ(parse("G"), HelloStatus::kNotTls);
  EXPECT_EQ(parse("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), HelloStatus::kNotTls);
  // SSLv2-compatible CLIENT-HELLO: 2-byte length with the high bit set, msg type 1, version 3.1.
  EXPECT_EQ(parse(std::string("\x80\x2e\x01\x03\x01\x00\x15\x00\x00\x00\x10", 11)),
            HelloStatus::kNotTls);
  EXPECT_EQ(parse(std::string("\x16\x03\x00\x00\x30", 5)), HelloStatus::kNotTls);  // SSL 3.0
  EXPECT_EQ(parse(std::string("\x16\x03\x05\x00\x30", 5)), HelloStatus::kNotTls);
  EXPECT_EQ(parse(std::string("\x16\x02", 2)), HelloStatus::kNotTls);
  EXPECT_EQ(parse(std::string("\x17\x03\x03\x00\x10", 5)), HelloStatus::kNotTls);  // app data
  EXPECT_EQ(parse(std::string("\x15\x03\x03\x00\x02", 5)), HelloStatus::kNotTls);  // alert
  Hello h;
  h.record_version = 0x0300;
  EXPECT_EQ(parse(h.bytes()), HelloStatus::kNotTls);
}

TEST(ClientHello, NeedsMoreBeforeTheFirstVerdict) {
  EXPECT_EQ(parse(""), HelloStatus::kNeedMore);
  EXPECT_EQ(parse("\x16"), HelloStatus::kNeedMore);
  EXPECT_EQ(parse("\x16\x03"), HelloStatus::kNeedMore);
  EXPECT_EQ(parse("\x16\x03\x01"), HelloStatus::kNeedMore);
  EXPECT_EQ(parse(std::string("\x16\x03\x01\x00", 4)), HelloStatus::kNeedMore);
  EXPECT_EQ(parse(std::string("\x16\x03\x01\x00\x10", 5)), HelloStatus::kNeedMore);
}

TEST(ClientHello, RejectsOtherHandshakeMessages) {
  Hello h;
  h.handshake_type = 2;  // ServerHello
  const std::string bytes = h.bytes();
  EXPECT_EQ(parse(bytes), HelloStatus::kMalformed);
  EXPECT_EQ(parse(std::string_view(bytes).substr(0, 6)), HelloStatus::kMalformed);
  h.split = {1};
  EXPECT_EQ(parse(std::string_view(h.bytes()).substr(0, 6)), HelloStatus::kMalformed);
}

TEST(ClientHello, RejectsBadRecordLengths) {
  EXPECT_EQ(parse(std::string("\x16\x03\x01\x00\x00", 5)), HelloStatus::kMalformed);
  EXPECT_EQ(parse(std::string("\x16\x03\x01\x40\x01", 5)), HelloStatus::kMalformed);
  EXPECT_EQ(parse(std::string("\x16\x03\x01\xff\xff", 5)), HelloStatus::kMalformed);
}

TEST(ClientHello, LaterRecordsMustBeHandshakeRecordsToo) {
  Hello h;
  h.split = {20};
  std::string bytes = h.bytes();
  const std::size_t second = 5 + 20;
  ASSERT_EQ(bytes[second], 22);
  for (char type : {'\x14', '\x15', '\x17', '\x80'}) {
    std::string b = bytes;
    b[second] = type;
    EXPECT_EQ(parse(b), HelloStatus::kMalformed);
    EXPECT_EQ(parse(std::string_view(b).substr(0, second + 1)), HelloStatus::kMalformed);
  }
  std::string b = bytes;
  b[second + 2] = '\x05';
  EXPECT_EQ(parse(b), HelloStatus::kMalformed);
  b = bytes;
  b[second + 1] = '\x02';
  EXPECT_EQ(parse(b), HelloStatus::kMalformed);
  b = bytes;
  b[second + 3] = b[second + 4] = '\0';  // zero-length fragment
  EXPECT_EQ(parse(b), HelloStatus::kMalformed);
}

TEST(ClientHello, RecordLongerThanTheHelloIsMalformed) {
  Hello h;
  std::string bytes = h.bytes(h.length_fields() - 1, +1);  // the record length
  bytes.push_back('\0');
  EXPECT_EQ(parse(bytes), HelloStatus::kMalformed);
  // Known as soon as the handshake header is in.
  EXPECT_EQ(parse(std::string_view(bytes).substr(0, 9)), HelloStatus::kMalformed);
}

TEST(ClientHello, HandshakeLengthLimit) {
  // A hello of exactly kMaxClientHelloLength, padded with an unknown extension.
  Hello h;
  const std::size_t base = h.bytes().size() - 9;
  h.extensions.push_back(opaque(21, std::string(kMaxClientHelloLength - base - 4, '\0')));
  h.split = {kMaxClientHelloLength};
  const std::string bytes = h.bytes();
  ASSERT_EQ(bytes.size(), 5 + 5 + 4 + kMaxClientHelloLength);
  ASSERT_LE(bytes.size(), kMaxClientHelloBytes);
  EXPECT_EQ(parse_ok(bytes).server_name, "example.com");

  // One byte more is rejected from the handshake header alone.
  h.extensions.back() = opaque(21, std::string(kMaxClientHelloLength - base - 3, '\0'));
  const std::string too_big = h.bytes();
  EXPECT_EQ(parse(too_big), HelloStatus::kMalformed);
  EXPECT_EQ(parse(std::string_view(too_big).substr(0, 9)), HelloStatus::kMalformed);
  EXPECT_EQ(parse(std::string("\x16\x03\x01\x00\x04\x01\xff\xff\xff", 9)), HelloStatus::kMalformed);
}

TEST(ClientHello, NeverNeedsMoreThanMaxClientHelloBytes) {
  // A 4 KiB hello in 1-byte records needs ~24 KiB: rejected once the limit is buffered.
  Hello h;
  h.extensions.push_back(opaque(21, std::string(4000, '\0')));
  Writer m;
  const std::size_t length = h.message(m).size();
  h.split.assign(length - 1, 1);
  const std::string bytes = h.bytes();
  ASSERT_GT(bytes.size(), kMaxClientHelloBytes);
  EXPECT_EQ(parse(std::string_view(bytes).substr(0, kMaxClientHelloBytes - 1)),
            HelloStatus::kNeedMore);
  EXPECT_EQ(parse(std::string_view(bytes).substr(0, kMaxClientHelloBytes)),
            HelloStatus::kMalformed);
  EXPECT_EQ(parse(bytes), HelloStatus::kMalformed);
  // The same hello in fewer records fits.
  h.split = {1000, 1000, 1000};
  EXPECT_EQ(parse_ok(h.bytes()).server_name, "example.com");
}

TEST(ClientHello, RejectsBadBodyFields) {
  // legacy_version, random, session_id, cipher_suites, compression_methods, as raw bodies.
  auto body_hello = [](const std::string& body) {
    Writer w;
    w.u8(22).u16(0x0301).open(2).u8(1).open(3).raw(body).close().close();
    return w.str();
  };
  const std::string head = "\x03\x03" + std::string(32, 'r');
  const std::string suites("\x00\x02\x13\x01", 4);
  const std::string compression("\x01\x00", 2);
  EXPECT_EQ(parse(body_hello(head + '\0' + suites + compression)), HelloStatus::kComplete);
  EXPECT_EQ(parse(body_hello(head + '\x21' + std::string(33, 's') + suites + compression)),
            HelloStatus::kMalformed);  // session_id > 32
  EXPECT_EQ(parse(body_hello(head + '\0' + std::string("\x00\x00", 2) + compression)),
            HelloStatus::kMalformed);  // no cipher suites
  EXPECT_EQ(parse(body_hello(head + '\0' + std::string("\x00\x03\x13\x01\x13", 5) + compression)),
            HelloStatus::kMalformed);  // odd cipher suites length
  EXPECT_EQ(parse(body_hello(head + '\0' + suites + std::string("\x00", 1))),
            HelloStatus::kMalformed);  // no compression methods
  EXPECT_EQ(parse(body_hello(head + '\0' + suites + compression + '\0')),
            HelloStatus::kMalformed);  // one byte of extensions length
  EXPECT_EQ(parse(body_hello(head + '\0' + suites + compression + std::string("\0\0\0", 3))),
            HelloStatus::kMalformed);  // trailing byte after an empty extensions block
  EXPECT_EQ(parse(body_hello("")), HelloStatus::kMalformed);
  EXPECT_EQ(parse(body_hello(head.substr(0, 20))), HelloStatus::kMalformed);
}

// Each length field, one at a time, one too short, one too long, zero and all-ones.
TEST(ClientHello, CorruptEachLengthField) {
  for (const auto& split : {std::vector<std::size_t>{}, {3}, {40, 60}}) {
    Hello h;
    h.split = split;
    const int fields = h.length_fields();
    ASSERT_GE(fields, 15);
    for (int field = 0; field < fields; ++field) {
      for (int delta : {-1, +1}) {
        const std::string bytes = h.bytes(field, delta);
        ASSERT_EQ(bytes.size(), h.bytes().size());
        const HelloStatus status = parse(bytes);
        EXPECT_NE(status, HelloStatus::kComplete) << field << " " << delta;
        EXPECT_NE(status, HelloStatus::kNotTls) << field << " " << delta;
        // With the input padded by a garbage tail, still no hello.
        EXPECT_NE(parse(bytes + std::string(64, '\x16')), HelloStatus::kComplete);
      }
    }
  }
}

TEST(ClientHello, CorruptLengthFieldsToExtremes) {
  for (const auto& split : {std::vector<std::size_t>{}, {40, 60}}) {
    Hello h;
    h.split = split;
    for (int field = 0; field < h.length_fields(); ++field) {
      for (unsigned value : {0x0u, 0x1u, 0xffu, 0xffffu, 0xffffffu}) {
        const std::string bytes = h.bytes(field, static_cast<int>(value), /*absolute=*/true);
        if (bytes == h.bytes()) continue;  // the field already had this value
        const HelloStatus status = parse(bytes);
        EXPECT_TRUE(status == HelloStatus::kMalformed || status == HelloStatus::kNeedMore)
            << field << " " << value;
      }
    }
  }
}

// Every byte of a valid hello, replaced with each of a few values: parse must return some
// status without reading out of bounds (checked by ASan/UBSan), and any kComplete must be
// consistent.
TEST(ClientHello, MutateEveryByte) {
  for (const std::string& hello :
       {openssl_hello(), resplit(openssl_hello(), {3, 150}), Hello{.split = {7, 30}}.bytes()}) {
    for (std::size_t i = 0; i < hello.size(); ++i) {
      for (unsigned v : {0x00u, 0x01u, 0x16u, 0x7fu, 0x80u, 0xffu}) {
        std::string bytes = hello;
        bytes[i] = static_cast<char>(v);
        bytes[i] = bytes[i] == hello[i] ? static_cast<char>(v ^ 0x01) : bytes[i];
        for (std::size_t n : {bytes.size(), i + 1}) {
          ClientHelloInfo info;
          const HelloStatus status = parse_client_hello(std::string_view(bytes.data(), n), info);
          if (status == HelloStatus::kComplete) {
            EXPECT_LE(info.server_name.size(), 255u);
          } else {
            EXPECT_EQ(info.server_name, "");
            EXPECT_TRUE(info.alpn.empty());
          }
        }
      }
    }
  }
}

// The parser must read only the bytes it is given: pass exact-size heap copies of every prefix
// so ASan catches a read one past the end.
TEST(ClientHello, PrefixesAsExactHeapBuffers) {
  const std::string hello = resplit(openssl_hello(), {2, 100});
  for (std::size_t n = 0; n <= hello.size(); ++n) {
    const std::vector<char> copy(hello.begin(), hello.begin() + static_cast<std::ptrdiff_t>(n));
    ClientHelloInfo info;
    EXPECT_EQ(parse_client_hello(std::string_view(copy.data(), copy.size()), info),
              n == hello.size() ? HelloStatus::kComplete : HelloStatus::kNeedMore);
  }
}

TEST(ClientHello, OutputIsResetBetweenCalls) {
  ClientHelloInfo info;
  ASSERT_EQ(parse_client_hello(openssl_hello(), info), HelloStatus::kComplete);
  Hello h;
  h.extensions = {server_name("ok.example"), alpn({"h2"}), server_name("x")};
  EXPECT_EQ(parse_client_hello(h.bytes(), info), HelloStatus::kMalformed);
  EXPECT_EQ(info.server_name, "");
  EXPECT_TRUE(info.alpn.empty());
  EXPECT_EQ(info.legacy_version, 0);
  EXPECT_FALSE(info.supports_tls13);
}

}  // namespace
}  // namespace ringress::tls
