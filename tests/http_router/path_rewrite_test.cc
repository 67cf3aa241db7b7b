// The router's building blocks: regex substitution (checked against RE2::GlobalReplace), prefix
// replacement, query parameter lookup, ArenaWriter.
#include "http/path_rewrite.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "http/route_matcher.h"
#include "http/route_regex.h"
#include "tests/http_router/route_builders.h"

namespace ringress::http::routing {
namespace {

using namespace router_test;

// Our replace_all, or "(none)" when nothing matched.
std::string ours(const std::string& pattern, const std::string& substitution,
                 std::string_view path) {
  auto re = compile_regex(pattern, "test");
  Substitution sub(substitution, *re);
  core::Arena arena(16);
  ArenaWriter out(arena);
  if (sub.replace_all(*re, path, out) == 0) return "(none)";
  return std::string(out.text());
}

std::string theirs(const std::string& pattern, const std::string& substitution,
                   std::string_view path) {
  RE2 re(pattern);
  std::string s(path);
  if (RE2::GlobalReplace(&s, re, substitution) == 0) return "(none)";
  return s;
}

TEST(Substitution, AgreesWithGlobalReplace) {
  struct Case {
    const char* pattern;
    const char* substitution;
    const char* path;
  };
  const Case cases[] = {
      {"one", "two", "/xxx/one/yyy/one/zzz"},
      {"^/service/([^/]+)(/.*)$", "\\2/instance/\\1", "/service/foo/v1/api"},
      {"a*", "-", "baaac"},
      {"", "-", "/ab"},
      {"x*", "[\\0]", "/axxb"},
      {"\\b", "|", "/ab/cd"},
      {"(b)?c", "<\\1>", "/acbc"},
      {"/+", "/", "//a///b/"},
      {"é?", ".", "/aéb"},
      {"^/", "/p/", "/a/b"},
      {"z", "y", "/abc"},
      {"(.)(.)(.)(.)(.)(.)(.)(.)(.)", "\\9\\8\\7\\6\\5\\4\\3\\2\\1", "/abcdefghi"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ours(c.pattern, c.substitution, c.path), theirs(c.pattern, c.substitution, c.path))
        << c.pattern << " -> " << c.substitution << " on " << c.path;
  }
}

TEST(Substitution, RejectsBadEscapesAndMissingGroups) {
  auto re = compile_regex("/(a)", "test");
  EXPECT_THROW(Substitution("\\2", *re), std::invalid_argument);
  EXPECT_THROW(Substitution("\\x", *re), std::invalid_argument);
  EXPECT_THROW(Substitution("/a\\", *re), std::invalid_argument);
  EXPECT_NO_THROW(Substitution("\\1\\0\\\\", *re));
}

TEST(CompileRegex, ThrowsWithThePlaceInTheMessage) {
  try {
    compile_regex("(", "route 7 path regex");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("route 7 path regex: invalid regex \"(\": ", 0), 0u)
        << e.what();
  }
}

TEST(ReplaceMatchedPrefix, EachPathKind) {
  PathParts p = replace_matched_prefix(prefix("/api"), "/api/x", "/v2");
  EXPECT_EQ(p.head, "/v2");
  EXPECT_EQ(p.tail, "/x");
  p = replace_matched_prefix(path_prefix("/api/"), "/api/x", "/v2/");
  EXPECT_EQ(p.head, "/v2");
  EXPECT_EQ(p.tail, "/x");
  p = replace_matched_prefix(exact("/api"), "/api", "/v2");
  EXPECT_EQ(p.head, "/v2");
  EXPECT_EQ(p.tail, "");
  p = replace_matched_prefix(regex("/a.*"), "/api", "/v2");
  EXPECT_EQ(p.head, "/v2");
  EXPECT_EQ(p.tail, "");
}

TEST(ReplaceMatchedPrefix, PathOutsideThePrefixIsKept) {
  PathParts p = replace_matched_prefix(prefix("/api"), "/other", "/v2");
  EXPECT_EQ(p.head, "");
  EXPECT_EQ(p.tail, "/other");
  p = replace_matched_prefix(path_prefix("/api"), "/ap", "/v2");
  EXPECT_EQ(p.head, "");
  EXPECT_EQ(p.tail, "/ap");
}

TEST(FindQueryParam, FirstOccurrenceByExactName) {
  EXPECT_EQ(find_query_param("a=1&b=2&a=3", "a").value, "1");
  EXPECT_EQ(find_query_param("a=1&b=2&a=3", "b").value, "2");
  EXPECT_TRUE(find_query_param("x&y=", "x").found);
  EXPECT_EQ(find_query_param("x&y=", "x").value, "");
  EXPECT_TRUE(find_query_param("x&y=", "y").found);
  EXPECT_FALSE(find_query_param("x&y=", "z").found);
  EXPECT_FALSE(find_query_param("A=1", "a").found);
  EXPECT_FALSE(find_query_param("", "a").found);
  EXPECT_FALSE(find_query_param("&&&", "").found);  // empty parts are no parameters
  EXPECT_EQ(find_query_param("&=v", "").value, "v");
  EXPECT_EQ(find_query_param("k=v=w", "k").value, "v=w");
}

TEST(TrimTrailingSlashes, All) {
  EXPECT_EQ(trim_trailing_slashes("/api/"), "/api");
  EXPECT_EQ(trim_trailing_slashes("/api//"), "/api");
  EXPECT_EQ(trim_trailing_slashes("/api"), "/api");
  EXPECT_EQ(trim_trailing_slashes("/"), "");
}

TEST(ArenaWriter, JoinsPiecesAcrossBlocks) {
  core::Arena arena(8);
  ArenaWriter out(arena);
  EXPECT_EQ(out.text(), "");
  out.append("");
  out.append("abc");
  out.append("");
  out.append("defgh");
  out.append("ijklmnop");
  EXPECT_EQ(out.text(), "abcdefghijklmnop");
}

}  // namespace
}  // namespace ringress::http::routing
