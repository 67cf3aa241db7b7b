// A strict JSON reader (RFC 8259) that keeps where each value starts, so a mistake in an
// endpoints file can be reported at its line and column like a config mistake. Strict means:
// no comments, no trailing commas, no duplicate member names, no control characters in strings,
// lone surrogates rejected, nesting at most kMaxJsonDepth deep, one value per document.
// Numbers keep their text; the reader of the value decides what range it accepts.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ringress::conf {

inline constexpr int kMaxJsonDepth = 64;

struct JsonMember;

struct JsonValue {
  enum class Type { null, boolean, number, string, array, object };
  Type type = Type::null;
  bool boolean = false;
  std::string text;                 // a string's value (UTF-8), or a number as written
  std::vector<JsonValue> items;     // array
  std::vector<JsonMember> members;  // object, in document order
  uint32_t line = 1, column = 1;    // where the value starts (1-based)

  // The member named `name`, or nullptr.
  const JsonValue* find(std::string_view name) const;
};

// A named member of an object (a struct, not a std::pair: a pair of an incomplete type cannot
// be a vector's element with every standard library).
struct JsonMember {
  std::string name;
  JsonValue value;
};

// "string", "number", ...: a type as messages name it.
std::string_view json_type_name(JsonValue::Type type);

// A syntax error at a place (1-based line; column counted in bytes, 1-based).
class JsonError : public std::runtime_error {
 public:
  JsonError(uint32_t line, uint32_t column, const std::string& message)
      : std::runtime_error(message), line_(line), column_(column) {}
  uint32_t line() const { return line_; }
  uint32_t column() const { return column_; }

 private:
  uint32_t line_, column_;
};

// Parses one JSON document (surrounding whitespace allowed). Throws JsonError.
JsonValue parse_json(std::string_view text);

}  // namespace ringress::conf
