// client_hello target: any bytes as the start of a client's stream on a TLS listener
// (parse_client_hello, and looks_like_http for the plain-HTTP hint). Checks the contract of
// tls/client_hello.h: a verdict other than kNeedMore is final (every prefix of the input gets
// kNeedMore or the same verdict, and the same ClientHelloInfo), kMaxClientHelloBytes bytes always
// get a verdict, and a complete hello's server name is one lowercase host name of 1-255 bytes.
// Each prefix is parsed from a heap copy of exactly its length, so AddressSanitizer sees any
// read past it.
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_targets.h"
#include "tls/client_hello.h"
#include "tls/hello_reader.h"

namespace ringress::fuzz {
namespace {

const char* name(tls::HelloStatus s) {
  switch (s) {
    case tls::HelloStatus::kNeedMore:
      return "kNeedMore";
    case tls::HelloStatus::kComplete:
      return "kComplete";
    case tls::HelloStatus::kNotTls:
      return "kNotTls";
    case tls::HelloStatus::kMalformed:
      return "kMalformed";
  }
  return "?";
}

bool same_info(const tls::ClientHelloInfo& a, const tls::ClientHelloInfo& b) {
  return a.server_name == b.server_name && a.alpn == b.alpn &&
         a.legacy_version == b.legacy_version && a.supports_tls13 == b.supports_tls13;
}

tls::HelloStatus parse_copy(const uint8_t* data, std::size_t n, tls::ClientHelloInfo& info) {
  std::unique_ptr<char[]> copy(new char[n ? n : 1]);
  if (n) std::memcpy(copy.get(), data, n);
  return tls::parse_client_hello(std::string_view(copy.get(), n), info);
}

}  // namespace

void client_hello(const uint8_t* data, std::size_t size) {
  tls::ClientHelloInfo info;
  const tls::HelloStatus status = parse_copy(data, size, info);
  FUZZ_CHECK(size < tls::kMaxClientHelloBytes || status != tls::HelloStatus::kNeedMore,
             std::to_string(size) + " bytes and still kNeedMore");
  if (status == tls::HelloStatus::kComplete) {
    const std::string& sn = info.server_name;
    FUZZ_CHECK(sn.size() <= 255, "server name of " + std::to_string(sn.size()) + " bytes");
    for (char c : sn) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
      FUZZ_CHECK(ok, "server name \"" + sn + "\" holds a character outside [a-z0-9._-]");
    }
    for (const std::string& p : info.alpn)
      FUZZ_CHECK(!p.empty() && p.size() <= 255,
                 "ALPN protocol name of " + std::to_string(p.size()) + " bytes");
  }
  // Prefixes: at every eighth of the input, and byte by byte over the first record header.
  for (std::size_t k = 0; k < 16 && k < size; ++k) {
    const std::size_t n = k < 8 ? k : size * (k - 7) / 9;
    tls::ClientHelloInfo part;
    const tls::HelloStatus s = parse_copy(data, n, part);
    if (s == tls::HelloStatus::kNeedMore) continue;
    FUZZ_CHECK(s == status, "the first " + std::to_string(n) + " bytes get " + name(s) + ", all " +
                                std::to_string(size) + " get " + name(status));
    FUZZ_CHECK(s != tls::HelloStatus::kComplete || same_info(part, info),
               "a prefix gives another ClientHelloInfo");
  }
  (void)tls::looks_like_http(std::string_view(reinterpret_cast<const char*>(data), size));
}

}  // namespace ringress::fuzz
