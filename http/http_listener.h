// HttpListener: the HTTP connection manager of one http listener on one worker. Each accepted
// connection is served by one coroutine that reads a request head, runs the filter chain,
// routes, and either answers locally (direct response, redirect, error) or proxies the request
// over a pooled keep-alive upstream connection, streaming bodies both ways; then the next
// request (pipelined requests are answered in order). See docs/design.md.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "conf/config.h"
#include "core/buffer_pool.h"
#include "core/socket.h"
#include "core/task.h"
#include "core/task_scope.h"
#include "http/access_log_sink.h"
#include "http/filter.h"
#include "http/http_stats.h"
#include "http/message.h"
#include "http/output_batch.h"
#include "http/parser.h"
#include "http/path_normalize.h"
#include "http/proxy_headers.h"
#include "http/route_table.h"
#include "lb/cluster_refs.h"
#include "lb/upstream_cluster.h"

namespace ringress::http {

class HttpListener {
 public:
  // `clusters[i]` is this worker's state for config.clusters[i] (of the generation `listener`
  // belongs to; app/worker_generation.h).
  HttpListener(const conf::Listener& listener, lb::ClusterRefs clusters, core::BufferPool& buffers,
               uint32_t connection_buffer, AccessLogSinks& logs, HttpStats& stats);
  ~HttpListener();

  // Serves one downstream connection until it closes. `scope` (the worker's) may cancel it.
  // A plain connection that stays idle longer than its park delay is parked in between: its
  // Connection goes away and serve() keeps only a Peer, the socket and one poll on it.
  core::Task<void> serve(core::Socket client, core::TaskScope& scope);
  // Graceful stop: idle keep-alive connections close now, busy ones after their response.
  void drain();
  // A reload replaced this listener's generation: every connection closes after its next
  // response (with "Connection: close"), an idle one when its next request was answered or at
  // its idle timeout, never while the client may be sending a request on it.
  void retire() { retired_ = true; }

  class Connection;

 private:
  friend class Connection;
  // What a downstream connection keeps across the Connection objects that serve it (one per
  // wake-up from parking): serve() holds it, and while parked it is all there is.
  struct Peer {
    core::TimePoint accepted_at;
    core::TimePoint idle_deadline = core::kNoDeadline;  // parked: when the wait for a request ends
    uint64_t requests_served = 0;
    uint32_t last_gap_us = 0;  // the last wait for a request's first byte: sets the park delay
    unsigned char address[16] = {};  // the client's (an IPv4 address in the first 4 bytes)
    uint16_t port = 0;
    uint8_t family = 0;    // AF_INET, AF_INET6, or 0 when unknown
    bool trusted = false;  // within trusted_proxies
    std::string ip_text() const;
  };
  Peer peer_of(int fd) const;
  // One Connection on `socket` (taken) until the connection closes (false) or parks (true:
  // `socket` is back, open, with nothing unread in user space).
  core::Task<bool> serve_connection(core::Socket& socket, Peer& peer, core::TaskScope& scope);
  // The memory one request needs (parsers, arena, output batches). A connection borrows one
  // when a request starts and gives it back when it goes idle, so an idle keep-alive
  // connection holds almost nothing, and a steady load reuses the same few without allocating.
  struct RequestContext {
    explicit RequestContext(const ParseLimits& limits)
        : request_parser(limits, arena), response_parser(limits, arena) {}
    core::Arena arena;
    RequestParser request_parser;
    ResponseParser response_parser;
    HeaderMap reply_headers;  // local replies
    OutputBatch out;          // to the client
    OutputBatch up_out;       // to the upstream
    std::string head;         // the upstream request head, kept for a retry
  };
  const conf::Listener& listener_;
  const conf::HttpSettings& settings_;
  lb::ClusterRefs clusters_;
  core::BufferPool& buffers_;
  uint32_t connection_buffer_;
  HttpStats& stats_;
  RouteTable routes_;
  std::vector<std::unique_ptr<Filter>> filters_;
  ProxyHeaderSettings proxy_headers_;
  ParseLimits limits_;
  PathNormalization path_normalization_;  // the listener's settings, read once
  bool draining_ = false;
  bool retired_ = false;              // retire(): "Connection: close" on every response from now on
  core::TaskScope idle_connections_;  // registry only: connections waiting for a request
};

}  // namespace ringress::http
