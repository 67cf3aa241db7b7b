#include "conf/format_string.h"

#include <array>
#include <cctype>

#include "conf/http_syntax.h"
#include "conf/suggest.h"

namespace ringress::conf {

namespace {

struct VarName {
  FormatVar var;
  std::string_view name;
};

// The variables without an argument, in the order messages list them.
constexpr std::array<VarName, 22> kVars{{
    {FormatVar::start_time, "START_TIME"},
    {FormatVar::client_address, "CLIENT_ADDRESS"},
    {FormatVar::client_port, "CLIENT_PORT"},
    {FormatVar::request_id, "REQUEST_ID"},
    {FormatVar::method, "METHOD"},
    {FormatVar::path, "PATH"},
    {FormatVar::protocol, "PROTOCOL"},
    {FormatVar::host, "HOST"},
    {FormatVar::status, "STATUS"},
    {FormatVar::bytes_received, "BYTES_RECEIVED"},
    {FormatVar::bytes_sent, "BYTES_SENT"},
    {FormatVar::duration_ms, "DURATION"},
    {FormatVar::upstream_host, "UPSTREAM_HOST"},
    {FormatVar::upstream_cluster, "UPSTREAM_CLUSTER"},
    {FormatVar::route_name, "ROUTE_NAME"},
    {FormatVar::response_flags, "RESPONSE_FLAGS"},
    {FormatVar::response_duration, "RESPONSE_DURATION"},
    {FormatVar::response_tx_duration, "RESPONSE_TX_DURATION"},
    {FormatVar::upstream_service_time, "UPSTREAM_SERVICE_TIME"},
    {FormatVar::upstream_connect_time, "UPSTREAM_CONNECT_TIME"},
    {FormatVar::upstream_attempts, "UPSTREAM_REQUEST_ATTEMPT_COUNT"},
    {FormatVar::requested_server_name, "REQUESTED_SERVER_NAME"},
}};

// The variables a TCP session has a value for (no request, status or headers).
bool is_tcp_var(FormatVar var) {
  switch (var) {
    case FormatVar::start_time:
    case FormatVar::client_address:
    case FormatVar::client_port:
    case FormatVar::bytes_received:
    case FormatVar::bytes_sent:
    case FormatVar::duration_ms:
    case FormatVar::upstream_host:
    case FormatVar::upstream_cluster:
    case FormatVar::response_flags:
    case FormatVar::upstream_connect_time:
    case FormatVar::upstream_attempts:
    case FormatVar::requested_server_name:
      return true;
    default:
      return false;
  }
}

// The variables of header values and HTTP access logs: all but the TCP-only ones.
bool is_http_var(FormatVar var) { return var != FormatVar::requested_server_name; }

bool known(FormatVar var, bool tcp) { return tcp ? is_tcp_var(var) : is_http_var(var); }

// "%START_TIME%, %CLIENT_ADDRESS%, ..., %REQ(Name)%, %RESP(Name)%" (for tcp: its variables).
std::string known_variables(bool tcp) {
  std::string out;
  for (const VarName& v : kVars) {
    if (known(v.var, tcp)) out += "%" + std::string(v.name) + "%, ";
  }
  if (tcp) return out.substr(0, out.size() - 2);
  return out + "%REQ(Name)% and %RESP(Name)%";
}

// A variable's text between the percent signs -> its piece, or nullopt with `error` set.
// `tcp`: only the variables of a tcp listener's access log.
std::optional<FormatPiece> parse_variable(std::string_view name, std::string& error, bool tcp) {
  auto not_tcp = [&] {
    error = "%" + std::string(name) +
            "% has no value in a tcp listener's access log (a TCP session has no request); the "
            "tcp variables are " +
            known_variables(true) + ", and %% for a literal \"%\"";
    return std::nullopt;
  };
  for (const VarName& v : kVars) {
    if (name != v.name) continue;
    if (tcp && !is_tcp_var(v.var)) return not_tcp();
    if (!tcp && !is_http_var(v.var)) {
      error = "%" + std::string(name) +
              "% is only for a tcp listener's access log; the variables are " +
              known_variables(false) + ", and %% for a literal \"%\"";
      return std::nullopt;
    }
    return FormatPiece{v.var, ""};
  }
  for (auto [var, prefix] : {std::pair{FormatVar::request_header, std::string_view("REQ(")},
                             std::pair{FormatVar::response_header, std::string_view("RESP(")}}) {
    if (!name.starts_with(prefix) || !name.ends_with(')')) continue;
    if (tcp) return not_tcp();
    std::string_view header = name.substr(prefix.size(), name.size() - prefix.size() - 1);
    if (!is_http_token(header)) {
      std::string example = std::string(prefix) + "User-Agent)";
      error = "%" + std::string(name) + "% needs a header name in the parentheses, like %" +
              example + "%";
      return std::nullopt;
    }
    return FormatPiece{var, std::string(header)};
  }
  // Near misses are checked in upper case, so that %method% suggests %METHOD%.
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<std::string> candidates;
  for (const VarName& v : kVars) {
    if (known(v.var, tcp)) candidates.push_back("%" + std::string(v.name) + "%");
  }
  if (!tcp) {
    candidates.push_back("%REQ()%");
    candidates.push_back("%RESP()%");
  }
  std::vector<std::string_view> views(candidates.begin(), candidates.end());
  error = "unknown variable %" + std::string(name) + "%" + did_you_mean("%" + upper + "%", views) +
          (tcp ? "; the tcp variables are " : "; the variables are ") + known_variables(tcp) +
          ", and %% for a literal \"%\"";
  return std::nullopt;
}

std::optional<FormatString> parse(std::string_view text, std::string& error, bool tcp);

}  // namespace

std::string_view format_var_name(FormatVar var) {
  for (const VarName& v : kVars) {
    if (v.var == var) return v.name;
  }
  if (var == FormatVar::request_header) return "REQ";
  if (var == FormatVar::response_header) return "RESP";
  return "";
}

std::optional<FormatString> parse_format(std::string_view text, std::string& error) {
  return parse(text, error, false);
}

std::optional<FormatString> parse_tcp_format(std::string_view text, std::string& error) {
  return parse(text, error, true);
}

namespace {

std::optional<FormatString> parse(std::string_view text, std::string& error, bool tcp) {
  FormatString out;
  auto literal = [&out](std::string_view s) {
    if (s.empty()) return;
    if (out.empty() || out.back().var != FormatVar::literal) out.push_back({});
    out.back().text += s;
  };
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find('%', i);
    if (open == std::string_view::npos) {
      literal(text.substr(i));
      break;
    }
    literal(text.substr(i, open - i));
    size_t close = text.find('%', open + 1);
    if (close == std::string_view::npos) {
      error = "the \"%\" at offset " + std::to_string(open) +
              " starts a variable that has no closing \"%\"; write %% for a literal \"%\"";
      return std::nullopt;
    }
    std::string_view name = text.substr(open + 1, close - open - 1);
    if (name.empty()) {
      literal("%");
    } else {
      auto piece = parse_variable(name, error, tcp);
      if (!piece) return std::nullopt;
      out.push_back(std::move(*piece));
    }
    i = close + 1;
  }
  return out;
}

}  // namespace

}  // namespace ringress::conf
