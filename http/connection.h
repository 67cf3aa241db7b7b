// HttpListener::Connection: one downstream connection, served by one coroutine (serve()).
// Private to http/. Its member functions are split by job across files:
//   connection.cc          the request loop: reading heads, filters, routing, finishing
//   local_reply.cc         answers ringress writes itself (404, 503, direct responses, ...)
//   upstream_request.cc    choosing a cluster and host, connecting, retries
//   upstream_exchange.cc   one attempt on one upstream connection, and how it ended
//   request_body_pump.cc   the request body, client -> upstream
//   response_relay.cc      the response, upstream -> client (framing, tunnels)
#pragma once

#include <charconv>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/task_scope.h"
#include "http/http_listener.h"
#include "tls/transport.h"

namespace ringress::http {

// Bytes gathered for one send of a body before it goes out.
inline constexpr std::size_t kBatchBytes = 256 * 1024;

inline bool has_body(const RequestHead& r) {
  return r.chunked || (r.has_content_length && r.content_length > 0);
}

// Methods whose request may be sent twice (RFC 9110 9.2.2).
inline bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
         method == "DELETE" || method == "TRACE";
}

// `d` after `from`, or no deadline for a zero duration.
inline core::TimePoint deadline_from(core::TimePoint from, conf::Duration d) {
  if (d.count() <= 0 || d >= core::kNoDeadline - from) return core::kNoDeadline;
  return from + d;
}
inline core::TimePoint deadline_or_none(conf::Duration d) {
  return deadline_from(core::Clock::now(), d);
}

// Whether the retry policy retries a response with `status` (or the local reply it would cause).
inline bool retries_on_status(const conf::RetryPolicy& p, uint16_t status) {
  if (p.status_5xx && status >= 500 && status <= 599) return true;
  return p.gateway_errors && (status == 502 || status == 503 || status == 504);
}

// `v` in decimal, in the arena.
inline std::string_view decimal_in(core::Arena& arena, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return arena.copy(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

class HttpListener::Connection final : public core::Cancellable, core::PeerCloseListener {
 public:
  Connection(HttpListener& l, core::Socket socket, Peer& peer);

  void cancel() override;
  // The TLS handshake of a tls listener (before run()); false: the connection is done.
  core::Task<bool> accept_tls();
  // Serves requests until the connection is to close, or, on a plain connection, until it
  // has waited for a request longer than its park delay (parking()).
  core::Task<void> run();
  bool parking() const { return park_; }
  // Parking: stops the receive side; true when bytes came meanwhile (then run() again).
  core::RecvQueue::QuiesceAwaiter quiesce() { return tcp_.quiesce(); }
  // Parking, after quiesce() resumed false: the socket, open; the Connection is then destroyed.
  core::Socket release_socket() { return tcp_.release(); }
  // Ends the connection: a TLS session with close_notify (so the client can tell a complete
  // close-delimited response from a cut one); and when the client may still be sending (an
  // unread body, pipelined bytes), a lingering close: our side shuts down, and what the client
  // sends for up to lingering_timeout is read and dropped, so that closing with unread bytes
  // does not turn into a reset that destroys the reply in the client's receive buffer.
  core::Task<void> close();

 private:
  // Registered with the listener while waiting for a request, so drain() can close it.
  struct IdleWait final : core::Cancellable {
    Connection* owner = nullptr;
    void cancel() override { owner->down_->cancel(); }
  };
  enum class Input : uint8_t { event, timeout, closed, park };

  // How the request body pump (client -> upstream) stands.
  enum class Body : uint8_t {
    none,             // the request has no body
    sending,          // the pump runs
    done,             // every byte was read and sent
    client_closed,    // the client closed or reset mid-body
    client_timeout,   // the client stalled longer than the route's idle_timeout
    invalid,          // bad chunk framing: the client's fault (400)
    too_large,        // more than the route's max_body_size (413)
    upstream_failed,  // the upstream stopped taking the body
    abandoned,        // the exchange failed first: the pump was told to stop
  };
  // Why an attempt failed. Each has one local reply (when no response byte went to the client
  // yet) and one response flag.
  enum class Failure : uint8_t {
    none,
    upstream_write,    // sending the request head failed
    upstream_closed,   // FIN or reset from the upstream
    upstream_timeout,  // no response (head) in time, or a stalled response body
    upstream_invalid,  // a malformed response
    request_body,      // the pump failed on the client's side (see body_)
    client_write,      // the client stopped taking the response
    client_gone,       // the client closed or reset while waiting, with nothing pipelined
  };
  // How one attempt on one upstream connection ended.
  enum class Outcome : uint8_t {
    complete,     // a whole response was relayed
    failed,       // answered (a local reply, or the client connection cut)
    retry_fresh,  // the keep-alive race: again on a new connection to the same host
    retry_next,   // the route's retry policy: again on the next host
  };
  // One attempt: a request sent on `up` and the response read back.
  struct Attempt {
    lb::UpstreamConnection& up;
    const conf::Route& route;
    bool reused = false;                           // `up` came from the pool
    bool may_retry = false;                        // the request may be replayed on another host
    core::BufferSlice in{};                        // response bytes being parsed
    core::TimePoint started = core::Clock::now();  // when this try began (upstream_time)
    uint32_t in_off = 0;
    bool got_bytes = false;    // a byte of a response arrived
    bool head_sent = false;    // the response head went to the client
    bool out_chunked = false;  // the client gets the body chunked
    bool reusable = false;     // the upstream connection ended clean (keep-alive, nothing left)
    Failure failure = Failure::none;
    core::TimePoint try_deadline = core::kNoDeadline;  // the route's per_try_timeout
    std::string_view set_cookie{};  // a generated sticky cookie for the response (hash_policy)
  };
  // Where the attempt loop of proxy() stands.
  struct Attempts {
    static constexpr std::size_t kMaxTried = 16;
    std::size_t host = 0;
    uint32_t retries_left = 0;
    uint32_t retries_done = 0;
    bool fresh_only = false;       // skip the idle pool (after the keep-alive race)
    bool retrying = false;         // counted in the cluster's retries in flight
    std::size_t tried[kMaxTried];  // hosts tried, so a retry picks another
    std::size_t tried_count = 0;
    std::span<const std::size_t> attempted() const { return {tried, tried_count}; }
    void remember(std::size_t h) {
      if (tried_count < kMaxTried) tried[tried_count++] = h;
    }
  };
  // What a relay step asks of the loop.
  enum class Step : uint8_t { more, ended, failed, retry };

  // connection.cc
  core::Task<bool> serve_one();
  core::Task<Input> next_request_event(ParseStatus& status, bool& started);
  core::Task<void> run_filters_and_route();
  void finish();
  void acquire_context();
  void release_context();
  // The worker's request contexts not in use, shared by its listeners (connection.cc).
  class ContextCache;
  static ContextCache& context_cache();
  core::TimePoint response_deadline(const Attempt& a) const;

  // local_reply.cc
  core::Task<void> reply(uint16_t status, std::string_view body, std::string_view flags, bool close,
                         std::string_view location = {},
                         std::string_view content_type = "text/plain");
  core::Task<void> reply_bad_request(uint16_t status, std::string_view reason);
  core::Task<int> flush_to_client();

  // upstream_request.cc
  core::Task<void> proxy(const conf::Route& route);
  // The upstream connection's receive window for this client (see upstream_request.cc).
  void fit_upstream_window();
  core::Task<bool> open_upstream(lb::UpstreamCluster& cluster,
                                 lb::UpstreamCluster::Snapshot& snapshot, const conf::Route& route,
                                 Attempts& at, bool& reused);
  // Whether a retry may follow (the cluster's max_retries, the route's budget; counts refusals
  // when `count`), and the next host and the backoff before it (false: no reply is possible).
  bool admit_retry(lb::UpstreamCluster& cluster, const conf::Route& route, const Attempts& at,
                   bool count);
  core::Task<bool> next_try(lb::UpstreamCluster& cluster, lb::UpstreamCluster::Snapshot& snapshot,
                            const conf::Route& route, Attempts& at);
  void report_try(lb::UpstreamCluster& cluster, const lb::UpstreamCluster::Snapshot& snapshot,
                  std::size_t host, const Attempt& a, Outcome o);
  core::Task<bool> send_continue();

  // upstream_exchange.cc
  core::Task<Outcome> exchange_with(lb::UpstreamCluster& cluster, Attempt& a);
  Outcome retry_or_fail(const Attempt& a) const;
  core::Task<void> answer_failure(Attempt& a);

  // request_body_pump.cc
  core::Task<void> pump_request_body(lb::UpstreamConnection& up, const conf::Route& route);
  void end_body(Body how, lb::UpstreamConnection& up);

  // response_relay.cc
  core::Task<Outcome> relay_response(Attempt& a);
  core::Task<Step> receive_response(Attempt& a);
  core::Task<Step> on_response_head(Attempt& a);
  void write_response_framing(Attempt& a, ResponseHead& resp, bool tunnel);
  core::Task<Step> tunnel(Attempt& a);
  // While an upstream read waits and nothing else reads the client: a client that closes or
  // resets with no request pipelined behind this one has given up; its exchange is abandoned.
  void watch_client(bool on);
  void on_peer_closed() override;

  HttpListener& l_;
  Peer& peer_;  // serve()'s: outlives this object
  // The client's socket, and on tls listeners the TLS session over it. Once accept_tls()
  // succeeded, tls_ is set and down_ is that session; tcp_ keeps showing what the client sent
  // that nothing read yet (lingering close, parking).
  tls::Transport transport_;
  core::TcpStream& tcp_ = transport_.tcp();
  core::Stream* down_ = &tcp_;
  bool tls_ = false;
  std::string client_cert_;              // X-Forwarded-Client-Cert value, when forwarded
  std::unique_ptr<RequestContext> ctx_;  // only while a request is being served
  Exchange exchange_;
  core::BufferSlice in_;  // request bytes being parsed
  uint32_t in_off_ = 0;
  std::string client_ip_;
  uint16_t client_port_ = 0;
  bool client_trusted_ = false;
  core::TimePoint accepted_at_;    // the first request's header clock starts here
  uint64_t requests_served_ = 0;   // on this connection
  bool close_ = false;             // close after the current response
  bool park_ = false;              // run() ended idle: the connection parks
  bool request_complete_ = false;  // the request's last byte was read
  bool continue_sent_ = false;     // 100 Continue went out for the current request
  bool client_gone_ = false;       // seen by watch_client(): the exchange is abandoned
  bool body_unread_ = false;       // a request was answered before its body was read
  Body body_ = Body::none;
  core::TimePoint body_done_at_{};  // the route timeout runs from here
  std::unique_ptr<lb::UpstreamConnection> upstream_;
  IdleWait idle_;
  core::CancelToken cancel_;  // cancel() ends the waits no stream can end (connect, fault delay)
};

}  // namespace ringress::http
