#include "http/simple_head.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <cstring>

#include "http/field_names.h"

namespace ringress::http::detail {
namespace {

using Table = std::array<bool, 256>;

constexpr bool in(std::string_view set, int c) {
  return set.find(char(c)) != std::string_view::npos;
}
constexpr bool alnum(int c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr Table kTchar = [] {
  Table t{};
  for (int c = 0; c < 256; ++c) t[c] = alnum(c) || in("!#$%&'*+-.^_`|~", c);
  return t;
}();

// RFC 3986 pchar, '/' and '?': what an origin-form target is made of (no '#', no space).
constexpr Table kTargetChar = [] {
  Table t{};
  for (int c = 0; c < 256; ++c) t[c] = alnum(c) || in("-._~%!$&'()*+,;=:@/?", c);
  return t;
}();

uint8_t byte(const char* p) { return static_cast<uint8_t>(*p); }

// The first byte at or after p that is not printable ASCII (0x20-0x7e), or end: a field value's
// or a reason phrase's bytes, sixteen at a time.
const char* skip_printable(const char* p, const char* end) {
#if defined(__SSE2__)
  // Signed compares: bytes of 0x80 and above are negative, so below 0x20 too.
  const __m128i low = _mm_set1_epi8(0x1f), high = _mm_set1_epi8(0x7f);
  while (end - p >= 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i ok = _mm_and_si128(_mm_cmpgt_epi8(x, low), _mm_cmplt_epi8(x, high));
    const unsigned bad = ~unsigned(_mm_movemask_epi8(ok)) & 0xffffu;
    if (bad) return p + __builtin_ctz(bad);
    p += 16;
  }
#endif
  while (p < end && byte(p) >= 0x20 && byte(p) < 0x7f) ++p;
  return p;
}

bool is_crlf(const char* p, const char* end) {
  return end - p >= 2 && p[0] == '\r' && p[1] == '\n';
}

// A Content-Length value: 1-15 digits (no sign, no list, no whitespace after it).
bool read_length(std::string_view v, uint64_t& out) {
  if (v.empty() || v.size() > 15) return false;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + uint64_t(c - '0');
  }
  out = n;
  return true;
}

// The field lines and the empty line that ends the head, from p. Returns the byte after that
// empty line, or nullptr.
const char* read_fields(const char* p, const char* end, const SimpleHeadLimits& limits,
                        SimpleHead& head, HeaderMap& fields) {
  uint32_t count = 0;
  while (true) {
    if (p == end) return nullptr;
    if (*p == '\r') return is_crlf(p, end) ? p + 2 : nullptr;
    const char* name = p;
    while (p < end && kTchar[byte(p)]) ++p;
    if (p == name || p == end || *p != ':') return nullptr;
    const std::string_view field_name(name, std::size_t(p - name));
    ++p;
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
    const char* value = p;
    while (true) {
      p = skip_printable(p, end);
      if (p == end) return nullptr;
      if (*p != '\t') break;
      ++p;
    }
    if (!is_crlf(p, end)) return nullptr;
    const char* value_end = p;
    p += 2;
    while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t')) --value_end;
    const std::string_view field_value(value, std::size_t(value_end - value));
    if (++count > limits.max_fields) return nullptr;
    const KnownField kind = known_field(field_name);
    head.survey.count(kind, count - 1);
    switch (kind) {
      case KnownField::content_length:
        if (head.has_content_length || value_end != p - 2 ||
            !read_length(field_value, head.content_length))
          return nullptr;
        head.has_content_length = true;
        break;
      case KnownField::transfer_encoding:
        return nullptr;
      default:
        break;
    }
    fields.add(field_name, field_value);
  }
}

constexpr std::array<std::string_view, 7> kMethods = {"GET",    "HEAD",    "POST", "PUT",
                                                      "DELETE", "OPTIONS", "PATCH"};

// "METHOD " for a method of kMethods; the static name, or empty.
std::string_view read_method(const char* p, const char* end) {
  for (std::string_view m : kMethods)
    if (std::size_t(end - p) > m.size() && p[m.size()] == ' ' &&
        std::memcmp(p, m.data(), m.size()) == 0)
      return m;
  return {};
}

constexpr std::string_view kVersionLine = " HTTP/1.1\r\n";
constexpr std::string_view kStatusVersion = "HTTP/1.1 ";

// At most `limit` bytes of [p, p + len).
const char* bounded_end(const char* p, uint32_t len, uint32_t limit) {
  return p + (len < limit ? len : limit);
}

}  // namespace

bool parse_simple_request_head(const char* p, uint32_t len, const SimpleHeadLimits& limits,
                               SimpleHead& head, HeaderMap& fields) {
  const char* const start = p;
  const char* const end = bounded_end(p, len, limits.max_head_bytes);
  head.method = read_method(p, end);
  if (head.method.empty()) return false;
  p += head.method.size() + 1;
  if (p == end || *p != '/') return false;
  const char* target = p;
  while (p < end && kTargetChar[byte(p)]) ++p;
  head.target = {target, std::size_t(p - target)};
  if (head.target.size() > limits.max_target) return false;
  if (std::size_t(end - p) < kVersionLine.size() ||
      std::memcmp(p, kVersionLine.data(), kVersionLine.size()) != 0)
    return false;
  p = read_fields(p + kVersionLine.size(), end, limits, head, fields);
  if (!p) return false;
  head.length = uint32_t(p - start);
  return true;
}

bool parse_simple_response_head(const char* p, uint32_t len, const SimpleHeadLimits& limits,
                                SimpleHead& head, HeaderMap& fields) {
  const char* const start = p;
  const char* const end = bounded_end(p, len, limits.max_head_bytes);
  if (std::size_t(end - p) < kStatusVersion.size() + 4 ||
      std::memcmp(p, kStatusVersion.data(), kStatusVersion.size()) != 0)
    return false;
  p += kStatusVersion.size();
  if (p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' ||
      p[3] != ' ')
    return false;
  head.status = uint16_t((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
  p += 4;
  const char* reason = p;
  p = skip_printable(p, end);
  if (!is_crlf(p, end)) return false;
  head.reason = {reason, std::size_t(p - reason)};
  p = read_fields(p + 2, end, limits, head, fields);
  if (!p) return false;
  head.length = uint32_t(p - start);
  return true;
}

}  // namespace ringress::http::detail
