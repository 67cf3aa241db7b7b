// normalize_path: the request path as routes see it and the upstream receives it.
//
// Without it, a route that answers `/admin` itself (a 403, say) is bypassed by `/x/../admin`,
// `/%61dmin` or `//admin`, which many upstreams serve as `/admin`: the proxy and the upstream
// disagree about which resource a request names. nginx matches its locations on a normalized
// path; Envoy has `normalize_path` and `merge_slashes`. ringress normalizes once, before the
// filters and the router, and forwards the normalized path, so both sides see the same one.
//
// What is done (RFC 3986 6.2.2, each step optional as configured):
// - a `\` is a `/` (as the WHATWG URL standard reads http URLs, and as Windows servers do);
// - percent-encodings of unreserved characters (ALPHA DIGIT - . _ ~) are decoded, the others
//   written with upper-case hex; a `%` not followed by two hex digits is an error;
// - `%2F` and `%5C` (encoded `/` and `\`) are kept, refused, or decoded to `/` (EscapedSlashes);
// - runs of `/` become one (merge_slashes, as nginx);
// - `.` and `..` segments are removed (RFC 3986 5.2.4; `..` never goes above the root).
// The result is never longer than the input; a path that needs no change costs one scan.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/arena.h"

namespace ringress::conf {
struct HttpSettings;
}

namespace ringress::http {

enum class EscapedSlashes : uint8_t { keep, reject, unescape };

struct PathNormalization {
  bool normalize = true;      // percent-encoding and dot segments
  bool merge_slashes = true;  // "//" -> "/"
  EscapedSlashes escaped_slashes = EscapedSlashes::keep;
};

// The listener's settings (normalize_path, merge_slashes, escaped_slashes).
PathNormalization path_normalization(const conf::HttpSettings& http);

enum class PathError : uint8_t { none, bad_percent_encoding, escaped_slash };

struct NormalizedPath {
  std::string_view path;  // the input itself when nothing changed, else a copy in the arena
  PathError error = PathError::none;
};

// `path` is an origin-form path (starts with '/'); anything else ("*", "") is returned as is.
NormalizedPath normalize_path(std::string_view path, const PathNormalization& options,
                              core::Arena& arena);

// The steps above on a buffer of `n` bytes, in place; returns the new length, or -1 with
// `error` set. (What normalize_path runs on its copy; exposed for tests and the fuzzer.)
long normalize_path_in_place(char* buf, std::size_t n, const PathNormalization& options,
                             PathError& error);

// Why a path was refused, for the 400's body and the log.
std::string_view path_error_text(PathError e);

}  // namespace ringress::http
