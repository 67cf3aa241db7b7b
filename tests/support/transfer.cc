#include "tests/support/transfer.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <vector>

#include "tests/support/pattern.h"

namespace ringress::test {

namespace {

constexpr size_t kChunk = 256 * 1024;

// Pattern bytes waiting to be sent: generated a chunk at a time, consumed as send() accepts them.
class Outbox {
 public:
  explicit Outbox(uint64_t seed) : pattern_(seed), buf_(kChunk) {}

  // Sends what the socket takes without blocking, generating up to `limit` bytes in total.
  // Returns false on a send error (errno kept).
  bool pump(int fd, uint64_t limit) {
    while (true) {
      if (head_ == tail_) {
        uint64_t left = limit - pattern_.offset();
        if (left == 0) return true;
        tail_ = static_cast<size_t>(std::min<uint64_t>(left, buf_.size()));
        head_ = 0;
        pattern_.fill(buf_.data(), tail_);
      }
      ssize_t n = ::send(fd, buf_.data() + head_, tail_ - head_, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        head_ += static_cast<size_t>(n);
        sent_ += static_cast<uint64_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        return n < 0 && errno == EAGAIN;
      }
    }
  }
  uint64_t sent() const { return sent_; }

 private:
  Pattern pattern_;
  std::vector<uint8_t> buf_;
  size_t head_ = 0, tail_ = 0;
  uint64_t sent_ = 0;
};

// Receives what is there without blocking and verifies it. Returns false once receiving has
// ended (EOF or error), with the reason in `end`.
bool drain(int fd, Pattern& pattern, std::vector<uint8_t>& buf, TransferResult& result) {
  while (true) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n > 0) {
      pattern.check(buf.data(), static_cast<size_t>(n));
      result.received += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    result.end.bytes = result.received;
    if (n == 0) {
      result.end.status = IoResult::kEof;
    } else {
      result.end.error = errno;
      result.end.status = errno == ECONNRESET ? IoResult::kReset : IoResult::kError;
    }
    return false;
  }
}

TransferResult timed_out(TransferResult result) {
  result.end.status = IoResult::kTimeout;
  result.end.bytes = result.received;
  return result;
}

}  // namespace

std::string TransferResult::describe() const {
  std::string s = "sent " + std::to_string(sent) + ", received " + std::to_string(received) +
                  ", receive ended: " + end.describe();
  if (mismatch) s += ", first wrong byte at offset " + std::to_string(*mismatch);
  if (send_failed) s += ", a send failed";
  return s;
}

TransferResult exchange_patterns(int fd, uint64_t send_bytes, uint64_t send_seed,
                                 uint64_t recv_seed, Deadline deadline) {
  TransferResult result;
  Outbox out(send_seed);
  Pattern in(recv_seed);
  std::vector<uint8_t> buf(kChunk);
  bool sending = true, receiving = true;
  while (sending || receiving) {
    if (sending) {
      if (!out.pump(fd, send_bytes)) {
        result.send_failed = true;
        sending = false;
      } else if (out.sent() == send_bytes) {
        shutdown_write(fd);
        sending = false;
      }
    }
    if (receiving && !drain(fd, in, buf, result)) receiving = false;
    if (!sending && !receiving) break;
    short events = static_cast<short>((sending ? POLLOUT : 0) | (receiving ? POLLIN : 0));
    if (wait_ready(fd, events, deadline) == 0) {
      result.sent = out.sent();
      result.mismatch = in.first_mismatch();
      return timed_out(result);
    }
  }
  result.sent = out.sent();
  result.mismatch = in.first_mismatch();
  return result;
}

TransferResult sink_pattern(int fd, uint64_t seed, Deadline deadline) {
  TransferResult result;
  Pattern in(seed);
  std::vector<uint8_t> buf(kChunk);
  while (drain(fd, in, buf, result)) {
    if (wait_ready(fd, POLLIN, deadline) == 0) {
      result.mismatch = in.first_mismatch();
      return timed_out(result);
    }
  }
  result.mismatch = in.first_mismatch();
  return result;
}

TransferResult source_pattern_while(int fd, uint64_t seed, const std::function<bool()>& keep_going,
                                    Deadline deadline) {
  TransferResult result;
  Outbox out(seed);
  while (keep_going() && Clock::now() < deadline) {
    if (!out.pump(fd, UINT64_MAX)) {
      result.send_failed = true;
      break;
    }
    wait_ready(fd, POLLOUT, std::min(deadline, deadline_in(std::chrono::milliseconds(10))));
  }
  result.sent = out.sent();
  return result;
}

}  // namespace ringress::test
