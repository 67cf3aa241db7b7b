// TLS ClientHello parsing for SNI passthrough (what nginx ssl_preread and HAProxy req.ssl_sni do):
// a TCP listener peeks at the first bytes a client sends, reads the server name (and ALPN) from
// the ClientHello to pick an upstream, then forwards every byte untouched. Nothing is decrypted
// or terminated here; the parser only reads the cleartext handshake records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ringress::tls {

enum class HelloStatus { kNeedMore, kComplete, kNotTls, kMalformed };

struct ClientHelloInfo {
  std::string server_name;        // host_name from SNI, lowercased; empty when absent
  std::vector<std::string> alpn;  // protocol names offered, in order
  uint16_t legacy_version = 0;    // client_version field
  bool supports_tls13 = false;    // supported_versions lists 0x0304
};

// Largest ClientHello accepted, as its handshake length field (the body, without the 4-byte
// handshake header). Real ones are a few hundred bytes to a few KiB.
inline constexpr std::size_t kMaxClientHelloLength = 16 * 1024;

// Upper bound on bytes to buffer before giving up: the largest accepted ClientHello with its
// handshake header, in up to 32 records. parse_client_hello never looks at bytes from this offset
// on: a ClientHello whose records would reach it is kMalformed, so once this many bytes are
// buffered the answer is never kNeedMore.
inline constexpr std::size_t kMaxClientHelloBytes = kMaxClientHelloLength + 4 + 32 * 5;

// Parses the start of a client's byte stream (which may hold more than the ClientHello; only its
// records are read). The ClientHello may be split across several handshake records.
//   kNeedMore:  no verdict yet; call again with the same bytes plus more.
//   kComplete:  `out` describes the ClientHello.
//   kNotTls:    the first record is not a TLS 1.0-1.3 handshake record (e.g. plain HTTP, SSLv2).
//   kMalformed: a TLS handshake, but not a well-formed ClientHello: inconsistent lengths, another
//               message type, a duplicated SNI/ALPN/supported_versions extension, or a server name
//               that is not one host_name of 1-255 bytes of [A-Za-z0-9._-].
// `out` is reset on every call and is meaningful only on kComplete. Never reads outside `bytes`,
// never throws, and allocates only for the strings it stores in `out`.
HelloStatus parse_client_hello(std::string_view bytes, ClientHelloInfo& out);

}  // namespace ringress::tls
