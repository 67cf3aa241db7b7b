// proxy_headers target: a header list the input describes (the fields a proxy manages, in any
// case, Connection lists naming any of them, other fields), run through remove_hop_by_hop,
// prepare_upstream_request and prepare_downstream_response (http/proxy_headers.h) with the
// options the input picks. Checks the result field by field against the documented rules:
//  - hop-by-hop fields go, and so do the fields Connection names, except Content-Length,
//    Transfer-Encoding and Host, which a Connection option never removes; every other field
//    stays, in order, with its value;
//  - upstream: the framing is exactly the parsed head's (one Transfer-Encoding: chunked, or one
//    Content-Length with the parsed length, or neither), one X-Forwarded-For (all the trusted
//    client's lines in order, then the client address), one X-Forwarded-Proto (a trusted
//    client's first element, else ours), one X-Request-Id (the first line unless empty, else a new
//    one), Host and X-Forwarded-Host when the Host is rewritten, one Via (all lines, then ours);
//  - downstream: no Transfer-Encoding, Content-Length kept.
#include <initializer_list>
#include <string>
#include <vector>

#include "core/arena.h"
#include "fuzz/byte_reader.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_targets.h"
#include "fuzz/http_transcript.h"
#include "http/exchange.h"
#include "http/header_map.h"
#include "http/message.h"
#include "http/proxy_headers.h"

namespace ringress::fuzz {
namespace {

constexpr std::string_view kNames[] = {"Connection",
                                       "Content-Length",
                                       "Transfer-Encoding",
                                       "Host",
                                       "TE",
                                       "Upgrade",
                                       "Keep-Alive",
                                       "Proxy-Connection",
                                       "Trailer",
                                       "Expect",
                                       "X-Forwarded-For",
                                       "X-Forwarded-Proto",
                                       "X-Forwarded-Host",
                                       "X-Request-Id",
                                       "Via",
                                       "X-Other",
                                       "close",
                                       "trailers",
                                       "upgrade",
                                       "connection"};
constexpr std::string_view kClientIps[] = {"192.0.2.7", "2001:db8::7"};
constexpr std::string_view kUpstreamHost = "backend.internal:8080";
constexpr std::string_view kEndpointHost = "10.0.0.1:8080";

bool is_named(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names)
    if (http::iequals(name, n)) return true;
  return false;
}

// A name from the table in a case the input picks, or a token of the input.
std::string field_name(ByteReader& in) {
  const uint8_t pick = in.u8();
  std::string name;
  if (pick < 200) {
    name = kNames[pick % std::size(kNames)];
    const uint8_t mangle = in.u8();
    for (std::size_t i = 0; i < name.size(); ++i)
      if (mangle & (1u << (i % 8))) name[i] = char(name[i] ^ (name[i] >= 'A' ? 0x20 : 0));
    return name;
  }
  for (char c : in.string(8))
    if (http::is_tchar(c)) name.push_back(c);
  return name.empty() ? std::string("X") : name;
}

// A field value: a list of names (for Connection and friends) or bytes of the input made into a
// valid field value (no controls but HTAB, no whitespace at the ends), as the parser gives.
std::string field_value(ByteReader& in) {
  std::string v;
  if (in.flag()) {
    for (std::size_t n = in.below(4); n > 0; --n) {
      if (!v.empty()) v += in.flag() ? ", " : ",";
      v += field_name(in);
    }
  } else {
    for (char c : in.string(48)) {
      const auto u = static_cast<unsigned char>(c);
      if ((u >= 0x20 && u != 0x7f) || c == '\t') v.push_back(c);
    }
  }
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(v.begin());
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
  return v;
}

// The elements of a comma-separated list, trimmed, without empty ones.
std::vector<std::string> list_elements(std::string_view list) {
  std::vector<std::string> out;
  while (true) {
    const std::size_t comma = list.find(',');
    std::string_view t = list.substr(0, comma);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (!t.empty()) out.emplace_back(t);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

// The names a Connection field lists (RFC 9110 7.6.1).
std::vector<std::string> connection_options(const Fields& fields) {
  std::vector<std::string> out;
  for (const Field& f : fields) {
    if (!http::iequals(f.name, "connection")) continue;
    for (std::string& e : list_elements(f.value)) out.push_back(std::move(e));
  }
  return out;
}

// What remove_hop_by_hop must leave (http/proxy_headers.h).
Fields without_hop_by_hop(const Fields& in, bool keep_upgrade) {
  const std::vector<std::string> options = connection_options(in);
  auto named_by_connection = [&](std::string_view name) {
    if (is_named(name, {"content-length", "transfer-encoding", "host", "connection"})) return false;
    if (keep_upgrade && http::iequals(name, "upgrade")) return false;
    for (const std::string& o : options)
      if (http::iequals(o, name)) return true;
    return false;
  };
  Fields out;
  for (const Field& f : in) {
    if (named_by_connection(f.name)) continue;
    if (is_named(f.name, {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
                          "trailer", "expect"}))
      continue;
    if (http::iequals(f.name, "te") && !http::iequals(f.value, "trailers")) continue;
    if (http::iequals(f.name, "upgrade") && !keep_upgrade) continue;
    out.push_back(f);
  }
  return out;
}

std::vector<std::string> values_of(const Fields& fields, std::string_view name) {
  std::vector<std::string> out;
  for (const Field& f : fields)
    if (http::iequals(f.name, name)) out.push_back(f.value);
  return out;
}

// `fields` without the ones named `names`.
Fields without(const Fields& fields, std::initializer_list<std::string_view> names) {
  Fields out;
  for (const Field& f : fields)
    if (!is_named(f.name, names)) out.push_back(f);
  return out;
}

std::string show(const Fields& fields) {
  Message m;
  m.headers = fields;
  return describe(std::vector<Message>{m});
}

void check_upstream(const Fields& input, const Fields& got, const http::RequestHead& head,
                    const http::ProxyHeaderSettings& s, bool trusted, std::string_view client_ip,
                    std::string_view upstream_host, bool upgrading) {
  const std::string context = "input:\n" + show(input) + "got:\n" + show(got);
  const Fields kept = without_hop_by_hop(input, upgrading);
  // Framing from the parsed head.
  const std::vector<std::string> te = values_of(got, "transfer-encoding");
  const std::vector<std::string> cl = values_of(got, "content-length");
  if (head.chunked) {
    FUZZ_CHECK(te == std::vector<std::string>{"chunked"} && cl.empty(),
               "chunked framing is not one Transfer-Encoding: chunked\n" + context);
  } else if (head.has_content_length) {
    FUZZ_CHECK(te.empty() && cl == std::vector<std::string>{std::to_string(head.content_length)},
               "length framing is not one Content-Length\n" + context);
  } else {
    FUZZ_CHECK(te.empty() && cl.empty(), "framing fields on a request without a body\n" + context);
  }
  // Connection: only the upgrade ringress forwards.
  const std::vector<std::string> connection = values_of(got, "connection");
  FUZZ_CHECK(
      connection == (upgrading ? std::vector<std::string>{"upgrade"} : std::vector<std::string>{}),
      "Connection fields\n" + context);
  // X-Forwarded-For: the trusted client's lines, in order, then the client.
  std::string xff;
  if (trusted) {
    for (const std::string& v : values_of(kept, "x-forwarded-for")) {
      if (v.empty()) continue;
      xff += v + ", ";
    }
  }
  xff += client_ip;
  FUZZ_CHECK(values_of(got, "x-forwarded-for") == std::vector<std::string>{xff},
             "X-Forwarded-For is not \"" + xff + "\"\n" + context);
  // X-Forwarded-Proto: one field, the first element a trusted client sent, else ours.
  std::string proto;
  if (trusted) {
    for (const std::string& v : values_of(kept, "x-forwarded-proto")) {
      const std::vector<std::string> elements = list_elements(v);
      if (!elements.empty()) {
        proto = elements.front();
        break;
      }
    }
  }
  if (proto.empty()) proto = s.scheme;
  FUZZ_CHECK(values_of(got, "x-forwarded-proto") == std::vector<std::string>{proto},
             "X-Forwarded-Proto is not \"" + proto + "\"\n" + context);
  if (!upstream_host.empty()) {
    FUZZ_CHECK(values_of(got, "host") == std::vector<std::string>{std::string(upstream_host)},
               "Host is not the rewritten one\n" + context);
    if (!head.host.empty())
      FUZZ_CHECK(
          values_of(got, "x-forwarded-host") == std::vector<std::string>{std::string(head.host)},
          "X-Forwarded-Host\n" + context);
  } else if (!values_of(input, "host").empty()) {
    FUZZ_CHECK(values_of(got, "host") == values_of(input, "host"),
               "the client's Host fields changed\n" + context);
  } else {
    // A request without Host (HTTP/1.0) gets its target's authority, else the endpoint.
    const std::string want(head.host.empty() ? kEndpointHost : head.host);
    FUZZ_CHECK(values_of(got, "host") == std::vector<std::string>{want},
               "Host of a request that had none is not \"" + want + "\"\n" + context);
  }
  // X-Request-Id: the client's first line alone when it is not empty, else a new one (or the
  // lines as they came).
  const std::vector<std::string> ids = values_of(kept, "x-request-id");
  const std::string id = ids.empty() ? std::string() : ids.front();
  const std::vector<std::string> got_ids = values_of(got, "x-request-id");
  if (!id.empty())
    FUZZ_CHECK(got_ids == std::vector<std::string>{id},
               "X-Request-Id is not \"" + id + "\" alone\n" + context);
  else if (s.generate_request_id)
    FUZZ_CHECK(got_ids.size() == 1 && got_ids[0].size() == 36,
               "X-Request-Id is not one generated id\n" + context);
  else
    FUZZ_CHECK(got_ids == values_of(kept, "x-request-id"), "X-Request-Id changed\n" + context);
  // Via: every hop so far, over all lines in order, then ours.
  if (!s.via.empty()) {
    std::string via;
    for (const std::string& v : values_of(kept, "via"))
      if (!v.empty()) via += v + ", ";
    via += s.via;
    FUZZ_CHECK(values_of(got, "via") == std::vector<std::string>{via},
               "Via is not \"" + via + "\"\n" + context);
  }
  // Every other field stays, in order.
  const std::initializer_list<std::string_view> managed = {
      "connection",       "transfer-encoding", "content-length",
      "x-forwarded-for",  "x-forwarded-proto", "host",
      "x-forwarded-host", "x-request-id",      "via"};
  FUZZ_CHECK(without(got, managed) == without(kept, managed),
             "fields other than the managed ones changed\nwant:\n" + show(without(kept, managed)) +
                 context);
  for (const Field& f : got)
    FUZZ_CHECK(http::is_token(f.name) && http::is_field_value(f.value),
               "a field that cannot be written\n" + context);
}

}  // namespace

void proxy_headers(const uint8_t* data, std::size_t size) {
  ByteReader in(data, size);
  const uint8_t bits = in.u8();
  const bool trusted = bits & 1, upgrading = bits & 2, rewrite_host = bits & 4;
  http::ProxyHeaderSettings settings;
  if (bits & 8) settings.via = "1.1 ringress";
  settings.generate_request_id = (bits & 16) != 0;
  const std::string_view client_ip = kClientIps[(bits >> 5) & 1];

  http::RequestHead head;
  const uint8_t framing = in.u8();
  head.chunked = (framing & 3) == 1;
  head.has_content_length = (framing & 3) == 2;
  head.content_length = head.has_content_length ? in.u16() : 0;
  std::string host(framing & 4 ? "" : "example.com");
  head.host = host;

  Fields input;
  for (std::size_t n = in.below(40); n > 0 && !in.empty(); --n) {
    std::string name = field_name(in);
    std::string value = field_value(in);
    input.push_back({std::move(name), std::move(value)});
  }
  auto build = [&](http::HeaderMap& map) {
    for (const Field& f : input) map.add(f.name, f.value);
  };

  {
    http::HeaderMap map;
    build(map);
    http::remove_hop_by_hop(map, upgrading);
    FUZZ_CHECK(copy_fields(map) == without_hop_by_hop(input, upgrading),
               "remove_hop_by_hop\ninput:\n" + show(input) + "got:\n" + show(copy_fields(map)) +
                   "want:\n" + show(without_hop_by_hop(input, upgrading)));
  }
  {
    core::Arena arena;
    http::HeaderMap map;
    build(map);
    http::Exchange exchange(arena);
    exchange.request = &head;
    exchange.client_ip = client_ip;
    const std::string_view upstream_host = rewrite_host ? kUpstreamHost : std::string_view();
    http::prepare_upstream_request(map, exchange, settings, trusted, upstream_host, upgrading,
                                   kEndpointHost);
    check_upstream(input, copy_fields(map), head, settings, trusted, client_ip, upstream_host,
                   upgrading);
  }
  {
    http::HeaderMap map;
    build(map);
    http::prepare_downstream_response(map, settings, upgrading);
    Fields want = without_hop_by_hop(input, upgrading);
    if (upgrading) want.push_back({"Connection", "upgrade"});
    if (!settings.via.empty()) want.push_back({"Via", settings.via});
    FUZZ_CHECK(copy_fields(map) == want, "prepare_downstream_response\ninput:\n" + show(input) +
                                             "got:\n" + show(copy_fields(map)) + "want:\n" +
                                             show(want));
  }
}

}  // namespace ringress::fuzz
