// path_normalize target: the first byte picks the options (normalize_path, merge_slashes,
// escaped_slashes), the rest is a request path. Checks what the router and the upstream rely on
// (http/path_normalize.h): the result starts with '/', is never longer than the input, is
// stable under a second pass, and holds nothing a later resolver would read differently: no
// dot segment, no "//" when merging, no backslash, no encoded unreserved character and no
// lower-case or broken percent-encoding when normalizing, no encoded slash when unescaping. The
// path is a heap copy of exactly its length, so AddressSanitizer sees any read past it.
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "core/arena.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_targets.h"
#include "http/path_normalize.h"

namespace ringress::fuzz {
namespace {

bool is_hex_upper(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int hex(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }

void check_form(std::string_view p, const http::PathNormalization& o, const std::string& shown) {
  FUZZ_CHECK(!p.empty() && p.front() == '/', "result " + shown + " does not start with '/'");
  if (o.merge_slashes)
    FUZZ_CHECK(p.find("//") == std::string_view::npos, "result " + shown + " holds \"//\"");
  if (!o.normalize) return;
  FUZZ_CHECK(p.find('\\') == std::string_view::npos, "result " + shown + " holds a backslash");
  std::size_t start = 1;
  for (;;) {
    std::size_t end = p.find('/', start);
    std::string_view seg = p.substr(start, end == std::string_view::npos ? end : end - start);
    FUZZ_CHECK(seg != "." && seg != "..", "result " + shown + " holds a dot segment");
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '%') continue;
    FUZZ_CHECK(i + 2 < p.size() && is_hex_upper(p[i + 1]) && is_hex_upper(p[i + 2]),
               "result " + shown + " holds a broken or lower-case percent-encoding");
    const auto v = static_cast<unsigned char>(hex(p[i + 1]) * 16 + hex(p[i + 2]));
    FUZZ_CHECK(!unreserved(v), "result " + shown + " holds an encoded unreserved character");
    if (o.escaped_slashes == http::EscapedSlashes::unescape)
      FUZZ_CHECK(v != '/' && v != '\\', "result " + shown + " holds an encoded slash");
  }
}

}  // namespace

void path_normalize(const uint8_t* data, std::size_t size) {
  if (size == 0) return;
  http::PathNormalization o;
  o.normalize = (data[0] & 1) == 0;
  o.merge_slashes = (data[0] & 2) == 0;
  const int es = (data[0] >> 2) % 3;
  o.escaped_slashes = es == 0   ? http::EscapedSlashes::keep
                      : es == 1 ? http::EscapedSlashes::reject
                                : http::EscapedSlashes::unescape;
  const std::size_t n = size - 1;
  std::unique_ptr<char[]> copy(new char[n ? n : 1]);
  if (n) std::memcpy(copy.get(), data + 1, n);
  const std::string_view in(copy.get(), n);

  core::Arena arena;
  const http::NormalizedPath a = http::normalize_path(in, o, arena);
  if (a.error != http::PathError::none) {
    FUZZ_CHECK(a.error != http::PathError::escaped_slash ||
                   o.escaped_slashes == http::EscapedSlashes::reject,
               "an encoded slash refused without escaped_slashes = reject");
    FUZZ_CHECK(a.error != http::PathError::bad_percent_encoding || o.normalize,
               "a percent-encoding refused without normalize_path");
    return;
  }
  if (in.empty() || in.front() != '/') {
    FUZZ_CHECK(a.path.data() == in.data() && a.path.size() == in.size(),
               "a path that is not origin-form was changed");
    return;
  }
  const std::string shown = "\"" + std::string(a.path) + "\" of \"" + std::string(in) + "\"";
  FUZZ_CHECK(a.path.size() <= in.size(), "result " + shown + " is longer than its input");
  check_form(a.path, o, shown);
  const std::string first(a.path);
  const http::NormalizedPath b = http::normalize_path(first, o, arena);
  FUZZ_CHECK(b.error == http::PathError::none && b.path == first,
             "a second pass changes " + shown + " to \"" + std::string(b.path) + "\"");
}

}  // namespace ringress::fuzz
