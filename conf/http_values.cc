#include <re2/re2.h>

#include <algorithm>
#include <cctype>

#include "conf/format_string.h"
#include "conf/http_sections.h"
#include "conf/http_syntax.h"

namespace ringress::conf {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Headers that carry the message framing or the connection's own state: the proxy writes them,
// so an edit would break requests rather than change them.
constexpr std::string_view kManagedHeaders[] = {
    "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE",
    "Trailer",        "Proxy-Connection",
};

// Fails when `name` may not be edited; `fail` throws at the right place.
template <typename Fail>
void check_editable(std::string_view name, bool request, Fail fail) {
  for (std::string_view managed : kManagedHeaders) {
    if (iequals(name, managed))
      fail(std::string(managed) +
           " is managed by the proxy (message framing and connection handling) and cannot be "
           "edited");
  }
  if (request && iequals(name, "Host"))
    fail("the request's Host is changed with host_rewrite or auto_host_rewrite on a route");
}

std::string token_message(const std::string& got) {
  return "expected a header name (letters, digits and !#$%&'*+-.^_`|~), got " + quoted(got);
}

std::vector<HeaderValue> read_header_values(const Value& value, bool request) {
  std::vector<HeaderValue> out;
  for (const Entry& entry : value.entries()) {
    auto fail = [&](std::string message) {
      fail_at(value.file(), entry.key_at, entry.value.path(), std::move(message));
    };
    if (!is_http_token(entry.key)) fail(token_message(entry.key));
    check_editable(entry.key, request, fail);
    for (const HeaderValue& before : out) {
      if (iequals(before.name, entry.key))
        fail(quoted(entry.key) + " is already in " + value.path() + " as " + quoted(before.name) +
             " (header names ignore case)");
    }
    out.push_back({entry.key, read_format(entry.value, true)});
  }
  return out;
}

}  // namespace

std::optional<std::string_view> one_of(const Table& table,
                                       const std::vector<std::string_view>& keys,
                                       std::string_view noun) {
  std::vector<std::string_view> present = table.present(keys);
  if (present.empty()) return std::nullopt;
  if (present.size() > 1) {
    std::string list;
    for (size_t i = 0; i < keys.size(); ++i)
      list += (i == 0 ? "" : i + 1 == keys.size() ? " or " : ", ") + std::string(keys[i]);
    table.fail_key(present[1], "give only one of " + list + " (this " + std::string(noun) +
                                   " already has " + std::string(present[0]) + ")");
  }
  return present[0];
}

std::string read_path(const Value& value) {
  std::string path = value.string();
  if (!path.starts_with('/')) value.fail("a path starts with \"/\", got " + value.describe());
  bool clean = std::none_of(path.begin(), path.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '?' || c == '#';
  });
  if (!clean)
    value.fail(
        "a path has no spaces, control characters, \"?\" or \"#\" (query parameters are matched "
        "with query), got " +
        value.describe());
  return path;
}

std::string read_regex(const Value& value) {
  std::string pattern = value.string();
  RE2 re(pattern, RE2::Quiet);
  if (!re.ok()) value.fail("invalid regular expression: " + re.error());
  return pattern;
}

std::string read_header_name(const Value& value) {
  std::string name = value.string();
  if (!is_http_token(name)) value.fail(token_message(name));
  return name;
}

FormatString read_format(const Value& value, bool header_value) {
  std::string text = value.string();
  if (header_value && !is_header_value(text))
    value.fail("a header value may not contain control characters such as CR or LF, got " +
               value.describe());
  std::string error;
  auto format = parse_format(text, error);
  if (!format) value.fail(error);
  return std::move(*format);
}

HeaderMutations read_header_mutations(const Table& table, std::string_view set,
                                      std::string_view add, std::string_view remove, bool request) {
  HeaderMutations out;
  if (auto v = table.get(remove)) {
    for (const Value& item : v->array()) {
      std::string name = read_header_name(item);
      check_editable(name, request, [&](std::string message) { item.fail(std::move(message)); });
      for (size_t i = 0; i < out.remove.size(); ++i) {
        if (iequals(out.remove[i], name))
          item.fail(quoted(name) + " is already listed as " + v->path() + "[" + std::to_string(i) +
                    "]");
      }
      out.remove.push_back(std::move(name));
    }
  }
  if (auto v = table.get(set)) out.set = read_header_values(*v, request);
  if (auto v = table.get(add)) out.add = read_header_values(*v, request);
  return out;
}

uint16_t read_status(const Value& value, int min, int max) {
  return static_cast<uint16_t>(value.integer(min, max));
}

}  // namespace ringress::conf
