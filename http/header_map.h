// HeaderMap: the header fields of one message, in received order and with their original case
// (Envoy lowercases names; ringress forwards them as the client wrote them). Names and values
// are views into the request's Arena (or into static strings); lookups compare names without
// regard to case. Small and flat: a request has a few dozen headers at most.
#pragma once

#include <string_view>
#include <vector>

namespace ringress::http {

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

bool iequals(std::string_view a, std::string_view b);

class HeaderMap {
 public:
  // Room for `reserve` fields up front: a pooled request context holds five maps (two heads,
  // their trailers, local-reply headers) for its life, so they start at what a head needs.
  explicit HeaderMap(std::size_t reserve = 16) { fields_.reserve(reserve); }

  void add(std::string_view name, std::string_view value) { fields_.push_back({name, value}); }
  // Replaces the first field named `name` (removing the others), or adds one.
  void set(std::string_view name, std::string_view value);
  // Removes every field named `name`; returns how many.
  std::size_t remove(std::string_view name);
  // The first value of `name`, or nullptr.
  const std::string_view* get(std::string_view name) const;
  std::size_t count(std::string_view name) const;
  void clear() { fields_.clear(); }

  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  std::vector<HeaderField>& fields() { return fields_; }

 private:
  std::vector<HeaderField> fields_;
};

// Whether a comma-separated header value (Connection, Transfer-Encoding, ...) lists `token`,
// ignoring case and optional whitespace.
bool has_token(std::string_view list, std::string_view token);

// RFC 9110 syntax, for fields that filters build (the parser enforces the same rules on input):
// a token is a non-empty run of tchar (field names, methods); a field value holds no CTL except
// HTAB (so no CR, LF or NUL) and has no leading or trailing whitespace.
bool is_tchar(char c);
bool is_token(std::string_view s);
bool is_field_value(std::string_view s);

}  // namespace ringress::http
