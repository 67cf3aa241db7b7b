// tcpload: the load generator of the end-to-end TCP benchmark. One thread, one epoll set, plain
// non-blocking sockets (no io_uring: the load side must not share code with the proxy). Modes:
//
//   throughput  N connections each send CHUNK-byte writes as fast as the target takes them for
//               D seconds (--direction up; the target's upstream is a sink), or read what the
//               target sends (--direction down; the upstream is a source). Reports MiB/s.
//   connrate    C concurrent loops, each: connect, send 1 byte, read 1 byte back, close; for
//               D seconds. Reports connections/s and mean latency. --close server (default)
//               waits for the upstream's FIN before closing (tcpsink --mode echo_close), so
//               TIME_WAIT stays on the server side; --close client closes right after the
//               byte (tcpsink --mode echo): TIME_WAIT then holds the client's ephemeral ports
//               and the kernel's port reuse can become the limit.
//
// Prints one JSON line of totals on stdout. Errors are counted, not fatal, so a proxy that
// drops connections shows up in the figures instead of hanging the harness.
//
//   tcpload throughput --target 127.0.0.1:P [--connections 16] [--duration 5]
//                      [--direction up|down] [--chunk 65536]
//   tcpload connrate   --target 127.0.0.1:P [--concurrency 32] [--duration 5]
//                      [--close server|client]
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "benchmarks/tools/tool_common.h"

namespace ringress::bench {
namespace {

constexpr int kMaxIoPerEvent = 16;  // reads/writes per readiness event, for fairness

int usage(const char* error);

// Counts of what went wrong; the last errno text names the most recent cause.
struct Errors {
  unsigned long long connect = 0, io = 0;
  std::string last;
  void note(unsigned long long& counter, int err) {
    ++counter;
    last = err ? std::strerror(err) : "unexpected end of stream";
  }
};

void print_errors(const Errors& e) {
  std::printf("\"connect_errors\":%llu,\"io_errors\":%llu,\"last_error\":\"%s\"", e.connect, e.io,
              e.last.c_str());
}

int epoll_wait_until(int ep, epoll_event* events, int max, double deadline) {
  double left = deadline - now_seconds();
  if (left <= 0) return 0;
  int n = epoll_wait(ep, events, max, static_cast<int>(left * 1000) + 1);
  return n < 0 ? 0 : n;
}

int run_throughput(const sockaddr_in& target, const Flags& flags) {
  const long connections = flags.get_int("connections", 16);
  const double duration = flags.get_double("duration", 5);
  const bool up = flags.get("direction", "up") == "up";
  std::vector<char> buf(static_cast<std::size_t>(flags.get_int("chunk", 65536)), 'x');
  Errors errors;
  int ep = epoll_create1(EPOLL_CLOEXEC);
  std::vector<int> fds;
  for (long i = 0; i < connections; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd, reinterpret_cast<const sockaddr*>(&target), sizeof(target)) != 0) {
      errors.note(errors.connect, errno);
      close(fd);
      continue;
    }
    set_nonblocking(fd);
    set_nodelay(fd);
    epoll_event ev{};
    ev.events = up ? EPOLLOUT : EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    fds.push_back(fd);
  }

  unsigned long long bytes = 0;
  const double cpu_start = process_cpu_seconds();
  const double start = now_seconds();
  const double deadline = start + duration;
  epoll_event events[256];
  while (now_seconds() < deadline) {
    int n = epoll_wait_until(ep, events, 256, deadline);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      for (int k = 0; k < kMaxIoPerEvent; ++k) {
        ssize_t r =
            up ? send(fd, buf.data(), buf.size(), MSG_NOSIGNAL) : read(fd, buf.data(), buf.size());
        if (r < 0 && errno == EAGAIN) break;
        if (r <= 0) {
          errors.note(errors.io, r < 0 ? errno : 0);
          epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
          break;
        }
        bytes += static_cast<unsigned long long>(r);
      }
    }
  }
  const double elapsed = now_seconds() - start;
  const double cpu = process_cpu_seconds() - cpu_start;
  for (int fd : fds) close(fd);

  std::printf(
      "{\"mode\":\"throughput\",\"direction\":\"%s\",\"connections\":%zu,\"seconds\":%.3f,"
      "\"bytes\":%llu,\"mib_per_s\":%.1f,\"load_cpu_seconds\":%.3f,",
      up ? "up" : "down", fds.size(), elapsed, bytes, double(bytes) / (1 << 20) / elapsed, cpu);
  print_errors(errors);
  std::printf("}\n");
  return fds.empty() ? 1 : 0;
}

// One connect / 1 byte there / 1 byte back / close loop.
struct Slot {
  int fd = -1;
  bool connected = false;
  bool echoed = false;
  double started = 0;
};

class ConnLoops {
 public:
  ConnLoops(const sockaddr_in& target, long concurrency, bool wait_fin)
      : target_(target), slots_(concurrency), wait_fin_(wait_fin) {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
  }
  ~ConnLoops() {
    for (Slot& s : slots_)
      if (s.fd >= 0) close(s.fd);
    close(ep_);
  }
  void run(double deadline);
  unsigned long long done = 0;
  double latency_sum = 0;
  Errors errors;

 private:
  void start(uint32_t i);
  void on_event(uint32_t i, uint32_t events);
  void restart(uint32_t i) {
    close(slots_[i].fd);  // also removes it from the epoll set
    slots_[i].fd = -1;
    start(i);
  }

  sockaddr_in target_;
  std::vector<Slot> slots_;
  bool wait_fin_;
  int ep_;
};

void ConnLoops::start(uint32_t i) {
  Slot& s = slots_[i];
  s = Slot{};
  s.started = now_seconds();
  s.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  set_nodelay(s.fd);
  int rc = connect(s.fd, reinterpret_cast<const sockaddr*>(&target_), sizeof(target_));
  epoll_event ev{};
  ev.data.u32 = i;
  ev.events = EPOLLOUT;
  if (rc != 0 && errno != EINPROGRESS) {
    // Typically EADDRNOTAVAIL (ephemeral ports in TIME_WAIT): counted; the slot retries at
    // its next EPOLLOUT, which a failed socket reports at once.
    errors.note(errors.connect, errno);
  }
  epoll_ctl(ep_, EPOLL_CTL_ADD, s.fd, &ev);
}

void ConnLoops::on_event(uint32_t i, uint32_t events) {
  Slot& s = slots_[i];
  char byte = 'x';
  if (!s.connected) {
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
      if (err != 0) errors.note(errors.connect, err);
      restart(i);
      return;
    }
    if (send(s.fd, &byte, 1, MSG_NOSIGNAL) != 1) {
      errors.note(errors.io, errno);
      restart(i);
      return;
    }
    s.connected = true;
    epoll_event ev{};
    ev.data.u32 = i;
    ev.events = EPOLLIN;
    epoll_ctl(ep_, EPOLL_CTL_MOD, s.fd, &ev);
    return;
  }
  ssize_t n = read(s.fd, &byte, 1);
  if (n < 0 && errno == EAGAIN) return;
  if (n == 1 && !s.echoed) {
    s.echoed = true;
    if (wait_fin_) return;  // the upstream's FIN comes next
  } else if (!(n == 0 && s.echoed && wait_fin_)) {
    errors.note(errors.io, n < 0 ? errno : 0);
    restart(i);
    return;
  }
  ++done;
  latency_sum += now_seconds() - s.started;
  restart(i);
}

void ConnLoops::run(double deadline) {
  for (uint32_t i = 0; i < slots_.size(); ++i) start(i);
  epoll_event events[256];
  while (now_seconds() < deadline) {
    int n = epoll_wait_until(ep_, events, 256, deadline);
    for (int k = 0; k < n; ++k) on_event(events[k].data.u32, events[k].events);
  }
}

int run_connrate(const sockaddr_in& target, const Flags& flags) {
  const long concurrency = flags.get_int("concurrency", 32);
  const double duration = flags.get_double("duration", 5);
  const std::string close_by = flags.get("close", "server");
  if (close_by != "server" && close_by != "client") return usage("--close is server or client");
  ConnLoops loops(target, concurrency, close_by == "server");
  const double cpu_start = process_cpu_seconds();
  const double start = now_seconds();
  loops.run(start + duration);
  const double elapsed = now_seconds() - start;
  const double cpu = process_cpu_seconds() - cpu_start;
  const double mean_us = loops.done ? loops.latency_sum / double(loops.done) * 1e6 : 0;
  std::printf(
      "{\"mode\":\"connrate\",\"close\":\"%s\",\"concurrency\":%ld,\"seconds\":%.3f,"
      "\"connections\":%llu,"
      "\"conn_per_s\":%.1f,\"mean_latency_us\":%.1f,\"load_cpu_seconds\":%.3f,",
      close_by.c_str(), concurrency, elapsed, loops.done, double(loops.done) / elapsed, mean_us,
      cpu);
  print_errors(loops.errors);
  std::printf("}\n");
  return loops.done == 0 ? 1 : 0;
}

int usage(const char* error) {
  std::fprintf(stderr,
               "tcpload: %s\nusage: tcpload throughput --target IP:PORT [--connections N] "
               "[--duration S] [--direction up|down] [--chunk BYTES]\n"
               "       tcpload connrate --target IP:PORT [--concurrency C] [--duration S] "
               "[--close server|client]\n",
               error);
  return 2;
}

}  // namespace
}  // namespace ringress::bench

int main(int argc, char** argv) {
  using namespace ringress::bench;
  if (argc < 2) return usage("missing mode");
  const std::string mode = argv[1];
  Flags flags;
  std::string error;
  if (!flags.parse(argc, argv, 2, error)) return usage(error.c_str());
  sockaddr_in target{};
  if (!parse_ipv4(flags.get("target", ""), target)) return usage("missing or bad --target");
  signal(SIGPIPE, SIG_IGN);
  if (mode == "throughput") {
    if (std::string bad = flags.unknown("target connections duration direction chunk");
        !bad.empty())
      return usage(("unknown flag --" + bad).c_str());
    return run_throughput(target, flags);
  }
  if (mode == "connrate") {
    if (std::string bad = flags.unknown("target concurrency duration close"); !bad.empty())
      return usage(("unknown flag --" + bad).c_str());
    return run_connrate(target, flags);
  }
  return usage("unknown mode");
}
