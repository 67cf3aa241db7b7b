// A test HTTP upstream: a TcpServer whose connections parse requests strictly (keep-alive
// aware) and answer with whatever raw bytes the test's handler returns, then keep the
// connection, close it, reset it, stall, or turn into an echo tunnel. Every request is recorded
// (with its connection number) before the handler runs, so a test can assert on exactly what
// the proxy sent, also when the handler stalls.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_message.h"
#include "tests/support/tcp_server.h"
#include "tests/support/test_servers.h"

namespace ringress::test {

// A request as the upstream received it.
struct UpstreamRequest {
  HttpMessage message;
  size_t connection = 0;  // 0, 1, ... in accept order
  size_t index = 0;       // 0, 1, ... on its connection
};

struct UpstreamReply {
  enum class Then {
    keep_alive,  // read the next request (unless the request asked to close)
    close,       // shut down the write side and close
    reset,       // close with SO_LINGER 0 (RST)
    stall,       // send nothing more; wait until the peer closes or the server stops
    echo,        // a tunnel: send back every byte received until EOF
  };

  std::string bytes;           // sent as they are (may be empty)
  uint64_t pattern_bytes = 0;  // then this many bytes of Pattern(pattern_seed)
  uint64_t pattern_seed = 0;
  std::chrono::milliseconds delay{0};  // wait this long before sending anything
  Then then = Then::keep_alive;
  // keep_alive only: close the connection if no new request starts within this long.
  std::optional<std::chrono::milliseconds> idle_close;
};

class HttpUpstream {
 public:
  using Handler = std::function<UpstreamReply(const UpstreamRequest&)>;

  explicit HttpUpstream(Handler handler, size_t max_stored_body = 1 << 20);
  ~HttpUpstream() { stop(); }

  uint16_t port() const { return server_.port(); }
  // TCP connections accepted so far.
  size_t accepted() const { return server_.accepted(); }
  bool wait_accepted(size_t n, Deadline deadline) const {
    return server_.wait_accepted(n, deadline);
  }
  // The first `n` requests once that many arrived; nullopt on deadline.
  std::optional<std::vector<UpstreamRequest>> wait_requests(size_t n, Deadline deadline) const {
    return requests_.wait(n, deadline);
  }
  // Every request so far.
  std::vector<UpstreamRequest> requests() const;
  size_t request_count() const { return requests_.size(); }
  void stop() { server_.stop(); }

 private:
  void serve(int fd, const std::atomic<bool>& stopping);
  // Sends `reply`'s bytes; false if the peer is gone.
  bool send_reply(int fd, const UpstreamReply& reply, const std::atomic<bool>& stopping);

  Handler handler_;
  size_t max_stored_body_;
  std::atomic<size_t> next_connection_{0};
  ResultLog<UpstreamRequest> requests_;
  TcpServer server_;  // last: its threads use the members above
};

// A handler answering 200 with a body naming the request: "<METHOD> <target> <body size>".
UpstreamReply describe_request(const UpstreamRequest& request);

}  // namespace ringress::test
