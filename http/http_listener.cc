#include "http/http_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "core/poll_op.h"
#include "core/socket_address.h"
#include "http/connection.h"

namespace ringress::http {

HttpListener::HttpListener(const conf::Listener& listener, lb::ClusterRefs clusters,
                           core::BufferPool& buffers, uint32_t connection_buffer,
                           AccessLogSinks& logs, HttpStats& stats)
    : listener_(listener),
      settings_(listener.http),
      clusters_(std::move(clusters)),
      buffers_(buffers),
      connection_buffer_(connection_buffer),
      stats_(stats),
      routes_(listener.http.virtual_hosts),
      filters_(make_filters(listener.http.filters, logs)),
      path_normalization_(path_normalization(listener.http)) {
  for (const auto& cidr : settings_.trusted_proxies)
    if (auto r = core::CidrRange::parse(cidr)) proxy_headers_.trusted_proxies.push_back(*r);
  if (!settings_.via.empty()) proxy_headers_.via = "1.1 " + settings_.via;
  proxy_headers_.generate_request_id = settings_.generate_request_id;
  if (listener.tls.enabled) proxy_headers_.scheme = "https";
  limits_.max_head_bytes = settings_.max_request_headers;
  limits_.max_header_count = settings_.max_header_count;
  limits_.max_uri_length = settings_.max_uri_length;
}

HttpListener::~HttpListener() = default;

HttpListener::Peer HttpListener::peer_of(int fd) const {
  Peer p;
  p.accepted_at = core::Clock::now();
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return p;
  if (ss.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(ss);
    std::memcpy(p.address, &in.sin_addr, sizeof(in.sin_addr));
  } else if (ss.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(ss);
    std::memcpy(p.address, &in6.sin6_addr, sizeof(in6.sin6_addr));
  } else {
    return p;
  }
  p.family = static_cast<uint8_t>(ss.ss_family);
  core::SocketAddress peer(reinterpret_cast<sockaddr*>(&ss), len);
  p.port = peer.port();
  for (const auto& range : proxy_headers_.trusted_proxies) p.trusted |= range.contains(peer);
  return p;
}

std::string HttpListener::Peer::ip_text() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family != 0) inet_ntop(family, address, buf, sizeof(buf));
  return buf;
}

// Parked, a connection is this frame (the Peer, the socket, one poll with the idle deadline,
// registered with idle_connections_ so that drain() ends it at once) and nothing else: no
// Connection, no receive queue. The poll firing (a request, or the peer's close) builds a new
// Connection; the deadline or drain() closes the socket.
core::Task<void> HttpListener::serve(core::Socket client, core::TaskScope& scope) {
  ++stats_.connections;
  ++stats_.active_connections;
  Peer peer = peer_of(client.fd());
  for (;;) {
    bool parked = co_await serve_connection(client, peer, scope);
    if (!parked) break;
    int events =
        co_await core::PollWait(client.fd(), peer.idle_deadline, idle_connections_.token());
    if (events < 0) break;  // the idle timeout, drain(): closed with the socket
  }
  --stats_.active_connections;
}

core::Task<bool> HttpListener::serve_connection(core::Socket& socket, Peer& peer,
                                                core::TaskScope& scope) {
  Connection c(*this, std::move(socket), peer);
  scope.add(c);
  bool ready = true;
  if (listener_.tls_context) ready = co_await c.accept_tls();
  if (!ready) co_return false;
  for (;;) {
    co_await c.run();
    if (!c.parking()) break;
    // No byte may be lost between the receive queue and the poll: stop the multishot receive
    // and wait for its last completion; what arrived meanwhile is served now.
    bool queued = co_await c.quiesce();
    if (queued) continue;
    socket = c.release_socket();
    co_return true;
  }
  co_await c.close();
  co_return false;
}

void HttpListener::drain() {
  draining_ = true;
  idle_connections_.cancel();
}

}  // namespace ringress::http
