#include <cctype>

#include "conf/http_sections.h"
#include "conf/http_syntax.h"

namespace ringress::conf {

namespace {

// exact / prefix / regex / present (the default): which one `table` has, and its value.
template <typename Matcher>
void read_match(const Table& table, Matcher& matcher, bool can_invert) {
  auto key = one_of(table, {"exact", "prefix", "regex", "present"}, "matcher");
  if (!key) {
    matcher.kind = MatchKind::present;
  } else if (*key == "present") {
    matcher.kind = MatchKind::present;
    Value present = table.require(*key);
    if (!present.boolean())
      present.fail(can_invert ? "to match when the header is absent, write present = true, "
                                "invert = true"
                              : "a query matcher matches a parameter that is there; present "
                                "can only be true");
  } else if (*key == "regex") {
    matcher.kind = MatchKind::regex;
    matcher.value = read_regex(table.require("regex"));
  } else {
    matcher.kind = *key == "exact" ? MatchKind::exact : MatchKind::prefix;
    matcher.value = table.require(*key).string();
  }
}

}  // namespace

std::vector<std::string> read_methods(const Value& value) {
  std::vector<std::string> methods;
  std::vector<Value> items = value.array();
  if (items.empty()) value.fail("list at least one method, or leave methods out to match any");
  for (const Value& item : items) {
    std::string method = item.string();
    if (!is_http_token(method))
      item.fail("expected a method like \"GET\" (an HTTP token), got " + item.describe());
    std::string upper = method;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper != method)
      item.fail("methods are case-sensitive and upper case: write " + quoted(upper) + ", got " +
                item.describe());
    for (size_t i = 0; i < methods.size(); ++i) {
      if (methods[i] == method)
        item.fail(quoted(method) + " is already listed as " + value.path() + "[" +
                  std::to_string(i) + "]");
    }
    methods.push_back(std::move(method));
  }
  return methods;
}

std::vector<HeaderMatcher> read_header_matchers(const Value& value) {
  std::vector<HeaderMatcher> out;
  for (const Value& item : value.array()) {
    Table table = item.table({"name", "exact", "prefix", "regex", "present", "invert"});
    HeaderMatcher matcher;
    matcher.name = read_header_name(table.require("name"));
    read_match(table, matcher, true);
    if (auto v = table.get("invert")) matcher.invert = v->boolean();
    out.push_back(std::move(matcher));
  }
  return out;
}

std::vector<QueryMatcher> read_query_matchers(const Value& value) {
  std::vector<QueryMatcher> out;
  for (const Value& item : value.array()) {
    Table table = item.table({"name", "exact", "prefix", "regex", "present"});
    QueryMatcher matcher;
    Value name = table.require("name");
    matcher.name = name.string();
    if (matcher.name.empty() || matcher.name.find_first_of("&=#") != std::string::npos ||
        !is_header_value(matcher.name))
      name.fail(
          "expected a query parameter name (no \"&\", \"=\", \"#\" or control characters), got " +
          name.describe());
    read_match(table, matcher, false);
    out.push_back(std::move(matcher));
  }
  return out;
}

}  // namespace ringress::conf
