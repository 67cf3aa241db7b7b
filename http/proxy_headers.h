// The headers a proxy manages on the way through: hop-by-hop fields removed (Connection and the
// fields it names, Keep-Alive, Proxy-Connection, TE except "trailers", Trailer, Upgrade unless
// upgrading, Transfer-Encoding and Expect, which ringress re-frames and answers itself),
// X-Forwarded-For/-Proto/-Host, X-Request-Id, Via, and Host rewriting. A Connection option never
// removes Content-Length, Transfer-Encoding or Host: those carry the framing and the routing
// authority, and dropping them is request smuggling (the body read as a second request).
#pragma once

#include <vector>

#include "conf/http_config.h"
#include "core/cidr.h"
#include "http/exchange.h"
#include "http/header_map.h"

namespace ringress::http {

struct ProxyHeaderSettings {
  std::vector<core::CidrRange> trusted_proxies;
  std::string via;  // "1.1 <name>", or empty for none
  bool generate_request_id = true;
  std::string_view scheme = "http";
};

// Removes hop-by-hop fields. `keep_upgrade` keeps Connection: upgrade and Upgrade. Connection
// options naming Content-Length, Transfer-Encoding or Host are ignored.
void remove_hop_by_hop(HeaderMap& headers, bool keep_upgrade);

// Rewrites request headers for the upstream. `client_trusted`: the peer is a trusted proxy.
// `upstream_host`: the new Host value, or empty to keep the client's; a CONNECT keeps its Host
// (it must name the tunnel's target). A request that came without Host (HTTP/1.0) is sent with
// the authority of its absolute-form target, else `endpoint_host` (the upstream endpoint, as
// nginx's $proxy_host): it goes out as HTTP/1.1, which requires one. The framing fields are
// written from the parsed head (exchange.request), not kept from the map: every Content-Length
// and Transfer-Encoding field is removed, then `Transfer-Encoding: chunked` is added for a
// chunked request, `Content-Length: <parsed length>` for one with a length. Fields sent on
// several lines become one: X-Forwarded-For from a trusted proxy is all its lines joined in
// order, then the peer's address; X-Forwarded-Proto from a trusted proxy is its first element
// (the original client's scheme), else `settings.scheme`; Via is all its lines, then ours; the
// first non-empty X-Request-Id is kept alone.
void prepare_upstream_request(HeaderMap& headers, Exchange& exchange,
                              const ProxyHeaderSettings& settings, bool client_trusted,
                              std::string_view upstream_host, bool upgrading,
                              std::string_view endpoint_host = {});

// Rewrites response headers for the client. Removes Transfer-Encoding (the caller writes the
// framing it sends); keeps the Content-Length field, which the parser has checked (one field,
// a valid number: the value it framed the body with).
void prepare_downstream_response(HeaderMap& headers, const ProxyHeaderSettings& settings,
                                 bool upgrading);

// A random version-4 UUID in the arena.
std::string_view make_request_id(core::Arena& arena);

}  // namespace ringress::http
