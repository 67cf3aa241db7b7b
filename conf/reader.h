// Reading a parsed TOML document with the place of every value. A Value is a TOML node plus its
// dotted path ("listeners[1].address"), so every check can throw a ConfigError that names file,
// line, column and key. A Table is opened with the list of keys it may hold and rejects any
// other key at once, with a "did you mean" hint. Internal to conf/.
#pragma once

#include <toml++/toml.h>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conf/units.h"

namespace ringress::conf {

class Table;
struct Entry;

// The name of a TOML type as messages use it: "string", "integer", "float", "table", ...
std::string_view type_name(toml::node_type type);

// `text` in double quotes, with quotes, backslashes and control characters escaped.
std::string quoted(std::string_view text);

// Throws the ConfigError for a mistake at `where` in `file`.
[[noreturn]] void fail_at(const std::string& file, const toml::source_position& where,
                          std::string key, std::string message);

class Value {
 public:
  // `file` must outlive the Value.
  Value(const std::string& file, const toml::node& node, std::string path);

  const toml::node& node() const { return *node_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return *file_; }

  // Throws a ConfigError at this value's position, keyed by its path.
  [[noreturn]] void fail(std::string message) const;

  // Its TOML type, for "expected ..., got integer".
  std::string type() const;
  // How the value looks in a message: "\"5s\"" for a string, "42" for an integer, else its type.
  std::string describe() const;

  // Typed reads. Each fails on a wrong type ("expected an integer, got string") or out of range
  // ("must be between 1 and 16, got 20").
  std::string string() const;
  bool boolean() const;
  int64_t integer(int64_t min, int64_t max) const;
  Duration duration(Duration min, Duration max) const;  // a string: "250ms", "5s"
  uint64_t size(uint64_t min, uint64_t max) const;      // a string ("64KiB") or integer bytes
  // A string that must be one of `options`; returns its index.
  size_t choice(const std::vector<std::string_view>& options) const;
  // A table whose keys must all be in `known`.
  Table table(const std::vector<std::string_view>& known) const;
  // An array's elements, with paths "path[0]", "path[1]", ...
  std::vector<Value> array() const;

  // A table with keys of the user's choosing (header names, say), in document order.
  std::vector<Entry> entries() const;

 private:
  const std::string* file_;
  const toml::node* node_;
  std::string path_;
};

// A key and its value, from Value::entries.
struct Entry {
  std::string key;
  toml::source_position key_at;  // where the key is written
  Value value;
};

class Table {
 public:
  // Fails at the first key, in document order, that is not in `known`.
  Table(const Value& value, const std::vector<std::string_view>& known);

  // The value of `key`, or nullopt when the key is absent.
  std::optional<Value> get(std::string_view key) const;
  // The value of `key`; fails at the table's start when the key is absent.
  Value require(std::string_view key) const;
  // Whether `key` is present.
  bool has(std::string_view key) const { return table_->contains(key); }
  // Where `key` is written (for keys of [[a.b]] headers, the last part of the header); the
  // table's start when the key is absent.
  toml::source_position key_at(std::string_view key) const;
  // Throws a ConfigError at `key` itself (not its value), keyed by its path: for a key that is
  // valid in general but not here. The key must be present.
  [[noreturn]] void fail_key(std::string_view key, std::string message) const;
  // Of `keys`, those present, in document order.
  std::vector<std::string_view> present(const std::vector<std::string_view>& keys) const;

  const Value& value() const { return value_; }
  // "listeners[0]" + "name" -> "listeners[0].name"; at the root, just "name". A key that is not
  // a bare TOML key is quoted: "request_set.\"X Env\"".
  std::string path_of(std::string_view key) const;

 private:
  Value value_;
  const toml::table* table_;
};

}  // namespace ringress::conf
