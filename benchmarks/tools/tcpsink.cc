// tcpsink: the upstream for end-to-end benchmarks. One thread, one epoll set, so it costs the
// load core little CPU. Modes:
//   sink    read and discard everything (client -> proxy -> sink throughput)
//   echo    send back what arrives (connection-rate runs: 1 byte there, 1 byte back)
//   echo_close  echo, then half-close (FIN) once the echo is out; close at the peer's FIN.
//           The server closing first keeps TIME_WAIT on the server side, off the ephemeral
//           ports of the client and of the proxy's upstream connections.
//   source  send a repeating chunk as fast as the peer takes it (sink -> proxy -> client)
// Prints "port N" on stdout once listening (so --listen 127.0.0.1:0 works); on SIGTERM or
// SIGINT prints a JSON line of totals and exits.
//
//   tcpsink --listen 127.0.0.1:0 --mode sink [--chunk 65536]
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "benchmarks/tools/tool_common.h"

namespace ringress::bench {
namespace {

enum class Mode { sink, echo, echo_close, source };

// Per accepted connection: echo bytes the peer has not taken yet.
struct Conn {
  bool open = false;
  bool write_shut = false;  // echo_close: FIN sent
  std::vector<char> pending;
  std::size_t pending_off = 0;
};

struct Totals {
  unsigned long long accepted = 0, bytes_in = 0, bytes_out = 0;
};

constexpr int kMaxIoPerEvent = 16;  // reads/writes per readiness event, for fairness

class Server {
 public:
  // Reads take up to 256 KiB at once (fewer syscalls on the load core); source sends `chunk`.
  Server(Mode mode, std::size_t chunk)
      : mode_(mode),
        chunk_(std::max<std::size_t>(chunk, 1)),
        buf_(std::max(chunk_, kReadSize), 'x') {}
  int run(int listen_fd, int signal_fd);

 private:
  void accept_all(int listen_fd);
  void on_event(int fd, uint32_t events);
  void handle_read(int fd);
  void flush_echo(int fd);
  void fill_source(int fd);
  void close_conn(int fd);
  void watch(int fd, uint32_t events, int op);

  static constexpr std::size_t kReadSize = 256 * 1024;
  Mode mode_;
  std::size_t chunk_;
  std::vector<char> buf_;
  std::vector<Conn> conns_;
  int ep_ = -1;
  Totals totals_;
};

void Server::watch(int fd, uint32_t events, int op) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  epoll_ctl(ep_, op, fd, &ev);
}

int Server::run(int listen_fd, int signal_fd) {
  ep_ = epoll_create1(EPOLL_CLOEXEC);
  watch(listen_fd, EPOLLIN, EPOLL_CTL_ADD);
  watch(signal_fd, EPOLLIN, EPOLL_CTL_ADD);
  epoll_event events[256];
  for (;;) {
    int n = epoll_wait(ep_, events, 256, -1);
    if (n < 0 && errno != EINTR) return 1;
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == signal_fd) {
        std::printf("{\"accepted\":%llu,\"bytes_in\":%llu,\"bytes_out\":%llu}\n", totals_.accepted,
                    totals_.bytes_in, totals_.bytes_out);
        std::fflush(stdout);
        return 0;
      }
      if (fd == listen_fd)
        accept_all(listen_fd);
      else
        on_event(fd, events[i].events);
    }
  }
}

void Server::accept_all(int listen_fd) {
  for (;;) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or out of descriptors: try at the next event
    ++totals_.accepted;
    set_nodelay(fd);
    if (static_cast<std::size_t>(fd) >= conns_.size()) conns_.resize(fd + 1024);
    conns_[fd] = Conn{};
    conns_[fd].open = true;
    watch(fd, mode_ == Mode::source ? EPOLLIN | EPOLLOUT : EPOLLIN, EPOLL_CTL_ADD);
  }
}

void Server::on_event(int fd, uint32_t events) {
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) handle_read(fd);
  if (!conns_[fd].open || !(events & EPOLLOUT)) return;
  if (mode_ == Mode::echo || mode_ == Mode::echo_close) flush_echo(fd);
  if (mode_ == Mode::source) fill_source(fd);
}

void Server::handle_read(int fd) {
  for (int i = 0; i < kMaxIoPerEvent && conns_[fd].open; ++i) {
    ssize_t n = read(fd, buf_.data(), buf_.size());
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      close_conn(fd);
      return;
    }
    totals_.bytes_in += n;
    if (mode_ != Mode::echo && mode_ != Mode::echo_close) continue;
    Conn& c = conns_[fd];
    c.pending.assign(buf_.data(), buf_.data() + n);
    c.pending_off = 0;
    flush_echo(fd);
    if (c.open && c.pending_off < c.pending.size()) return;  // wait for EPOLLOUT
  }
}

// Sends the pending echo bytes; while some remain, waits for EPOLLOUT instead of reading.
void Server::flush_echo(int fd) {
  Conn& c = conns_[fd];
  while (c.pending_off < c.pending.size()) {
    ssize_t n =
        send(fd, c.pending.data() + c.pending_off, c.pending.size() - c.pending_off, MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN) {
      watch(fd, EPOLLOUT, EPOLL_CTL_MOD);
      return;
    }
    if (n <= 0) {
      close_conn(fd);
      return;
    }
    totals_.bytes_out += n;
    c.pending_off += n;
  }
  c.pending.clear();
  c.pending_off = 0;
  if (mode_ == Mode::echo_close && !c.write_shut) {
    shutdown(fd, SHUT_WR);
    c.write_shut = true;
  }
  watch(fd, EPOLLIN, EPOLL_CTL_MOD);
}

void Server::fill_source(int fd) {
  for (int i = 0; i < kMaxIoPerEvent; ++i) {
    ssize_t n = send(fd, buf_.data(), chunk_, MSG_NOSIGNAL);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      close_conn(fd);
      return;
    }
    totals_.bytes_out += n;
  }
}

void Server::close_conn(int fd) {
  epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  conns_[fd] = Conn{};
}

int usage(const char* error) {
  std::fprintf(stderr,
               "tcpsink: %s\nusage: tcpsink --listen IP:PORT --mode sink|echo|echo_close|source "
               "[--chunk BYTES]\n",
               error);
  return 2;
}

}  // namespace
}  // namespace ringress::bench

int main(int argc, char** argv) {
  using namespace ringress::bench;
  Flags flags;
  std::string error;
  if (!flags.parse(argc, argv, 1, error)) return usage(error.c_str());
  if (std::string bad = flags.unknown("listen mode chunk"); !bad.empty())
    return usage(("unknown flag --" + bad).c_str());
  std::string mode_text = flags.get("mode", "sink");
  Mode mode = Mode::sink;
  if (mode_text == "echo")
    mode = Mode::echo;
  else if (mode_text == "echo_close")
    mode = Mode::echo_close;
  else if (mode_text == "source")
    mode = Mode::source;
  else if (mode_text != "sink")
    return usage("unknown --mode");
  sockaddr_in address{};
  if (!parse_ipv4(flags.get("listen", "127.0.0.1:0"), address)) return usage("bad --listen");

  int listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(listen_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(listen_fd, 4096) != 0) {
    std::fprintf(stderr, "tcpsink: bind/listen: %s\n", std::strerror(errno));
    return 1;
  }
  socklen_t len = sizeof(address);
  getsockname(listen_fd, reinterpret_cast<sockaddr*>(&address), &len);

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);
  int signal_fd = signalfd(-1, &stop, SFD_CLOEXEC);

  std::printf("port %u\n", ntohs(address.sin_port));
  std::fflush(stdout);
  Server server(mode, static_cast<std::size_t>(flags.get_int("chunk", 65536)));
  return server.run(listen_fd, signal_fd);
}
