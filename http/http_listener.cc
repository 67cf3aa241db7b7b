#include "http/http_listener.h"

#include "http/connection.h"

namespace ringress::http {

HttpListener::HttpListener(const conf::Listener& listener,
                           std::deque<lb::UpstreamCluster>& clusters, core::BufferPool& buffers,
                           uint32_t connection_buffer, AccessLogSinks& logs, HttpStats& stats)
    : listener_(listener),
      settings_(listener.http),
      clusters_(clusters),
      buffers_(buffers),
      connection_buffer_(connection_buffer),
      stats_(stats),
      routes_(listener.http.virtual_hosts),
      filters_(make_filters(listener.http.filters, logs)) {
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

core::Task<void> HttpListener::serve(core::Socket client, core::TaskScope& scope) {
  ++stats_.connections;
  ++stats_.active_connections;
  {
    Connection c(*this, std::move(client));
    scope.add(c);
    bool ready = true;
    if (listener_.tls_context) ready = co_await c.accept_tls();
    if (ready) {
      co_await c.run();
      co_await c.close();
    }
  }
  --stats_.active_connections;
}

void HttpListener::drain() {
  draining_ = true;
  idle_connections_.cancel();
}

}  // namespace ringress::http
