#include "conf/reader.h"

#include <algorithm>
#include <cstdio>

#include "conf/config.h"
#include "conf/suggest.h"

namespace ringress::conf {

namespace {

bool is_bare_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

std::string key_path(const std::string& parent, std::string_view key) {
  std::string k = is_bare_key(key) ? std::string(key) : quoted(key);
  if (parent.empty()) return k;
  return parent + "." + k;
}

}  // namespace

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof(escape), "\\u%04x", static_cast<unsigned char>(c));
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void fail_at(const std::string& file, const toml::source_position& where, std::string key,
             std::string message) {
  throw ConfigError(file, where.line, where.column, std::move(key), std::move(message));
}

Value::Value(const std::string& file, const toml::node& node, std::string path)
    : file_(&file), node_(&node), path_(std::move(path)) {}

void Value::fail(std::string message) const {
  fail_at(*file_, node_->source().begin, path_, std::move(message));
}

std::string Value::type() const { return std::string(type_name(node_->type())); }

std::string Value::describe() const {
  if (auto* s = node_->as_string()) return quoted(s->get());
  if (auto i = node_->as_integer()) return std::to_string(i->get());
  return type();
}

std::string Value::string() const {
  auto* s = node_->as_string();
  if (!s) fail("expected a string, got " + type());
  return s->get();
}

bool Value::boolean() const {
  auto b = node_->as_boolean();
  if (!b) fail("expected true or false, got " + type());
  return b->get();
}

int64_t Value::integer(int64_t min, int64_t max) const {
  auto i = node_->as_integer();
  if (!i) fail("expected an integer, got " + type());
  if (i->get() < min || i->get() > max)
    fail("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
         describe());
  return i->get();
}

Duration Value::duration(Duration min, Duration max) const {
  if (!node_->is_string()) fail("expected a duration string like \"5s\", got " + type());
  auto d = parse_duration(node_->as_string()->get());
  if (!d)
    fail("invalid duration " + describe() +
         ": write a number and a unit (ms, s, m, h), like \"250ms\", \"1.5s\" or \"1h30m\"");
  if (*d < min || *d > max)
    fail("must be between " + format_duration(min) + " and " + format_duration(max) + ", got " +
         describe());
  return *d;
}

uint64_t Value::size(uint64_t min, uint64_t max) const {
  std::optional<uint64_t> bytes;
  if (auto i = node_->as_integer()) {
    if (i->get() < 0)
      fail("must be between " + format_size(min) + " and " + format_size(max) + ", got " +
           describe());
    bytes = static_cast<uint64_t>(i->get());
  } else if (auto s = node_->as_string()) {
    bytes = parse_size(s->get());
    if (!bytes)
      fail("invalid size " + describe() +
           ": write a number of bytes or a number and a unit (B, KiB, MiB, GiB), like \"64KiB\"");
  } else {
    fail("expected a size like \"64KiB\" or an integer number of bytes, got " + type());
  }
  if (*bytes < min || *bytes > max)
    fail("must be between " + format_size(min) + " and " + format_size(max) + ", got " +
         describe());
  return *bytes;
}

size_t Value::choice(const std::vector<std::string_view>& options) const {
  std::string s = string();
  for (size_t i = 0; i < options.size(); ++i) {
    if (s == options[i]) return i;
  }
  std::string list;
  for (size_t i = 0; i < options.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == options.size() ? " or " : ", ") + quoted(options[i]);
  }
  if (options.size() == 1) fail("expected " + list + ", got " + describe());
  fail("expected one of " + list + ", got " + describe() + did_you_mean(s, options));
}

Table Value::table(const std::vector<std::string_view>& known) const { return Table(*this, known); }

std::vector<Value> Value::array() const {
  auto* a = node_->as_array();
  if (!a) fail("expected an array, got " + type());
  std::vector<Value> out;
  out.reserve(a->size());
  for (size_t i = 0; i < a->size(); ++i)
    out.emplace_back(*file_, (*a)[i], path_ + "[" + std::to_string(i) + "]");
  return out;
}

std::vector<Entry> Value::entries() const {
  auto* t = node_->as_table();
  if (!t) fail("expected a table, got " + type());
  std::vector<Entry> out;
  out.reserve(t->size());
  for (const auto& [key, node] : *t)
    out.push_back({std::string(key.str()), key.source().begin,
                   Value(*file_, node, key_path(path_, key.str()))});
  std::sort(out.begin(), out.end(),
            [](const Entry& a, const Entry& b) { return a.key_at < b.key_at; });
  return out;
}

Table::Table(const Value& value, const std::vector<std::string_view>& known)
    : value_(value), table_(value.node().as_table()) {
  if (!table_) value.fail("expected a table, got " + value.type());
  const toml::key* first_unknown = nullptr;
  for (const auto& [key, node] : *table_) {
    bool is_known = false;
    for (std::string_view k : known) is_known |= (key.str() == k);
    if (is_known) continue;
    auto at = key.source().begin;
    if (!first_unknown || at < first_unknown->source().begin) first_unknown = &key;
  }
  if (first_unknown) {
    fail_at(value.file(), first_unknown->source().begin, path_of(first_unknown->str()),
            "unknown key" + did_you_mean(first_unknown->str(), known));
  }
}

std::optional<Value> Table::get(std::string_view key) const {
  const toml::node* node = table_->get(key);
  if (!node) return std::nullopt;
  return Value(value_.file(), *node, path_of(key));
}

Value Table::require(std::string_view key) const {
  const toml::node* node = table_->get(key);
  if (!node)
    fail_at(value_.file(), value_.node().source().begin, path_of(key), "required key is missing");
  return Value(value_.file(), *node, path_of(key));
}

toml::source_position Table::key_at(std::string_view key) const {
  auto it = table_->find(key);
  return it == table_->end() ? value_.node().source().begin : it->first.source().begin;
}

void Table::fail_key(std::string_view key, std::string message) const {
  fail_at(value_.file(), key_at(key), path_of(key), std::move(message));
}

std::vector<std::string_view> Table::present(const std::vector<std::string_view>& keys) const {
  std::vector<std::string_view> out;
  for (std::string_view key : keys) {
    if (has(key)) out.push_back(key);
  }
  std::sort(out.begin(), out.end(),
            [this](std::string_view a, std::string_view b) { return key_at(a) < key_at(b); });
  return out;
}

std::string Table::path_of(std::string_view key) const { return key_path(value_.path(), key); }

}  // namespace ringress::conf
