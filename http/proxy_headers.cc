#include "http/proxy_headers.h"

#include <charconv>
#include <random>

#include "http/field_names.h"

namespace ringress::http {
namespace {

// Each comma-separated token of `list`, trimmed.
template <typename F>
void for_each_token(std::string_view list, F f) {
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view t = list.substr(0, comma);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (!t.empty()) f(t);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// Fields a Connection option may never remove: the message framing and the request's authority.
// Honouring `Connection: content-length` would forward a body without its length (the body then
// reads as a second request upstream: request smuggling).
bool is_protected_from_connection(KnownField k) {
  return k == KnownField::content_length || k == KnownField::transfer_encoding ||
         k == KnownField::host;
}

std::string_view length_text(core::Arena& arena, uint64_t v) {
  char digits[20];
  auto end = std::to_chars(digits, digits + sizeof(digits), v).ptr;
  return arena.copy({digits, std::size_t(end - digits)});
}

// Content-Length and Transfer-Encoding as the parser understood the request, never as the map
// says: whatever the fields were, the upstream sees the framing ringress will send. A length
// stays where the client put it (in its case); `chunked` is appended.
void write_request_framing(HeaderMap& headers, const RequestHead& request, core::Arena& arena) {
  headers.remove("transfer-encoding");
  bool length_written = false;
  auto& fields = headers.fields();
  std::size_t out = 0;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (iequals(fields[i].name, "content-length")) {
      if (length_written || !request.has_content_length || request.chunked) continue;
      fields[i].value = length_text(arena, request.content_length);
      length_written = true;
    }
    fields[out++] = fields[i];
  }
  fields.resize(out);
  if (request.chunked)
    headers.add("Transfer-Encoding", "chunked");
  else if (request.has_content_length && !length_written)
    headers.add("Content-Length", length_text(arena, request.content_length));
}

// The values of every `name` line, in order, joined with ", " (a list split over several lines
// is one list, RFC 9110 §5.3); empty lines are skipped.
std::string_view joined_values(const HeaderMap& headers, std::string_view name,
                               core::Arena& arena) {
  std::string_view out;
  for (const auto& f : headers) {
    if (!iequals(f.name, name)) continue;
    if (f.value.empty()) continue;
    out = out.empty() ? f.value : arena.extend(arena.extend(out, ", "), f.value);
  }
  return out;
}

// `list` + ", " + `element`, or `element` when the list is empty.
std::string_view append_element(core::Arena& arena, std::string_view list,
                                std::string_view element) {
  return list.empty() ? element : arena.extend(arena.extend(list, ", "), element);
}

// The first non-empty element of the `name` lines, trimmed; empty if none.
std::string_view first_element(const HeaderMap& headers, std::string_view name) {
  std::string_view first;
  for (const auto& f : headers) {
    if (!iequals(f.name, name)) continue;
    for_each_token(f.value, [&](std::string_view t) {
      if (first.empty()) first = t;
    });
    if (!first.empty()) break;
  }
  return first;
}

// Whether a Connection option names a field that remove_hop_by_hop's pass by name keeps: one
// of no known name, or TE (kept when it is `trailers`). Never the framing or the authority; the
// other known names are dropped by name anyway (or, an upgrade being relayed, kept).
bool names_kept_fields(std::string_view connection_value) {
  bool any = false;
  for_each_token(connection_value, [&](std::string_view token) {
    const KnownField k = known_field(token);
    any |= !is_protected_from_connection(k) && (k == KnownField::other || k == KnownField::te);
  });
  return any;
}

}  // namespace

void remove_hop_by_hop(HeaderMap& headers, bool keep_upgrade) {
  // One pass drops the hop-by-hop fields by name, and the Connection lines whose options name
  // nothing else (`keep-alive`, `close`, `upgrade`); the others stay for a second pass.
  auto& fields = headers.fields();
  std::size_t out = 0;
  bool named = false;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name.empty()) continue;
    switch (known_field(fields[i].name)) {
      case KnownField::connection:
        if (!names_kept_fields(fields[i].value)) continue;
        named = true;
        break;
      case KnownField::keep_alive:
      case KnownField::proxy_connection:
      case KnownField::transfer_encoding:
      case KnownField::trailer:
      case KnownField::expect:
        continue;
      case KnownField::te:
        if (!iequals(fields[i].value, "trailers")) continue;
        break;
      case KnownField::upgrade:
        if (!keep_upgrade) continue;
        break;
      default:
        break;
    }
    fields[out++] = fields[i];
  }
  fields.resize(out);
  if (!named) return;
  // Fields named by Connection are hop-by-hop too (RFC 9110 7.6.1): their names are cleared,
  // then they and the Connection lines go.
  for (auto& f : fields) {
    if (known_field(f.name) != KnownField::connection) continue;
    for_each_token(f.value, [&](std::string_view token) {
      const KnownField k = known_field(token);
      if (is_protected_from_connection(k) || (k != KnownField::other && k != KnownField::te))
        return;
      for (auto& g : fields)
        if (iequals(g.name, token)) g.name = {};
    });
    f.name = {};
  }
  std::erase_if(fields, [](const HeaderField& f) { return f.name.empty(); });
}

void prepare_upstream_request(HeaderMap& headers, Exchange& e, const ProxyHeaderSettings& s,
                              bool client_trusted, std::string_view upstream_host, bool upgrading,
                              std::string_view endpoint_host) {
  remove_hop_by_hop(headers, upgrading);
  if (upgrading) headers.add("Connection", "upgrade");
  write_request_framing(headers, *e.request, *e.arena);

  // A trusted proxy's list, over all its lines in order, then the peer.
  std::string_view forwarded_for =
      client_trusted ? joined_values(headers, "x-forwarded-for", *e.arena) : std::string_view{};
  headers.set("X-Forwarded-For", append_element(*e.arena, forwarded_for, e.client_ip));
  // The scheme the original client used: the first element a trusted proxy sent, as one field.
  std::string_view proto =
      client_trusted ? first_element(headers, "x-forwarded-proto") : std::string_view{};
  headers.set("X-Forwarded-Proto", proto.empty() ? s.scheme : proto);

  if (!upstream_host.empty() && e.request->method != "CONNECT") {
    if (!e.request->host.empty()) headers.set("X-Forwarded-Host", e.request->host);
    headers.set("Host", upstream_host);
  } else if (!headers.get("host")) {
    const std::string_view host = e.request->host.empty() ? endpoint_host : e.request->host;
    if (!host.empty()) headers.set("Host", host);
  }

  // The client's id (its first line, sent as the only one: the upstream and the access log must
  // agree), or a new one.
  if (const std::string_view* id = headers.get("x-request-id"); id && !id->empty()) {
    e.request_id = *id;
    if (headers.count("x-request-id") > 1) headers.set("X-Request-Id", e.request_id);
  } else if (s.generate_request_id) {
    e.request_id = make_request_id(*e.arena);
    headers.set("X-Request-Id", e.request_id);
  }

  // Via lists every hop so far, over all its lines in order, then this one.
  if (!s.via.empty())
    headers.set("Via", append_element(*e.arena, joined_values(headers, "via", *e.arena), s.via));
}

void prepare_downstream_response(HeaderMap& headers, const ProxyHeaderSettings& s, bool upgrading) {
  remove_hop_by_hop(headers, upgrading);
  if (upgrading) headers.add("Connection", "upgrade");
  if (!s.via.empty()) headers.add("Via", s.via);
}

std::string_view make_request_id(core::Arena& arena) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  char* p = arena.allocate(36);
  int pos = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) p[pos++] = '-';
    uint8_t byte = static_cast<uint8_t>(i < 8 ? hi >> (56 - 8 * i) : lo >> (56 - 8 * (i - 8)));
    p[pos++] = kHex[byte >> 4];
    p[pos++] = kHex[byte & 15];
  }
  return {p, 36};
}

}  // namespace ringress::http
