#include "http/path_rewrite.h"

#include <stdexcept>
#include <string>

#include "http/route_matcher.h"

namespace ringress::http::routing {
namespace {

// The byte length of the UTF-8 character starting with `lead` (1 for a stray byte), so an empty
// match never splits a character when the search moves past it.
std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0) return lead < 0xF0 ? 3 : 1;
  if (lead >= 0xC0) return 2;
  return 1;
}

}  // namespace

PathParts replace_matched_prefix(const conf::Route& route, std::string_view path,
                                 std::string_view replacement) {
  switch (route.path_match) {
    case conf::PathMatch::prefix:
      if (!path.starts_with(route.path)) return {{}, path};
      return {replacement, path.substr(route.path.size())};
    case conf::PathMatch::path_prefix: {
      std::string_view prefix = trim_trailing_slashes(route.path);
      if (!path.starts_with(prefix)) return {{}, path};
      return {trim_trailing_slashes(replacement), path.substr(prefix.size())};
    }
    case conf::PathMatch::exact:
    case conf::PathMatch::regex:
      return {replacement, {}};
  }
  return {{}, path};
}

Substitution::Substitution(std::string_view text, const RE2& re) {
  std::size_t literal_start = 0;
  auto flush = [&](std::size_t end) {
    if (end > literal_start)
      pieces_.push_back({text.substr(literal_start, end - literal_start), -1});
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') continue;
    flush(i);
    if (i + 1 == text.size()) {
      throw std::invalid_argument("regex_rewrite substitution \"" + std::string(text) +
                                  "\" ends in a lone backslash");
    }
    char c = text[i + 1];
    if (c == '\\') {
      literal_start = i + 1;  // the second backslash starts the next literal
    } else if (c >= '0' && c <= '9') {
      int group = c - '0';
      if (group > re.NumberOfCapturingGroups()) {
        throw std::invalid_argument("regex_rewrite substitution \"" + std::string(text) +
                                    "\" refers to group " + std::to_string(group) + ", but \"" +
                                    re.pattern() + "\" has " +
                                    std::to_string(re.NumberOfCapturingGroups()));
      }
      pieces_.push_back({{}, group});
      if (group + 1 > groups_) groups_ = group + 1;
      literal_start = i + 2;
    } else {
      throw std::invalid_argument("regex_rewrite substitution \"" + std::string(text) + "\": \\" +
                                  std::string(1, c) + " is not \\0..\\9 or \\\\");
    }
    ++i;
  }
  flush(text.size());
  if (groups_ == 0) groups_ = 1;  // the whole match, to know where it ends
}

int Substitution::replace_all(const RE2& re, std::string_view path, ArenaWriter& out) const {
  re2::StringPiece text(path.data(), path.size());
  re2::StringPiece groups[10];
  std::size_t pos = 0;                            // where the search resumes
  std::size_t copied = 0;                         // path[0, copied) is already written
  std::size_t last_end = std::string_view::npos;  // end of the previous match
  int count = 0;
  while (pos <= path.size()) {
    if (!re.Match(text, pos, path.size(), RE2::UNANCHORED, groups, groups_)) break;
    std::size_t start = groups[0].data() - path.data();
    std::size_t end = start + groups[0].size();
    if (start == end && start == last_end) {
      // An empty match where the previous one ended: step over one character and search again.
      pos += pos < path.size() ? utf8_length(static_cast<unsigned char>(path[pos])) : 1;
      if (pos > path.size()) pos = path.size() + 1;
      continue;
    }
    out.append(path.substr(copied, start - copied));
    for (const Piece& p : pieces_) {
      out.append(p.group < 0 ? p.literal
                             : std::string_view(groups[p.group].data(), groups[p.group].size()));
    }
    copied = end;
    pos = end;
    last_end = end;
    ++count;
  }
  if (count > 0) out.append(path.substr(copied));
  return count;
}

}  // namespace ringress::http::routing
