#include "http/format.h"

#include <charconv>
#include <ctime>

namespace ringress::http {
namespace {

void append_number(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, end);
}

void append_or_dash(std::string& out, std::string_view v) {
  if (v.empty())
    out.push_back('-');
  else
    out.append(v);
}

void append_time(std::string& out, std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(ms / 1000);
  tm utc{};
  gmtime_r(&secs, &utc);
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                        utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                        static_cast<int>(ms % 1000));
  out.append(buf, static_cast<std::size_t>(n));
}

// Whole milliseconds; "-" for a negative duration (one that did not happen).
void append_ms(std::string& out, core::Duration d) {
  if (d.count() < 0) {
    out.push_back('-');
    return;
  }
  append_number(
      out, static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
}

// From `from` to `to`; "-" when either is unknown.
void append_ms(std::string& out, core::TimePoint from, core::TimePoint to) {
  if (from == core::TimePoint{} || to == core::TimePoint{} || to < from)
    out.push_back('-');
  else
    append_ms(out, to - from);
}

void append_var(std::string& out, const conf::FormatPiece& p, const Exchange& e) {
  using V = conf::FormatVar;
  switch (p.var) {
    case V::literal:
      out.append(p.text);
      return;
    case V::client_address:
      append_or_dash(out, e.client_ip);
      return;
    case V::client_port:
      append_number(out, e.client_port);
      return;
    case V::request_id:
      append_or_dash(out, e.request_id);
      return;
    case V::method:
      append_or_dash(out, e.request ? e.request->method : std::string_view{});
      return;
    case V::path:
      append_or_dash(out, e.request ? e.request->target : std::string_view{});
      return;
    case V::protocol:
      out.append(e.request && e.request->version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1");
      return;
    case V::host:
      append_or_dash(out, e.request ? e.request->host : std::string_view{});
      return;
    case V::status:
      append_number(out, e.status);
      return;
    case V::bytes_received:
      append_number(out, e.bytes_received);
      return;
    case V::bytes_sent:
      append_number(out, e.bytes_sent);
      return;
    case V::duration_ms:
      append_number(out,
                    static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              core::Clock::now() - e.start)
                                              .count()));
      return;
    case V::upstream_host:
      append_or_dash(out, e.upstream_host);
      return;
    case V::upstream_cluster:
      append_or_dash(out, e.cluster_name);
      return;
    case V::route_name:
      append_or_dash(out, e.route ? std::string_view(e.route->name) : std::string_view{});
      return;
    case V::start_time:
      append_time(out, e.start_wall);
      return;
    case V::response_flags:
      append_or_dash(out, e.response_flags);
      return;
    case V::response_duration:
      append_ms(out, e.start, e.upstream_first_byte);
      return;
    case V::response_tx_duration:
      append_ms(out, e.upstream_first_byte, core::Clock::now());
      return;
    case V::upstream_service_time:
      append_ms(out, e.upstream_start, e.upstream_first_byte);
      return;
    case V::upstream_connect_time:
      append_ms(out, e.upstream_connect);
      return;
    case V::upstream_attempts:
      append_number(out, e.upstream_attempts);
      return;
    case V::requested_server_name:
      append_or_dash(out, e.requested_server_name);
      return;
    case V::request_header: {
      const std::string_view* v = e.request ? e.request->headers.get(p.text) : nullptr;
      append_or_dash(out, v ? *v : std::string_view{});
      return;
    }
    case V::response_header: {
      const std::string_view* v = e.response_headers ? e.response_headers->get(p.text) : nullptr;
      append_or_dash(out, v ? *v : std::string_view{});
      return;
    }
  }
}

std::string_view json_key(const conf::FormatPiece& p) {
  using V = conf::FormatVar;
  switch (p.var) {
    case V::literal:
      return {};
    case V::client_address:
      return "client_address";
    case V::client_port:
      return "client_port";
    case V::request_id:
      return "request_id";
    case V::method:
      return "method";
    case V::path:
      return "path";
    case V::protocol:
      return "protocol";
    case V::host:
      return "host";
    case V::status:
      return "status";
    case V::bytes_received:
      return "bytes_received";
    case V::bytes_sent:
      return "bytes_sent";
    case V::duration_ms:
      return "duration_ms";
    case V::upstream_host:
      return "upstream_host";
    case V::upstream_cluster:
      return "upstream_cluster";
    case V::route_name:
      return "route_name";
    case V::start_time:
      return "start_time";
    case V::response_flags:
      return "response_flags";
    case V::response_duration:
      return "response_duration";
    case V::response_tx_duration:
      return "response_tx_duration";
    case V::upstream_service_time:
      return "upstream_service_time";
    case V::upstream_connect_time:
      return "upstream_connect_time";
    case V::upstream_attempts:
      return "upstream_request_attempt_count";
    case V::requested_server_name:
      return "requested_server_name";
    case V::request_header:
    case V::response_header:
      return p.text;
  }
  return {};
}

bool is_number(conf::FormatVar v) {
  using V = conf::FormatVar;
  return v == V::client_port || v == V::status || v == V::bytes_received || v == V::bytes_sent ||
         v == V::duration_ms || v == V::response_duration || v == V::response_tx_duration ||
         v == V::upstream_service_time || v == V::upstream_connect_time ||
         v == V::upstream_attempts;
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out.append(buf);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

}  // namespace

void append_format(std::string& out, const conf::FormatString& format, const Exchange& exchange) {
  for (const auto& p : format) append_var(out, p, exchange);
}

std::string_view render_format(const conf::FormatString& format, const Exchange& exchange) {
  if (format.size() == 1 && format[0].var == conf::FormatVar::literal) return format[0].text;
  thread_local std::string scratch;
  scratch.clear();
  append_format(scratch, format, exchange);
  return exchange.arena->copy(scratch);
}

void append_format_json(std::string& out, const conf::FormatString& format,
                        const Exchange& exchange) {
  thread_local std::string value;
  out.push_back('{');
  bool first = true;
  for (const auto& p : format) {
    if (p.var == conf::FormatVar::literal) continue;
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, json_key(p));
    out.push_back(':');
    value.clear();
    append_var(value, p, exchange);
    if (is_number(p.var))
      out.append(value == "-" ? "null" : value);  // a timing that did not happen
    else
      append_json_string(out, value);
  }
  out.push_back('}');
}

void format_access_line(std::string& line, const conf::AccessLog& log, const Exchange& exchange) {
  line.clear();
  if (log.json)
    append_format_json(line, log.format, exchange);
  else
    append_format(line, log.format, exchange);
  line.push_back('\n');
}

}  // namespace ringress::http
