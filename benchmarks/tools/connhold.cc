// connhold: opens many HTTP/1.1 keep-alive connections to a target, sends one GET on each and
// reads its response, then keeps them all open and idle, so the harness can read the memory a
// proxy spends per idle kept-alive connection. One thread, one epoll set, plain sockets (no
// ringress code).
//
//   connhold --target 127.0.0.1:P [--connections 10000] [--sources 8] [--concurrency 64]
//            [--path /64] [--request 1] [--timeout 30]
//
// Connections are spread over the source addresses 127.0.0.1 .. 127.0.0.<sources> (bound with
// IP_BIND_ADDRESS_NO_PORT, so the port is picked per destination at connect time): 10 000
// connections plus the TIME_WAIT left by earlier runs can exceed one address's ephemeral ports.
// At most `concurrency` connections are being set up at a time, so the proxy never needs more
// than that many upstream connections. With --request 0 the connections send nothing.
//
// Prints one JSON line when every connection is idle (or failed, or the timeout passed):
//   {"phase":"ready","connections":N,"answered":N,"errors":E,...}
// then holds until SIGTERM / SIGINT, and prints a last line
//   {"phase":"done","closed_by_peer":K,...}
// before closing everything. The soft RLIMIT_NOFILE is raised to the hard limit at start.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "benchmarks/tools/tool_common.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace ringress::bench {
namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

enum class State { connecting, awaiting_response, idle, failed };

struct Conn {
  int fd = -1;
  State state = State::connecting;
  std::string head;          // response bytes until the end of the header section
  long long body_left = -1;  // body bytes still to read once the head is complete
};

struct Totals {
  long opened = 0, answered = 0, connect_errors = 0, io_errors = 0, bad_responses = 0;
  long closed_by_peer = 0;
  std::string last_error;
};

long long content_length(std::string_view head) {
  // Case-insensitive search for "\r\ncontent-length:".
  static constexpr std::string_view kName = "\r\ncontent-length:";
  for (std::size_t i = 0; i + kName.size() <= head.size(); ++i) {
    if (strncasecmp(head.data() + i, kName.data(), kName.size()) == 0)
      return std::strtoll(head.data() + i + kName.size(), nullptr, 10);
  }
  return -1;
}

class Holder {
 public:
  Holder(const sockaddr_in& target, const Flags& flags)
      : target_(target),
        want_(flags.get_int("connections", 10000)),
        sources_(flags.get_int("sources", 8)),
        concurrency_(flags.get_int("concurrency", 64)),
        send_request_(flags.get_int("request", 1) != 0),
        request_("GET " + flags.get("path", "/64") +
                 " HTTP/1.1\r\nHost: bench\r\nUser-Agent: connhold\r\n\r\n") {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    conns_.resize(static_cast<std::size_t>(want_));
  }
  ~Holder() {
    for (Conn& c : conns_)
      if (c.fd >= 0) close(c.fd);
    close(ep_);
  }

  void open_all(double deadline);
  void hold();
  void print(const char* phase, double seconds) const;

 private:
  void start(long i);
  void on_event(long i, uint32_t events);
  void fail(long i, long& counter, int err);
  void settle(long i);
  long setting_up() const { return started_ - settled_; }

  sockaddr_in target_;
  long want_, sources_, concurrency_;
  bool send_request_;
  std::string request_;
  int ep_;
  std::vector<Conn> conns_;
  long started_ = 0, settled_ = 0;
  Totals t_;
};

void Holder::start(long i) {
  Conn& c = conns_[static_cast<std::size_t>(i)];
  ++started_;
  c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) {
    fail(i, t_.connect_errors, errno);
    return;
  }
  if (sources_ > 1) {
    int one = 1;
    setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7f000001u + static_cast<uint32_t>(i % sources_));
    if (bind(c.fd, reinterpret_cast<const sockaddr*>(&src), sizeof(src)) != 0) {
      fail(i, t_.connect_errors, errno);
      return;
    }
  }
  set_nodelay(c.fd);
  int rc = connect(c.fd, reinterpret_cast<const sockaddr*>(&target_), sizeof(target_));
  if (rc != 0 && errno != EINPROGRESS) {
    fail(i, t_.connect_errors, errno);
    return;
  }
  epoll_event ev{};
  ev.data.u64 = static_cast<uint64_t>(i);
  ev.events = EPOLLOUT;
  epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
}

void Holder::fail(long i, long& counter, int err) {
  Conn& c = conns_[static_cast<std::size_t>(i)];
  ++counter;
  t_.last_error = err ? std::strerror(err) : "unexpected response or end of stream";
  if (c.fd >= 0) close(c.fd);
  c.fd = -1;
  if (c.state != State::idle) ++settled_;
  c.state = State::failed;
}

void Holder::settle(long i) {
  Conn& c = conns_[static_cast<std::size_t>(i)];
  c.state = State::idle;
  c.head = std::string();
  ++settled_;
  // Stay registered for EPOLLIN only: a close by the peer while idle is counted in hold().
  epoll_event ev{};
  ev.data.u64 = static_cast<uint64_t>(i);
  ev.events = EPOLLIN | EPOLLRDHUP;
  epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
}

void Holder::on_event(long i, uint32_t events) {
  Conn& c = conns_[static_cast<std::size_t>(i)];
  if (c.state == State::connecting) {
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
      fail(i, t_.connect_errors, err);
      return;
    }
    ++t_.opened;
    if (!send_request_) {
      settle(i);
      return;
    }
    if (send(c.fd, request_.data(), request_.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request_.size())) {
      fail(i, t_.io_errors, errno);
      return;
    }
    c.state = State::awaiting_response;
    epoll_event ev{};
    ev.data.u64 = static_cast<uint64_t>(i);
    ev.events = EPOLLIN;
    epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
    return;
  }
  if (c.state == State::idle) {
    // Data or a close on a connection that should stay quiet.
    char buf[512];
    ssize_t r = read(c.fd, buf, sizeof(buf));
    if (r <= 0 && !(r < 0 && errno == EAGAIN)) {
      ++t_.closed_by_peer;
      epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
      close(c.fd);
      c.fd = -1;
      c.state = State::failed;
    }
    return;
  }
  char buf[16384];
  for (;;) {
    ssize_t r = read(c.fd, buf, sizeof(buf));
    if (r < 0 && errno == EAGAIN) return;
    if (r <= 0) {
      fail(i, t_.io_errors, r < 0 ? errno : 0);
      return;
    }
    std::string_view got(buf, static_cast<std::size_t>(r));
    if (c.body_left < 0) {
      c.head.append(got);
      auto end = c.head.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      long long cl = content_length(c.head);
      if (cl < 0 || c.head.compare(0, 9, "HTTP/1.1 ") != 0) {
        fail(i, t_.bad_responses, 0);
        return;
      }
      c.body_left = cl - static_cast<long long>(c.head.size() - (end + 4));
    } else {
      c.body_left -= r;
    }
    if (c.body_left == 0) {
      ++t_.answered;
      settle(i);
      return;
    }
    if (c.body_left < 0) {
      fail(i, t_.bad_responses, 0);
      return;
    }
  }
}

void Holder::open_all(double deadline) {
  long next = 0;
  epoll_event events[256];
  while (!g_stop && now_seconds() < deadline && (next < want_ || setting_up() > 0)) {
    while (next < want_ && setting_up() < concurrency_) start(next++);
    int n = epoll_wait(ep_, events, 256, 100);
    for (int k = 0; k < n; ++k) on_event(static_cast<long>(events[k].data.u64), events[k].events);
  }
}

void Holder::hold() {
  epoll_event events[256];
  while (!g_stop) {
    int n = epoll_wait(ep_, events, 256, 200);
    for (int k = 0; k < n; ++k) on_event(static_cast<long>(events[k].data.u64), events[k].events);
  }
}

void Holder::print(const char* phase, double seconds) const {
  long idle = 0;
  for (const Conn& c : conns_) idle += c.state == State::idle;
  std::printf(
      "{\"phase\":\"%s\",\"wanted\":%ld,\"opened\":%ld,\"answered\":%ld,\"idle\":%ld,"
      "\"connect_errors\":%ld,\"io_errors\":%ld,\"bad_responses\":%ld,\"closed_by_peer\":%ld,"
      "\"seconds\":%.3f,\"last_error\":\"%s\"}\n",
      phase, want_, t_.opened, t_.answered, idle, t_.connect_errors, t_.io_errors, t_.bad_responses,
      t_.closed_by_peer, seconds, t_.last_error.c_str());
  std::fflush(stdout);
}

int usage(const char* error) {
  std::fprintf(stderr,
               "connhold: %s\nusage: connhold --target IP:PORT [--connections N] [--sources S] "
               "[--concurrency C] [--path /64] [--request 1|0] [--timeout SECONDS]\n",
               error);
  return 2;
}

int run(int argc, char** argv) {
  Flags flags;
  std::string error;
  if (!flags.parse(argc, argv, 1, error)) return usage(error.c_str());
  std::string bad = flags.unknown("target connections sources concurrency path request timeout");
  if (!bad.empty()) return usage(("unknown flag --" + bad).c_str());
  sockaddr_in target{};
  if (!parse_ipv4(flags.get("target", ""), target)) return usage("--target IP:PORT is required");

  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);

  Holder holder(target, flags);
  const double start = now_seconds();
  holder.open_all(start + flags.get_double("timeout", 30));
  holder.print("ready", now_seconds() - start);
  holder.hold();
  holder.print("done", now_seconds() - start);
  return 0;
}

}  // namespace
}  // namespace ringress::bench

int main(int argc, char** argv) { return ringress::bench::run(argc, argv); }
