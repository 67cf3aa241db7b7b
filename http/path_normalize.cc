#include "http/path_normalize.h"

#include <cstring>

#include "conf/http_config.h"
#include "core/hex_digit.h"

namespace ringress::http {

namespace {

char upper_hex(char c) { return (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c; }

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool percent_pass(const PathNormalization& o) {
  return o.normalize || o.escaped_slashes != EscapedSlashes::keep;
}

// Percent-encodings, as the options say. Returns the new length or -1.
long rewrite_percent(char* buf, std::size_t n, const PathNormalization& o, PathError& error) {
  std::size_t w = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const char c = buf[r];
    if (c != '%') {
      buf[w++] = (c == '\\' && o.normalize) ? '/' : c;
      continue;
    }
    const bool two_more = r + 2 < n;
    const int hi = two_more ? core::hex_digit(static_cast<unsigned char>(buf[r + 1])) : -1;
    const int lo = two_more ? core::hex_digit(static_cast<unsigned char>(buf[r + 2])) : -1;
    if (hi < 0 || lo < 0) {
      if (o.normalize) {
        error = PathError::bad_percent_encoding;
        return -1;
      }
      buf[w++] = c;
      continue;
    }
    const auto v = static_cast<unsigned char>(hi * 16 + lo);
    if (v == '/' || v == '\\') {
      if (o.escaped_slashes == EscapedSlashes::reject) {
        error = PathError::escaped_slash;
        return -1;
      }
      if (o.escaped_slashes == EscapedSlashes::unescape) {
        buf[w++] = '/';
        r += 2;
        continue;
      }
    } else if (o.normalize && unreserved(v)) {
      buf[w++] = static_cast<char>(v);
      r += 2;
      continue;
    }
    const char h1 = buf[r + 1], h2 = buf[r + 2];
    buf[w++] = '%';
    buf[w++] = o.normalize ? upper_hex(h1) : h1;
    buf[w++] = o.normalize ? upper_hex(h2) : h2;
    r += 2;
  }
  return static_cast<long>(w);
}

std::size_t merge_slashes(char* buf, std::size_t n) {
  std::size_t w = 0;
  for (std::size_t r = 0; r < n; ++r)
    if (buf[r] != '/' || w == 0 || buf[w - 1] != '/') buf[w++] = buf[r];
  return w;
}

// RFC 3986 5.2.4 for a path that starts with '/': segment by segment, the output never longer
// than what was read, so it is written over the input.
std::size_t remove_dot_segments(char* buf, std::size_t n) {
  std::size_t w = 0;
  std::size_t r = 0;
  while (r < n) {
    const std::size_t start = r + 1;  // buf[r] == '/'
    std::size_t end = start;
    while (end < n && buf[end] != '/') ++end;
    const std::size_t len = end - start;
    const bool last = end == n;
    const bool dot = len == 1 && buf[start] == '.';
    const bool dotdot = len == 2 && buf[start] == '.' && buf[start + 1] == '.';
    if (dot || dotdot) {
      if (dotdot)
        while (w > 0 && buf[--w] != '/') {
        }
      if (last) buf[w++] = '/';
    } else {
      std::memmove(buf + w, buf + r, len + 1);
      w += len + 1;
    }
    r = end;
  }
  if (w == 0) buf[w++] = '/';
  return w;
}

bool needs_work(std::string_view p, const PathNormalization& o) {
  const bool pct = percent_pass(o);
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '%' && pct) return true;
    if (c == '\\' && o.normalize) return true;
    if (c == '/' && i + 1 < p.size()) {
      if (o.merge_slashes && p[i + 1] == '/') return true;
      if (o.normalize && p[i + 1] == '.') return true;
    }
  }
  return false;
}

}  // namespace

PathNormalization path_normalization(const conf::HttpSettings& http) {
  PathNormalization o;
  o.normalize = http.normalize_path;
  o.merge_slashes = http.merge_slashes;
  switch (http.escaped_slashes) {
    case conf::EscapedSlashes::keep:
      o.escaped_slashes = EscapedSlashes::keep;
      break;
    case conf::EscapedSlashes::reject:
      o.escaped_slashes = EscapedSlashes::reject;
      break;
    case conf::EscapedSlashes::unescape:
      o.escaped_slashes = EscapedSlashes::unescape;
      break;
  }
  return o;
}

long normalize_path_in_place(char* buf, std::size_t n, const PathNormalization& o,
                             PathError& error) {
  error = PathError::none;
  if (n == 0 || buf[0] != '/') return static_cast<long>(n);
  if (percent_pass(o)) {
    long m = rewrite_percent(buf, n, o, error);
    if (m < 0) return -1;
    n = static_cast<std::size_t>(m);
  }
  if (o.merge_slashes) n = merge_slashes(buf, n);
  if (o.normalize) n = remove_dot_segments(buf, n);
  return static_cast<long>(n);
}

NormalizedPath normalize_path(std::string_view path, const PathNormalization& o,
                              core::Arena& arena) {
  if (path.empty() || path.front() != '/' || !needs_work(path, o)) return {path};
  char* buf = arena.allocate(path.size());
  std::memcpy(buf, path.data(), path.size());
  PathError error;
  long n = normalize_path_in_place(buf, path.size(), o, error);
  if (n < 0) return {path, error};
  std::string_view out(buf, static_cast<std::size_t>(n));
  return {out == path ? path : out};
}

std::string_view path_error_text(PathError e) {
  switch (e) {
    case PathError::none:
      return "";
    case PathError::bad_percent_encoding:
      return "invalid percent-encoding in the request path\n";
    case PathError::escaped_slash:
      return "encoded slash (%2F or %5C) in the request path\n";
  }
  return "";
}

}  // namespace ringress::http
