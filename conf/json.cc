#include "conf/json.h"

#include <unordered_set>

namespace ringress::conf {

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  JsonValue document() {
    skip_space();
    JsonValue value = parse_value(0);
    skip_space();
    if (pos_ < text_.size()) fail("unexpected " + describe_here() + " after the JSON value");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw JsonError(line_, column_, message);
  }

  std::string describe_here() const {
    if (pos_ >= text_.size()) return "end of file";
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
    static const char* hex = "0123456789abcdef";
    return std::string("byte 0x") + hex[c >> 4] + hex[c & 15];
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }

  void skip_space() {
    while (!at_end()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      advance();
    }
  }

  void expect(char c, const char* what) {
    if (peek() != c || at_end()) fail(std::string("expected ") + what + ", got " + describe_here());
    advance();
  }

  JsonValue parse_value(int depth) {
    if (depth >= kMaxJsonDepth)
      fail("nested deeper than " + std::to_string(kMaxJsonDepth) + " arrays and objects");
    JsonValue value;
    value.line = line_;
    value.column = column_;
    if (at_end()) fail("expected a JSON value, got end of file");
    char c = text_[pos_];
    if (c == '{') {
      value.type = JsonValue::Type::object;
      parse_object(value, depth);
    } else if (c == '[') {
      value.type = JsonValue::Type::array;
      parse_array(value, depth);
    } else if (c == '"') {
      value.type = JsonValue::Type::string;
      value.text = parse_string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      value.type = JsonValue::Type::number;
      value.text = parse_number();
    } else if (literal("true")) {
      value.type = JsonValue::Type::boolean;
      value.boolean = true;
    } else if (literal("false")) {
      value.type = JsonValue::Type::boolean;
    } else if (literal("null")) {
      value.type = JsonValue::Type::null;
    } else {
      fail("expected a JSON value, got " + describe_here());
    }
    return value;
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    for (size_t i = 0; i < word.size(); ++i) advance();
    return true;
  }

  void parse_object(JsonValue& value, int depth) {
    advance();  // {
    skip_space();
    if (peek() == '}' && !at_end()) {
      advance();
      return;
    }
    std::unordered_set<std::string> names;
    for (;;) {
      skip_space();
      if (peek() != '"' || at_end())
        fail("expected a member name in double quotes, got " + describe_here());
      uint32_t name_line = line_, name_column = column_;
      std::string name = parse_string();
      if (!names.insert(name).second)
        throw JsonError(name_line, name_column, "duplicate member \"" + name + "\"");
      skip_space();
      expect(':', "':' after a member name");
      skip_space();
      JsonValue member = parse_value(depth + 1);
      value.members.push_back({std::move(name), std::move(member)});
      skip_space();
      if (peek() == ',' && !at_end()) {
        advance();
        continue;
      }
      expect('}', "',' or '}'");
      return;
    }
  }

  void parse_array(JsonValue& value, int depth) {
    advance();  // [
    skip_space();
    if (peek() == ']' && !at_end()) {
      advance();
      return;
    }
    for (;;) {
      skip_space();
      value.items.push_back(parse_value(depth + 1));
      skip_space();
      if (peek() == ',' && !at_end()) {
        advance();
        continue;
      }
      expect(']', "',' or ']'");
      return;
    }
  }

  unsigned hex4() {
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      char c = peek();
      unsigned digit;
      if (c >= '0' && c <= '9')
        digit = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        digit = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        digit = static_cast<unsigned>(c - 'A' + 10);
      else
        fail("expected four hex digits after \\u, got " + describe_here());
      code = code * 16 + digit;
      advance();
    }
    return code;
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xc0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xe0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (code & 0x3f));
    }
  }

  std::string parse_string() {
    advance();  // "
    std::string out;
    for (;;) {
      if (at_end()) fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        advance();
        return out;
      }
      if (c < 0x20) fail("control character " + describe_here() + " in a string (escape it)");
      if (c >= 0x80) {
        size_t n = utf8_length(text_.substr(pos_));
        if (n == 0) fail("invalid UTF-8 " + describe_here() + " in a string");
        out.append(text_.substr(pos_, n));
        for (size_t i = 0; i < n; ++i) advance();
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        advance();
        continue;
      }
      advance();
      char e = peek();
      if (at_end()) fail("unterminated string");
      const std::string_view simple = "\"\\/bfnrt";
      const std::string_view meaning = "\"\\/\b\f\n\r\t";
      if (size_t i = simple.find(e); i != std::string_view::npos) {
        out += meaning[i];
        advance();
        continue;
      }
      if (e != 'u') fail("unknown escape \\" + std::string(1, e) + " in a string");
      advance();
      unsigned code = hex4();
      if (code >= 0xdc00 && code <= 0xdfff) fail("a low surrogate without a high one before it");
      if (code >= 0xd800 && code <= 0xdbff) {
        if (text_.substr(pos_, 2) != "\\u") fail("a high surrogate without a low one after it");
        advance();
        advance();
        unsigned low = hex4();
        if (low < 0xdc00 || low > 0xdfff) fail("a high surrogate without a low one after it");
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      }
      append_utf8(out, code);
    }
  }

  // The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong
  // forms, no surrogates, nothing above U+10FFFF), or 0.
  static size_t utf8_length(std::string_view s) {
    auto byte = [&](size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
    auto cont = [&](size_t i) { return (byte(i) & 0xc0) == 0x80; };
    unsigned b0 = byte(0), b1 = byte(1);
    if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
    if (b0 >= 0xe0 && b0 <= 0xef) {
      if (b0 == 0xe0 && b1 < 0xa0) return 0;
      if (b0 == 0xed && b1 > 0x9f) return 0;
      return cont(1) && cont(2) ? 3 : 0;
    }
    if (b0 >= 0xf0 && b0 <= 0xf4) {
      if (b0 == 0xf0 && b1 < 0x90) return 0;
      if (b0 == 0xf4 && b1 > 0x8f) return 0;
      return cont(1) && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  std::string parse_number() {
    size_t start = pos_;
    if (peek() == '-') advance();
    if (!is_digit(peek()) || at_end()) fail("expected a digit, got " + describe_here());
    if (peek() == '0') {
      advance();
      if (is_digit(peek()) && !at_end()) fail("a number may not start with 0 followed by a digit");
    } else {
      while (!at_end() && is_digit(peek())) advance();
    }
    if (peek() == '.' && !at_end()) {
      advance();
      if (!is_digit(peek()) || at_end()) fail("expected a digit after '.', got " + describe_here());
      while (!at_end() && is_digit(peek())) advance();
    }
    if ((peek() == 'e' || peek() == 'E') && !at_end()) {
      advance();
      if ((peek() == '+' || peek() == '-') && !at_end()) advance();
      if (!is_digit(peek()) || at_end())
        fail("expected a digit in the exponent, got " + describe_here());
      while (!at_end() && is_digit(peek())) advance();
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1, column_ = 1;
};

}  // namespace

const JsonValue* JsonValue::find(std::string_view name) const {
  for (const auto& [key, value] : members)
    if (key == name) return &value;
  return nullptr;
}

std::string_view json_type_name(JsonValue::Type type) {
  switch (type) {
    case JsonValue::Type::null:
      return "null";
    case JsonValue::Type::boolean:
      return "boolean";
    case JsonValue::Type::number:
      return "number";
    case JsonValue::Type::string:
      return "string";
    case JsonValue::Type::array:
      return "array";
    case JsonValue::Type::object:
      return "object";
  }
  return "value";
}

JsonValue parse_json(std::string_view text) { return Parser(text).document(); }

}  // namespace ringress::conf
