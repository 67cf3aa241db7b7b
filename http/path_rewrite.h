// Path rewriting for the router: replacing the part of a path that a route matched
// (prefix_rewrite, a redirect's prefix) and regex substitution (regex_rewrite). Substitutions are
// split into pieces at config load; results are written into the request's Arena.
#pragma once

#include <re2/re2.h>

#include <string_view>
#include <vector>

#include "conf/http_config.h"
#include "core/arena.h"

namespace ringress::http::routing {

// Builds one string in an Arena from pieces, growing the latest allocation in place when it can.
class ArenaWriter {
 public:
  explicit ArenaWriter(core::Arena& arena) : arena_(arena) {}
  void append(std::string_view s) {
    if (s.empty()) return;
    text_ = text_.empty() ? arena_.copy(s) : arena_.extend(text_, s);
  }
  std::string_view text() const { return text_; }

 private:
  core::Arena& arena_;
  std::string_view text_;
};

// A path split where a route's matched prefix was replaced: the result is head + tail, or "/"
// when both are empty.
struct PathParts {
  std::string_view head;  // the replacement
  std::string_view tail;  // the rest of the request path
};
// What replacing the part of `path` that `route` matched with `replacement` gives:
// - prefix: the first route.path.size() bytes are replaced (plain string prefix, as Envoy);
// - path_prefix: the prefix without trailing slash is replaced, and a trailing slash of the
//   replacement is dropped too, so "/api" + "/v2/" turns "/api/x" into "/v2/x" and "/api" into
//   "/v2"; a replacement of "/" turns "/api/x" into "/x" and "/api" into "/";
// - exact, regex: the whole path is replaced.
// A path that does not start with the route's prefix is kept whole (tail = path, head empty).
PathParts replace_matched_prefix(const conf::Route& route, std::string_view path,
                                 std::string_view replacement);

// A regex_rewrite substitution split at load: literal text and references \0..\9 to groups.
class Substitution {
 public:
  // Throws std::invalid_argument on a bad escape or a reference to a group `re` lacks.
  Substitution(std::string_view text, const RE2& re);

  // Replaces every non-overlapping match of `re` in `path` by the substitution, writing the
  // result to `out`, as RE2::GlobalReplace does (an empty match right after a match is skipped).
  // Returns the number of matches; when 0, nothing was written.
  int replace_all(const RE2& re, std::string_view path, ArenaWriter& out) const;

 private:
  struct Piece {
    std::string_view literal;
    int group;  // -1: literal
  };
  std::vector<Piece> pieces_;
  int groups_ = 0;  // submatches needed: 1 + the highest group referenced
};

}  // namespace ringress::http::routing
