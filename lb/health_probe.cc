#include "lb/health_probe.h"

#include <cerrno>
#include <cstring>
#include <optional>

#include "core/arena.h"
#include "core/clock.h"
#include "core/reactor.h"
#include "http/parser.h"

namespace ringress::lb {

namespace {

// The probe's own token: cancelled when the timeout expires or when `outer` is cancelled, so
// one token stops the connect, the TLS handshake and every read and write of the probe.
class ProbeClock {
 public:
  ProbeClock(core::TimePoint deadline, core::CancelToken& outer)
      : link_(&outer, CancelInner{&token_}) {
    timer_.deadline = deadline;
    timer_.context = this;
    timer_.fire = [](core::Timer* t) {
      auto* self = static_cast<ProbeClock*>(t->context);
      self->expired_ = true;
      self->token_.cancel();
    };
    core::Reactor::current().add_timer(&timer_);
  }
  ~ProbeClock() {
    if (timer_.queued()) core::Reactor::current().remove_timer(&timer_);
  }
  ProbeClock(const ProbeClock&) = delete;
  ProbeClock& operator=(const ProbeClock&) = delete;

  core::CancelToken& token() { return token_; }
  bool expired() const { return expired_; }

 private:
  struct CancelInner {
    core::CancelToken* token;
    void operator()() const { token->cancel(); }
  };
  core::CancelToken token_;
  core::CancelCallback<CancelInner> link_;
  core::Timer timer_;
  bool expired_ = false;
};

ProbeResult pass(std::string why) { return {true, std::move(why)}; }
ProbeResult fail(std::string why) { return {false, std::move(why)}; }

// Why an operation that returned `error` (-errno) failed.
std::string io_failure(std::string_view what, int error, const ProbeClock& clock) {
  if (clock.expired() || error == -ETIMEDOUT) return "timeout";
  if (error == -ECANCELED) return "cancelled";
  if (error == -ECONNRESET || error == -EPIPE) return "connection reset while " + std::string(what);
  return std::string(what) + " failed: " + std::strerror(-error);
}

std::string connect_failure(const ConnectOutcome& c, const ProbeClock& clock) {
  if (clock.expired()) return "timeout";
  if (c.error == -ECANCELED) return "cancelled";
  if (!c.tls_failure.empty()) return "TLS handshake failed: " + c.tls_failure;
  if (c.error == -ECONNREFUSED) return "connect refused";
  if (c.error == -ETIMEDOUT) return "connect timeout";
  return std::string("connect failed: ") + std::strerror(-c.error);
}

// Sends the request, then reads the response as far as the verdict needs: the status line (and
// headers), and with expected_body the body until it contains that text, ends, or passes
// kHealthCheckBodyLimit.
core::Task<ProbeResult> http_check(const conf::HealthCheck& check, core::Stream& stream,
                                   std::string_view host_header, core::TimePoint deadline,
                                   const ProbeClock& clock) {
  std::string request = check.method + " " + check.path + " HTTP/1.1\r\nHost: ";
  request.append(host_header);
  request += "\r\nUser-Agent: ringress-health-check\r\nConnection: close\r\n\r\n";
  int w = co_await stream.write(request.data(), request.size(), deadline);
  if (w < 0) co_return fail(io_failure("sending the request", w, clock));

  core::Arena arena;
  http::ResponseParser parser(http::ParseLimits{}, arena);
  parser.expect_response_to(check.method);
  uint16_t status = 0;  // of the final response, once its head arrived
  std::string body;
  const std::string& needle = check.expected_body;
  // The verdict once the body is complete, or as far as it is read.
  auto body_verdict = [&] {
    if (body.find(needle) != std::string::npos) return pass("status " + std::to_string(status));
    return fail("body did not contain " + printable(needle));
  };
  // The verdict an event gives, if it gives one.
  auto on_event = [&](http::ParseStatus st) -> std::optional<ProbeResult> {
    switch (st) {
      case http::ParseStatus::head: {
        uint16_t s = parser.head().status;
        if (s >= 100 && s < 200 && s != 101) return std::nullopt;  // interim; the response follows
        status = s;
        if (!check.accepts(status)) return fail("status " + std::to_string(status));
        if (needle.empty()) return pass("status " + std::to_string(status));
        return std::nullopt;
      }
      case http::ParseStatus::body: {
        std::string_view bytes = parser.body().view();
        body.append(bytes.substr(0, conf::kHealthCheckBodyLimit - body.size()));
        if (body.find(needle) != std::string::npos) return body_verdict();
        if (body.size() >= conf::kHealthCheckBodyLimit)
          return fail("body did not contain " + printable(needle) + " in its first " +
                      std::to_string(conf::kHealthCheckBodyLimit / 1024) + " KiB");
        return std::nullopt;
      }
      case http::ParseStatus::message_complete:
        if (status == 0) return std::nullopt;  // the end of an interim response
        return body_verdict();
      case http::ParseStatus::upgrade:
        return body_verdict();  // an accepted 101: nothing more to read
      case http::ParseStatus::error:
        return fail("malformed response: " + std::string(parser.error_reason()));
      case http::ParseStatus::need_more:
        return std::nullopt;
    }
    return std::nullopt;
  };
  for (;;) {
    core::ReadResult r = co_await stream.read(deadline);
    if (r.error < 0) co_return fail(io_failure("reading the response", r.error, clock));
    if (r.eof()) {
      if (status == 0 && !parser.in_message())
        co_return fail("connection closed before a response");
      http::ParseStatus st = parser.finish_on_eof();
      if (st == http::ParseStatus::message_complete && status != 0) co_return body_verdict();
      co_return fail("connection closed before the response ended");
    }
    uint32_t offset = 0;
    for (;;) {
      http::ParseStatus st = parser.parse(r.data, offset);
      if (st == http::ParseStatus::need_more) break;
      if (std::optional<ProbeResult> verdict = on_event(st)) co_return std::move(*verdict);
    }
  }
}

// Writes check.send, then reads until check.expect's length arrived or a byte differs.
core::Task<ProbeResult> tcp_check(const conf::HealthCheck& check, core::Stream& stream,
                                  core::TimePoint deadline, const ProbeClock& clock) {
  if (!check.send.empty()) {
    int w = co_await stream.write(check.send.data(), check.send.size(), deadline);
    if (w < 0) co_return fail(io_failure("sending", w, clock));
  }
  if (check.expect.empty()) co_return pass("connected");
  std::string got;
  while (got.size() < check.expect.size()) {
    core::ReadResult r = co_await stream.read(deadline);
    if (r.error < 0) co_return fail(io_failure("reading the reply", r.error, clock));
    if (r.eof())
      co_return fail("connection closed after " + std::to_string(got.size()) + " of the " +
                     std::to_string(check.expect.size()) + " expected bytes");
    got.append(r.data.view().substr(0, check.expect.size() - got.size()));
    if (check.expect.compare(0, got.size(), got) != 0)
      co_return fail("reply did not start with " + printable(check.expect) + ": got " +
                     printable(got));
  }
  co_return pass("reply matched");
}

}  // namespace

std::string printable(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out + "\"";
}

core::Task<ProbeResult> probe_host(const conf::HealthCheck& check, ConnectionPool& pool,
                                   std::size_t host, std::string_view host_header,
                                   core::CancelToken& stop) {
  const core::TimePoint deadline = core::deadline_after(check.timeout);
  ProbeClock clock(deadline, stop);
  ConnectOutcome c = co_await pool.connect(host, &clock.token());
  if (c.error != 0) co_return fail(connect_failure(c, clock));
  core::Stream& stream = c.connection->stream();
  // The probe's token now ends the connection's reads and writes.
  core::CancelCallback cancel_stream(&clock.token(), [&stream] { stream.cancel(); });
  ProbeResult result;
  if (check.kind == conf::HealthCheck::Kind::http) {
    result = co_await http_check(check, stream, host_header, deadline, clock);
  } else {
    result = co_await tcp_check(check, stream, deadline, clock);
  }
  co_return result;
}

}  // namespace ringress::lb
