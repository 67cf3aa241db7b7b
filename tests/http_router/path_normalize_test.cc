// normalize_path: RFC 3986's dot-segment examples, percent-encoding rules, slashes, and the
// properties the router relies on (never longer, idempotent, unchanged paths not copied).
#include "http/path_normalize.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ringress::http {
namespace {

struct Out {
  std::string path;
  PathError error = PathError::none;
};

Out run(std::string_view in, PathNormalization o = {}) {
  core::Arena arena;
  NormalizedPath n = normalize_path(in, o, arena);
  return {std::string(n.path), n.error};
}

TEST(PathNormalizeTest, RemovesDotSegmentsAsRfc3986) {
  struct Case {
    const char* in;
    const char* out;
  };
  for (const Case& k : std::vector<Case>{{"/a/b/c/./../../g", "/a/g"},
                                         {"/./a", "/a"},
                                         {"/a/.", "/a/"},
                                         {"/a/..", "/"},
                                         {"/a/b/..", "/a/"},
                                         {"/..", "/"},
                                         {"/../../x", "/x"},
                                         {"/.", "/"},
                                         {"/a/../../b/./c/", "/b/c/"},
                                         {"/a/.b/..c/...", "/a/.b/..c/..."},
                                         {"/.well-known/acme", "/.well-known/acme"}}) {
    EXPECT_EQ(run(k.in).path, k.out) << k.in;
  }
}

TEST(PathNormalizeTest, DecodesUnreservedAndUppercasesTheRest) {
  EXPECT_EQ(run("/%61%62%63%2D%2e%5f%7e%30").path, "/abc-._~0");
  EXPECT_EQ(run("/%e2%82%ac%20%3f%25").path, "/%E2%82%AC%20%3F%25");
  EXPECT_EQ(run("/%252e%252e/x").path, "/%252e%252e/x");  // no second decoding
  EXPECT_EQ(run("/a/%2e%2E/b").path, "/b");               // decoded dots are dot segments
  EXPECT_EQ(run("/a\\..\\b\\c").path, "/b/c");            // a backslash is a slash
  EXPECT_EQ(run("/a/%2e%2e%2fb").path, "/a/..%2Fb");      // not an encoded slash
}

TEST(PathNormalizeTest, RefusesBrokenPercentEncodings) {
  for (const char* in : {"/%", "/a%2", "/%zz", "/%2g", "/%%41", "/a/%G1"})
    EXPECT_EQ(run(in).error, PathError::bad_percent_encoding) << in;
  PathNormalization off;
  off.normalize = false;
  EXPECT_EQ(run("/%zz", off).path, "/%zz");
}

TEST(PathNormalizeTest, MergesSlashesBeforeDotSegments) {
  EXPECT_EQ(run("//a///b//").path, "/a/b/");
  EXPECT_EQ(run("/a//../b").path, "/b");
  PathNormalization keep;
  keep.merge_slashes = false;
  EXPECT_EQ(run("//a///b", keep).path, "//a///b");
  EXPECT_EQ(run("/a//../b", keep).path, "/a/b");  // ".." removes the empty segment
}

TEST(PathNormalizeTest, EncodedSlashesFollowTheSetting) {
  PathNormalization o;
  EXPECT_EQ(run("/a%2fb%5c", o).path, "/a%2Fb%5C");
  o.escaped_slashes = EscapedSlashes::reject;
  EXPECT_EQ(run("/a%2fb", o).error, PathError::escaped_slash);
  EXPECT_EQ(run("/a%5Cb", o).error, PathError::escaped_slash);
  o.escaped_slashes = EscapedSlashes::unescape;
  EXPECT_EQ(run("/a%2fb%5cc", o).path, "/a/b/c");
  EXPECT_EQ(run("/x/..%2F..%2Fadmin", o).path, "/admin");
  o.normalize = false;
  o.merge_slashes = false;
  EXPECT_EQ(run("/a%2F%2f%41%zz", o).path, "/a//%41%zz");
}

TEST(PathNormalizeTest, LeavesOtherFormsAndCleanPathsAlone) {
  core::Arena arena;
  const std::string clean = "/api/v1/users/42";
  NormalizedPath n = normalize_path(clean, {}, arena);
  EXPECT_EQ(n.path.data(), clean.data());  // the input itself: nothing was copied
  EXPECT_EQ(run("*").path, "*");
  EXPECT_EQ(run("").path, "");
  const std::string same = "/.well-known/x";
  EXPECT_EQ(normalize_path(same, {}, arena).path.data(), same.data());
}

// Random paths over the characters that matter: the result is never longer, is stable under a
// second pass, and holds no dot segment, no "//" and no encoded unreserved character.
TEST(PathNormalizeTest, PropertiesHoldForRandomPaths) {
  std::mt19937 rng(7);
  const std::string alphabet = "/./../%2e%2E%2f%5c%41%7e%zzab~\\";
  for (int i = 0; i < 20000; ++i) {
    std::string in = "/";
    const int len = static_cast<int>(rng() % 24);
    for (int j = 0; j < len; ++j) in += alphabet[rng() % alphabet.size()];
    for (auto es : {EscapedSlashes::keep, EscapedSlashes::unescape}) {
      PathNormalization o;
      o.escaped_slashes = es;
      Out a = run(in, o);
      if (a.error != PathError::none) continue;
      ASSERT_LE(a.path.size(), in.size()) << in;
      ASSERT_FALSE(a.path.empty()) << in;
      ASSERT_EQ(a.path.front(), '/') << in;
      Out b = run(a.path, o);
      ASSERT_EQ(b.error, PathError::none) << in;
      ASSERT_EQ(b.path, a.path) << in;
      ASSERT_EQ(a.path.find("//"), std::string::npos) << in;
      ASSERT_EQ(a.path.find("/./"), std::string::npos) << in;
      ASSERT_EQ(a.path.find("/../"), std::string::npos) << in;
      ASSERT_EQ(a.path.find("%41"), std::string::npos) << in;
      ASSERT_EQ(a.path.find("%2e"), std::string::npos) << in;
      ASSERT_EQ(a.path.find('\\'), std::string::npos) << in;
      ASSERT_FALSE(a.path.ends_with("/.") || a.path.ends_with("/..")) << in;
    }
  }
}

}  // namespace
}  // namespace ringress::http
