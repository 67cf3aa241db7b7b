// The strict JSON reader of endpoints files: every value type, and each rule it enforces with
// the line and column it reports.
#include "conf/json.h"

#include <gtest/gtest.h>

#include <string>

namespace ringress::conf {
namespace {

std::string error_of(std::string_view text) {
  try {
    parse_json(text);
  } catch (const JsonError& e) {
    return std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": " + e.what();
  }
  return "(no error)";
}

TEST(Json, ReadsEveryType) {
  JsonValue v = parse_json(
      " {\"s\": \"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\", \"n\": -12.5e+3,\n"
      "  \"t\": true, \"f\": false, \"z\": null, \"a\": [1, [], {}], \"u\": \"\xc3\xa9\"} ");
  ASSERT_EQ(v.type, JsonValue::Type::object);
  ASSERT_EQ(v.members.size(), 7u);
  EXPECT_EQ(v.find("s")->text, "a\"b\\c/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(v.find("n")->type, JsonValue::Type::number);
  EXPECT_EQ(v.find("n")->text, "-12.5e+3");
  EXPECT_TRUE(v.find("t")->boolean);
  EXPECT_EQ(v.find("f")->type, JsonValue::Type::boolean);
  EXPECT_FALSE(v.find("f")->boolean);
  EXPECT_EQ(v.find("z")->type, JsonValue::Type::null);
  const JsonValue& a = *v.find("a");
  ASSERT_EQ(a.items.size(), 3u);
  EXPECT_EQ(a.items[1].type, JsonValue::Type::array);
  EXPECT_EQ(a.items[2].type, JsonValue::Type::object);
  EXPECT_EQ(v.find("u")->text, "\xc3\xa9");
  EXPECT_EQ(v.find("missing"), nullptr);
  // Positions: where each value starts.
  EXPECT_EQ(v.line, 1u);
  EXPECT_EQ(v.column, 2u);
  EXPECT_EQ(v.find("t")->line, 2u);
  EXPECT_EQ(v.find("t")->column, 8u);
  EXPECT_EQ(json_type_name(JsonValue::Type::object), "object");
}

TEST(Json, RejectsWhatIsNotStrictJson) {
  EXPECT_EQ(error_of(""), "1:1: expected a JSON value, got end of file");
  EXPECT_EQ(error_of("[1,]"), "1:4: expected a JSON value, got ']'");
  EXPECT_EQ(error_of("{\"a\": 1,}"), "1:9: expected a member name in double quotes, got '}'");
  EXPECT_EQ(error_of("{\"a\": 1, \"a\": 2}"), "1:10: duplicate member \"a\"");
  EXPECT_EQ(error_of("{a: 1}"), "1:2: expected a member name in double quotes, got 'a'");
  EXPECT_EQ(error_of("{\"a\" 1}"), "1:6: expected ':' after a member name, got '1'");
  EXPECT_EQ(error_of("[1 2]"), "1:4: expected ',' or ']', got '2'");
  EXPECT_EQ(error_of("// x\n{}"), "1:1: expected a JSON value, got '/'");
  EXPECT_EQ(error_of("{} {}"), "1:4: unexpected '{' after the JSON value");
  EXPECT_EQ(error_of("01"), "1:2: a number may not start with 0 followed by a digit");
  EXPECT_EQ(error_of("1."), "1:3: expected a digit after '.', got end of file");
  EXPECT_EQ(error_of("1e"), "1:3: expected a digit in the exponent, got end of file");
  EXPECT_EQ(error_of("-"), "1:2: expected a digit, got end of file");
  EXPECT_EQ(error_of("+1"), "1:1: expected a JSON value, got '+'");
  EXPECT_EQ(error_of("tru"), "1:1: expected a JSON value, got 't'");
  EXPECT_EQ(error_of("\"a\nb\""), "1:3: control character byte 0x0a in a string (escape it)");
  EXPECT_EQ(error_of("\"\\x\""), "1:3: unknown escape \\x in a string");
  EXPECT_EQ(error_of("\"\\u12g4\""), "1:6: expected four hex digits after \\u, got 'g'");
  EXPECT_EQ(error_of("\"\\ud83d\""), "1:8: a high surrogate without a low one after it");
  EXPECT_EQ(error_of("\"\\ude00\""), "1:8: a low surrogate without a high one before it");
  EXPECT_EQ(error_of("\"\xff\""), "1:2: invalid UTF-8 byte 0xff in a string");
  EXPECT_EQ(error_of("\"\xc0\xaf\""), "1:2: invalid UTF-8 byte 0xc0 in a string");
  EXPECT_EQ(error_of("\"abc"), "1:5: unterminated string");
  EXPECT_EQ(error_of("\n\n  [1, @]"), "3:7: expected a JSON value, got '@'");
  std::string deep(kMaxJsonDepth + 1, '[');
  EXPECT_EQ(error_of(deep + std::string(kMaxJsonDepth + 1, ']')),
            "1:65: nested deeper than 64 arrays and objects");
  std::string ok(kMaxJsonDepth, '[');
  EXPECT_EQ(error_of(ok + std::string(kMaxJsonDepth, ']')), "(no error)");
}

}  // namespace
}  // namespace ringress::conf
