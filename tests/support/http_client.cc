#include "tests/support/http_client.h"

#include <sys/socket.h>

#include <algorithm>

namespace ringress::test {

HttpClient::HttpClient(uint16_t port, Deadline deadline) : fd_(connect_tcp(port, deadline)) {}

IoResult HttpClient::send(std::string_view bytes, Deadline deadline) {
  return send_all(fd_.get(), bytes.data(), bytes.size(), deadline);
}

HttpMessage HttpClient::read_response(Deadline deadline, const ReadOptions& options) {
  parser_.set_head_request(options.head_request);
  parser_.set_body_sink(options.body_sink);
  std::vector<char> buf(65536);
  while (true) {
    if (!pending_.empty() && !parser_.done()) {
      size_t used = parser_.feed(pending_.data(), pending_.size());
      pending_.erase(0, used);
    }
    if (!parser_.done() && eof_) parser_.feed_eof();
    if (parser_.done()) {
      HttpMessage m = parser_.take();
      if (m.ok() && m.status < 200 && m.status != 101 && !options.keep_interim) {
        interim_.push_back(m.status);
        parser_.set_head_request(options.head_request);
        continue;
      }
      return m;
    }
    IoResult r = recv_some(fd_.get(), buf.data(), buf.size(), deadline);
    if (r.status == IoResult::kEof) {
      eof_ = true;
      continue;
    }
    if (!r.ok()) {
      HttpMessage m = parser_.take();
      m.error = "receiving a response: " + r.describe() +
                (m.head.empty() ? "" : " (the head had arrived)");
      return m;
    }
    size_t used = parser_.feed(buf.data(), r.bytes);
    pending_.append(buf.data() + used, r.bytes - used);
  }
}

HttpMessage HttpClient::round_trip(std::string_view request, Deadline deadline,
                                   const ReadOptions& options) {
  IoResult sent = send(request, deadline);
  if (!sent.ok()) {
    HttpMessage m;
    m.error = "sending the request: " + sent.describe();
    return m;
  }
  return read_response(deadline, options);
}

std::string HttpClient::take_buffered() { return std::exchange(pending_, std::string()); }

IoResult HttpClient::recv_raw(std::string& out, size_t size, Deadline deadline) {
  size_t from_buffer = std::min(size, pending_.size());
  out.append(pending_, 0, from_buffer);
  pending_.erase(0, from_buffer);
  size_t start = out.size();
  out.resize(start + size - from_buffer);
  IoResult r = recv_exact(fd_.get(), out.data() + start, size - from_buffer, deadline);
  out.resize(start + r.bytes);
  r.bytes += from_buffer;
  return r;
}

IoResult HttpClient::wait_closed(Deadline deadline, std::string* extra) {
  size_t buffered = pending_.size();
  if (extra) extra->append(pending_);
  pending_.clear();
  IoResult r;
  if (eof_) {
    r.status = IoResult::kEof;
  } else if (extra) {
    r = recv_until_closed(fd_.get(), *extra, 64 << 20, deadline);
  } else {
    r = ::ringress::test::wait_closed(fd_.get(), deadline);
  }
  r.bytes += buffered;
  return r;
}

}  // namespace ringress::test
