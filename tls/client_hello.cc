// Two passes. The record layer is walked first, only far enough to learn whether the whole
// ClientHello handshake message has arrived (and to reject non-TLS input after a few bytes). Once
// it has, the message body is parsed from one contiguous view: the record's own bytes in the usual
// single-record case, or a stack copy of the fragments when the message spans several records.
// Every read goes through Reader, which checks lengths before touching a byte.
#include "tls/client_hello.h"

#include <algorithm>
#include <array>

namespace ringress::tls {
namespace {

constexpr uint8_t kContentTypeHandshake = 22;
constexpr uint8_t kHandshakeTypeClientHello = 1;
constexpr std::size_t kRecordHeaderBytes = 5;
constexpr std::size_t kHandshakeHeaderBytes = 4;
constexpr std::size_t kMaxRecordPayload = 16 * 1024;  // 2^14, RFC 8446 section 5.1
constexpr std::size_t kMaxSessionIdBytes = 32;
constexpr std::size_t kMaxHostNameBytes = 255;
constexpr uint16_t kExtServerName = 0;
constexpr uint16_t kExtAlpn = 16;
constexpr uint16_t kExtSupportedVersions = 43;
constexpr uint8_t kNameTypeHostName = 0;
constexpr uint16_t kTls13 = 0x0304;

uint8_t byte_at(std::string_view s, std::size_t i) { return static_cast<uint8_t>(s[i]); }

// Big-endian reads from a contiguous view. A failed read leaves the position unchanged and
// returns false; callers turn that into kMalformed.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  bool empty() const { return pos_ == data_.size(); }

  bool u8(uint8_t& v) {
    if (data_.size() - pos_ < 1) return false;
    v = byte_at(data_, pos_);
    pos_ += 1;
    return true;
  }
  bool u16(uint16_t& v) {
    if (data_.size() - pos_ < 2) return false;
    v = static_cast<uint16_t>(byte_at(data_, pos_) << 8 | byte_at(data_, pos_ + 1));
    pos_ += 2;
    return true;
  }
  bool bytes(std::size_t n, std::string_view& v) {
    if (data_.size() - pos_ < n) return false;
    v = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // A vector with a 1- or 2-byte length prefix (opaque x<..2^8-1> / <..2^16-1>).
  bool vec8(std::string_view& v) {
    const std::size_t start = pos_;
    uint8_t n = 0;
    if (u8(n) && bytes(n, v)) return true;
    pos_ = start;
    return false;
  }
  bool vec16(std::string_view& v) {
    const std::size_t start = pos_;
    uint16_t n = 0;
    if (u16(n) && bytes(n, v)) return true;
    pos_ = start;
    return false;
  }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

void reset(ClientHelloInfo& out) {
  out.server_name.clear();
  out.alpn.clear();
  out.legacy_version = 0;
  out.supports_tls13 = false;
}

bool is_host_name_byte(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

// server_name (RFC 6066 section 3). Like OpenSSL, only a list holding exactly one host_name is
// accepted: no other name type was ever defined, and a second name would be ambiguous.
bool parse_server_name(std::string_view data, ClientHelloInfo& out) {
  Reader ext(data);
  std::string_view list;
  if (!ext.vec16(list) || !ext.empty()) return false;
  Reader names(list);
  uint8_t type = 0;
  std::string_view name;
  if (!names.u8(type) || type != kNameTypeHostName || !names.vec16(name) || !names.empty()) {
    return false;
  }
  if (name.empty() || name.size() > kMaxHostNameBytes) return false;
  for (const char c : name) {
    if (!is_host_name_byte(static_cast<uint8_t>(c))) return false;
  }
  out.server_name.assign(name);
  for (char& c : out.server_name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return true;
}

// application_layer_protocol_negotiation (RFC 7301 section 3.1): a non-empty list of non-empty
// names. Names are kept as sent; they are opaque bytes.
bool parse_alpn(std::string_view data, ClientHelloInfo& out) {
  Reader ext(data);
  std::string_view list;
  if (!ext.vec16(list) || !ext.empty() || list.empty()) return false;
  Reader protocols(list);
  while (!protocols.empty()) {
    std::string_view protocol;
    if (!protocols.vec8(protocol) || protocol.empty()) return false;
    out.alpn.emplace_back(protocol);
  }
  return true;
}

// supported_versions in a ClientHello (RFC 8446 section 4.2.1): ProtocolVersion versions<2..254>.
bool parse_supported_versions(std::string_view data, ClientHelloInfo& out) {
  Reader ext(data);
  std::string_view list;
  if (!ext.vec8(list) || !ext.empty() || list.size() < 2 || list.size() % 2 != 0) return false;
  Reader versions(list);
  uint16_t version = 0;
  while (versions.u16(version)) {
    if (version == kTls13) out.supports_tls13 = true;
  }
  return true;
}

// The ClientHello body (RFC 8446 section 4.1.2; RFC 5246 section 7.4.1.2 for TLS 1.2 and older,
// where the extensions block may be absent). Every vector must exactly fill its parent.
HelloStatus parse_body(std::string_view body, ClientHelloInfo& out) {
  Reader r(body);
  uint16_t legacy_version = 0;
  std::string_view random, session_id, cipher_suites, compression_methods;
  if (!r.u16(legacy_version) || !r.bytes(32, random) || !r.vec8(session_id) ||
      session_id.size() > kMaxSessionIdBytes || !r.vec16(cipher_suites) ||
      cipher_suites.size() < 2 || cipher_suites.size() % 2 != 0 || !r.vec8(compression_methods) ||
      compression_methods.empty()) {
    return HelloStatus::kMalformed;
  }
  out.legacy_version = legacy_version;
  if (r.empty()) return HelloStatus::kComplete;

  std::string_view extensions;
  if (!r.vec16(extensions) || !r.empty()) return HelloStatus::kMalformed;
  // Duplicates are rejected for the extensions read here: were the proxy to route on one copy
  // and the upstream to honour another, the routing decision could be steered.
  bool seen_server_name = false;
  bool seen_alpn = false;
  bool seen_supported_versions = false;
  Reader exts(extensions);
  while (!exts.empty()) {
    uint16_t type = 0;
    std::string_view data;
    if (!exts.u16(type) || !exts.vec16(data)) return HelloStatus::kMalformed;
    bool ok = true;
    switch (type) {
      case kExtServerName:
        ok = !seen_server_name && parse_server_name(data, out);
        seen_server_name = true;
        break;
      case kExtAlpn:
        ok = !seen_alpn && parse_alpn(data, out);
        seen_alpn = true;
        break;
      case kExtSupportedVersions:
        ok = !seen_supported_versions && parse_supported_versions(data, out);
        seen_supported_versions = true;
        break;
      default:
        break;
    }
    if (!ok) return HelloStatus::kMalformed;
  }
  return HelloStatus::kComplete;
}

// Checks the record header at `at`, as far as it has arrived, and sets `length` when all of it
// has. A header that is wrong is kNotTls for the first record and kMalformed after that.
HelloStatus read_record_header(std::string_view in, std::size_t at, bool first,
                               std::size_t& length) {
  const HelloStatus wrong = first ? HelloStatus::kNotTls : HelloStatus::kMalformed;
  const std::size_t have = in.size() - at;
  if (have < 1) return HelloStatus::kNeedMore;
  if (byte_at(in, at) != kContentTypeHandshake) return wrong;  // also SSLv2's 0x80 length byte
  if (have < 2) return HelloStatus::kNeedMore;
  if (byte_at(in, at + 1) != 3) return wrong;
  if (have < 3) return HelloStatus::kNeedMore;
  const uint8_t minor = byte_at(in, at + 2);  // TLS 1.0 (0x0301) to TLS 1.3 (0x0304)
  if (minor < 1 || minor > 4) return wrong;
  if (have < kRecordHeaderBytes) return HelloStatus::kNeedMore;
  length = static_cast<std::size_t>(byte_at(in, at + 3)) << 8 | byte_at(in, at + 4);
  // Zero-length handshake fragments are forbidden (RFC 8446 section 5.1).
  if (length == 0 || length > kMaxRecordPayload) return HelloStatus::kMalformed;
  return HelloStatus::kComplete;
}

// Copies the `total` handshake bytes out of records that the framing pass has already checked
// and found complete, then parses the body.
HelloStatus parse_fragmented(std::string_view in, std::size_t total, ClientHelloInfo& out) {
  std::array<char, kHandshakeHeaderBytes + kMaxClientHelloLength> message;
  std::size_t copied = 0;
  std::size_t at = 0;
  while (copied < total && in.size() - at >= kRecordHeaderBytes) {
    const std::size_t length =
        static_cast<std::size_t>(byte_at(in, at + 3)) << 8 | byte_at(in, at + 4);
    const std::size_t n = std::min({length, total - copied, in.size() - at - kRecordHeaderBytes});
    std::copy_n(in.data() + at + kRecordHeaderBytes, n, message.data() + copied);
    copied += n;
    at += kRecordHeaderBytes + length;
    if (at > in.size()) break;
  }
  if (copied != total) return HelloStatus::kMalformed;  // unreachable after the framing pass
  return parse_body(
      std::string_view(message.data() + kHandshakeHeaderBytes, total - kHandshakeHeaderBytes), out);
}

}  // namespace

HelloStatus parse_client_hello(std::string_view bytes, ClientHelloInfo& out) {
  reset(out);
  // Bytes from kMaxClientHelloBytes on are never looked at; needing them is a verdict.
  const std::string_view in = bytes.substr(0, kMaxClientHelloBytes);
  const HelloStatus need_more =
      in.size() == kMaxClientHelloBytes ? HelloStatus::kMalformed : HelloStatus::kNeedMore;

  std::array<uint8_t, kHandshakeHeaderBytes> header{};
  std::size_t seen = 0;   // handshake bytes in the records walked so far
  std::size_t total = 0;  // handshake header + body length; 0 until the header has arrived
  std::size_t records = 0;
  for (std::size_t at = 0;; ++records) {
    std::size_t length = 0;
    const HelloStatus status = read_record_header(in, at, records == 0, length);
    if (status == HelloStatus::kNeedMore) return need_more;
    if (status != HelloStatus::kComplete) return status;
    const std::size_t fragment = at + kRecordHeaderBytes;
    const std::size_t available = std::min(length, in.size() - fragment);

    for (std::size_t i = 0; i < available && seen + i < kHandshakeHeaderBytes; ++i) {
      header[seen + i] = byte_at(in, fragment + i);
    }
    if (seen + available >= 1 && header[0] != kHandshakeTypeClientHello) {
      return HelloStatus::kMalformed;
    }
    if (total == 0 && seen + available >= kHandshakeHeaderBytes) {
      const std::size_t body = static_cast<std::size_t>(header[1]) << 16 |
                               static_cast<std::size_t>(header[2]) << 8 | header[3];
      if (body > kMaxClientHelloLength) return HelloStatus::kMalformed;
      total = kHandshakeHeaderBytes + body;
    }
    // The ClientHello is the client's whole first flight: its last record ends where it does.
    if (total != 0 && length > total - seen) return HelloStatus::kMalformed;

    seen += available;
    if (total != 0 && seen == total) break;
    if (available < length) return need_more;
    at = fragment + length;
  }

  HelloStatus status = records == 0
                           ? parse_body(in.substr(kRecordHeaderBytes + kHandshakeHeaderBytes,
                                                  total - kHandshakeHeaderBytes),
                                        out)
                           : parse_fragmented(in, total, out);
  if (status != HelloStatus::kComplete) reset(out);
  return status;
}

}  // namespace ringress::tls
