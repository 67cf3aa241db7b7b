// request_hash: the 64-bit key by which ring_hash and maglev place a request, from a route's
// hash_policy (Envoy's route hash policies). The policies are tried in order and the first that
// yields a key wins (as if each had Envoy's `terminal`); when none does, there is no key and the
// cluster picks at random. Keys are lb::hash64 of the text: a header's first value, a cookie's
// value, the client's IP address (no port), or a query parameter's raw value (present but empty
// counts; absent does not).
//
// Sticky sessions: a cookie policy with a ttl, on a request without that cookie (or with an
// empty one), generates a value, keys the request by it, and returns the Set-Cookie header value
// the caller adds to the response ("sid=<16 hex digits>; Max-Age=3600; Path=/; HttpOnly"). The
// client sends the cookie back, and its next requests hash to the same host. The value comes
// from `connection_seed`, which the caller keeps the same for every request of one downstream
// connection and different across connections (say lb::hash64 of the client's "ip:port" and the
// listener's address, as Envoy does): requests racing on one connection get one cookie.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "conf/http_config.h"
#include "core/arena.h"
#include "http/message.h"

namespace ringress::http {

struct RequestHash {
  std::optional<uint64_t> key;  // for lb::PickContext::hash
  // Not empty: add "Set-Cookie: <set_cookie>" to the response. A view into the request's arena.
  std::string_view set_cookie;
};

// No allocation but the Set-Cookie text in `arena` (the request's), and only when generating.
RequestHash request_hash(std::span<const conf::HashPolicy> policies, const RequestHead& request,
                         std::string_view client_ip, uint64_t connection_seed, core::Arena& arena);

// The value of cookie `name` in the request's Cookie headers (the first one, surrounding double
// quotes removed), or "" when there is none.
std::string_view find_cookie(const HeaderMap& headers, std::string_view name);

}  // namespace ringress::http
