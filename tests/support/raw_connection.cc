#include "tests/support/raw_connection.h"

#include <algorithm>
#include <charconv>

#include "tests/support/http_message.h"

namespace ringress::test {

std::optional<std::string> RawConnection::read_head() {
  char buf[16384];
  for (;;) {
    size_t end = buffered_.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = buffered_.substr(0, end + 4);
      buffered_.erase(0, end + 4);
      return head;
    }
    IoResult r = recv_some(fd_, buf, sizeof buf, deadline_);
    if (!r.ok()) {
      last_ = r;
      return std::nullopt;
    }
    buffered_.append(buf, r.bytes);
  }
}

IoResult RawConnection::read_exact(size_t size, std::string* out) {
  size_t from_buffer = std::min(size, buffered_.size());
  if (out) out->append(buffered_, 0, from_buffer);
  buffered_.erase(0, from_buffer);
  IoResult result;
  result.bytes = from_buffer;
  char buf[65536];
  while (result.bytes < size) {
    IoResult r = recv_some(fd_, buf, std::min(sizeof buf, size - result.bytes), deadline_);
    if (!r.ok()) {
      r.bytes = result.bytes;
      return r;
    }
    if (out) out->append(buf, r.bytes);
    result.bytes += r.bytes;
  }
  return result;
}

IoResult RawConnection::read_until_closed() {
  size_t buffered = buffered_.size();
  buffered_.clear();
  IoResult r = wait_closed(fd_, deadline_);
  r.bytes += buffered;
  return r;
}

IoResult RawConnection::send(std::string_view bytes) {
  return send_all(fd_, bytes.data(), bytes.size(), deadline_);
}

IoResult RawConnection::fin() {
  shutdown_write(fd_);
  return read_until_closed();
}

std::string head_target(std::string_view head) {
  size_t first = head.find(' ');
  if (first == std::string_view::npos) return "";
  size_t second = head.find(' ', first + 1);
  if (second == std::string_view::npos) return "";
  return std::string(head.substr(first + 1, second - first - 1));
}

std::optional<uint64_t> head_content_length(std::string_view head) {
  size_t line = head.find("\r\n");
  while (line != std::string_view::npos && line + 2 < head.size()) {
    size_t start = line + 2;
    line = head.find("\r\n", start);
    std::string_view field = head.substr(start, line - start);
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || !iequals(field.substr(0, colon), "content-length"))
      continue;
    std::string_view value = field.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc()) return std::nullopt;
    return n;
  }
  return std::nullopt;
}

ScriptedUpstream::ScriptedUpstream(Script script)
    : script_(std::move(script)), server_([this](int fd, const std::atomic<bool>&) {
        RawConnection c(fd, deadline_in(std::chrono::seconds(60)));
        script_(next_++, c);
      }) {}

}  // namespace ringress::test
