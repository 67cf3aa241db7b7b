// RE2 for the router: compiled at config load (a bad pattern throws std::invalid_argument, naming
// where it came from), matched per request without allocation (full matches run on RE2's DFA,
// whose state cache is warmed by the first requests and then reused).
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

namespace ringress::http::routing {

// The options every router regex is compiled with (RE2's defaults, errors not logged).
RE2::Options regex_options();

// `what` names the pattern's place in errors ("route 'api' path regex").
std::unique_ptr<RE2> compile_regex(const std::string& pattern, std::string_view what);

// Whether the whole of `text` matches.
inline bool full_match(const RE2& re, std::string_view text) {
  return re.Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::ANCHOR_BOTH,
                  nullptr, 0);
}

// A string every text that `pattern` (a valid RE2 pattern) fully matches starts with:
// "/api/v1/" for "/api/v1/[0-9]+", "" when there is none ("(?i)/api", ".*\.png"). At most
// `max_length` bytes. Computed from RE2::PossibleMatchRange (every full match lies between its
// min and max, so it starts with their common prefix) on a throwaway compile of the pattern:
// the automaton that builds is not kept by the regex the router matches with.
std::string literal_prefix(const std::string& pattern, int max_length = 128);

}  // namespace ringress::http::routing
