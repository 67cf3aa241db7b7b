#include "tests/support/http_upstream.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <thread>

#include "tests/support/pattern.h"

namespace ringress::test {

namespace {

// Anything a connection waits on is bounded by this; stop() cuts every wait short anyway.
Deadline connection_deadline() { return deadline_in(std::chrono::minutes(5)); }

bool sleep_unless_stopping(std::chrono::milliseconds d, const std::atomic<bool>& stopping) {
  Deadline until = deadline_in(d);
  while (Clock::now() < until) {
    if (stopping) return false;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(5)));
  }
  return !stopping;
}

bool wants_close(const HttpMessage& m) {
  if (m.headers.has_token("connection", "close")) return true;
  return m.version == "HTTP/1.0" && !m.headers.has_token("connection", "keep-alive");
}

void echo(int fd, std::string pending, Deadline deadline) {
  if (!pending.empty() && !send_all(fd, pending, deadline).ok()) return;
  std::vector<char> buf(65536);
  while (true) {
    IoResult r = recv_some(fd, buf.data(), buf.size(), deadline);
    if (!r.ok() || !send_all(fd, buf.data(), r.bytes, deadline).ok()) return;
  }
}

}  // namespace

HttpUpstream::HttpUpstream(Handler handler, size_t max_stored_body)
    : handler_(std::move(handler)),
      max_stored_body_(max_stored_body),
      server_([this](int fd, const std::atomic<bool>& stopping) { serve(fd, stopping); }) {}

std::vector<UpstreamRequest> HttpUpstream::requests() const {
  return requests_.wait(requests_.size(), Clock::now()).value_or(std::vector<UpstreamRequest>{});
}

void HttpUpstream::serve(int fd, const std::atomic<bool>& stopping) {
  const size_t connection = next_connection_++;
  const Deadline deadline = connection_deadline();
  MessageParser parser(MessageParser::Kind::request, max_stored_body_);
  std::string pending;
  std::vector<char> buf(65536);
  std::optional<std::chrono::milliseconds> idle_close;
  for (size_t index = 0;; ++index) {
    bool eof = false;
    while (!parser.done()) {
      if (!pending.empty()) {
        pending.erase(0, parser.feed(pending.data(), pending.size()));
        continue;
      }
      if (eof) {
        if (!parser.started()) return;  // the peer closed between requests
        parser.feed_eof();
        break;
      }
      if (idle_close && !parser.started() &&
          wait_ready(fd, POLLIN, deadline_in(*idle_close)) == 0) {
        shutdown_write(fd);
        return;
      }
      IoResult r = recv_some(fd, buf.data(), buf.size(), deadline);
      if (r.status == IoResult::kEof) {
        eof = true;
        continue;
      }
      if (!r.ok()) return;
      size_t used = parser.feed(buf.data(), r.bytes);
      pending.append(buf.data() + used, r.bytes - used);
    }
    UpstreamRequest request{parser.take(), connection, index};
    requests_.add(request);
    if (!request.message.ok() || stopping) return;

    UpstreamReply reply = handler_(request);
    if (reply.delay.count() > 0 && !sleep_unless_stopping(reply.delay, stopping)) return;
    if (!send_reply(fd, reply, stopping)) return;
    switch (reply.then) {
      case UpstreamReply::Then::keep_alive:
        if (wants_close(request.message)) {
          shutdown_write(fd);
          return;
        }
        idle_close = reply.idle_close;
        break;
      case UpstreamReply::Then::close:
        shutdown_write(fd);
        return;
      case UpstreamReply::Then::reset:
        set_linger_zero(fd);
        return;
      case UpstreamReply::Then::stall:
        ::ringress::test::wait_closed(fd, deadline);
        return;
      case UpstreamReply::Then::echo:
        echo(fd, std::move(pending), deadline);
        return;
    }
  }
}

bool HttpUpstream::send_reply(int fd, const UpstreamReply& reply,
                              const std::atomic<bool>& stopping) {
  const Deadline deadline = connection_deadline();
  if (!reply.bytes.empty() && !send_all(fd, reply.bytes, deadline).ok()) return false;
  Pattern pattern(reply.pattern_seed);
  std::vector<uint8_t> chunk(256 * 1024);
  uint64_t left = reply.pattern_bytes;
  while (left > 0) {
    if (stopping) return false;
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
    pattern.fill(chunk.data(), n);
    if (!send_all(fd, chunk.data(), n, deadline).ok()) return false;
    left -= n;
  }
  return true;
}

UpstreamReply describe_request(const UpstreamRequest& request) {
  const HttpMessage& m = request.message;
  UpstreamReply reply;
  reply.bytes = ok_response(m.method + " " + m.target + " " + std::to_string(m.body_size));
  return reply;
}

}  // namespace ringress::test
