// Exchange: everything known about one request/response pair while it is being served. Filters
// read and change it; the access log renders it. Lives in the connection's frame; its views
// point into the request arena, valid until the next request on the connection.
#pragma once

#include <cstdint>
#include <string_view>

#include "conf/http_config.h"
#include "core/arena.h"
#include "core/cancel_token.h"
#include "core/clock.h"
#include "http/message.h"

namespace ringress::http {

// Why a response did not come from an upstream, or what went wrong (access log %RESPONSE_FLAGS%,
// Envoy's short codes where one exists).
namespace flags {
inline constexpr std::string_view kNone = "-";
inline constexpr std::string_view kNoRoute = "NR";
inline constexpr std::string_view kDirectResponse = "DR";
inline constexpr std::string_view kRedirect = "RD";
inline constexpr std::string_view kBadRequest = "DPE";  // downstream protocol error
inline constexpr std::string_view kUpstreamConnectFailure = "UF";
inline constexpr std::string_view kUpstreamReset = "UR";
inline constexpr std::string_view kUpstreamProtocolError = "UPE";
inline constexpr std::string_view kUpstreamTimeout = "UT";
inline constexpr std::string_view kNoHealthyUpstream = "UH";  // no host of the cluster available
inline constexpr std::string_view kUpstreamOverflow = "UO";   // over a circuit breaker's limit
// The upstream's response, of a status the route retries, passed on: no retry was left (its
// attempts, or the retry budget or max_retries allowed none).
inline constexpr std::string_view kRetryLimitExceeded = "URX";
inline constexpr std::string_view kRateLimited = "RL";
inline constexpr std::string_view kFaultInjected = "FI";
inline constexpr std::string_view kBodyTooLarge = "BTL";
inline constexpr std::string_view kRequestTimeout = "RT";     // request headers not in time
inline constexpr std::string_view kStreamIdleTimeout = "SI";  // request body stalled (408)
inline constexpr std::string_view kDownstreamClosed = "DC";   // the client left or stopped reading
inline constexpr std::string_view kCancelled =
    "SC";  // cut by ringress at drain_timeout or shutdown
}  // namespace flags

struct LocalReply {
  uint16_t status = 0;  // 0: none
  std::string_view body;
  std::string_view flags = flags::kNone;
  bool close_connection = false;
};

struct Exchange {
  Exchange() = default;
  explicit Exchange(core::Arena& a) : arena(&a) {}

  core::Arena* arena = nullptr;  // the request's; views below point into it
  RequestHead* request = nullptr;
  ResponseHead* response = nullptr;             // the upstream's, once received
  const HeaderMap* response_headers = nullptr;  // what the client got (upstream's or local)
  std::string_view client_ip;                   // the peer of the downstream connection
  uint16_t client_port = 0;
  std::string_view request_id;
  core::TimePoint start{};
  std::chrono::system_clock::time_point start_wall{};

  const conf::VirtualHost* vhost = nullptr;
  const conf::Route* route = nullptr;
  std::string_view cluster_name;
  std::string_view upstream_host;  // "ip:port" (in the arena) once connected

  uint16_t status = 0;  // what the client got
  uint64_t bytes_received = 0;
  uint64_t bytes_sent = 0;
  std::string_view response_flags = flags::kNone;
  // Upstream timing of the last try (access log): when it started (its request head went out),
  // when the first byte of its response came, how long its new connection took (negative: it
  // used a pooled one, or none was made); and the tries made.
  core::TimePoint upstream_start{};
  core::TimePoint upstream_first_byte{};
  core::Duration upstream_connect{-1};
  uint32_t upstream_attempts = 0;
  std::string_view requested_server_name;  // a TCP session's ClientHello SNI (its access log)

  LocalReply local;  // set by a filter (or the router) to answer without an upstream
  // The connection's: waits a filter starts (a delay) take it, so drain and shutdown end them.
  core::CancelToken* cancel = nullptr;
};

}  // namespace ringress::http
