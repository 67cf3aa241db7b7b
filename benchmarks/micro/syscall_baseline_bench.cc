// The loopback benchmarks of socket_bench.cc done with plain blocking syscalls on one thread,
// for scale: how much of a runtime round trip or connection is the kernel's TCP work itself.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace ringress::bench {
namespace {

// A listening socket on an ephemeral loopback port; fills `address` with it.
int listen_loopback(sockaddr_in& address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  address = sockaddr_in{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), len) != 0 || listen(fd, 1024) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int connect_nodelay(const sockaddr_in& address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

bool read_exactly(int fd, char* buf, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = read(fd, buf + got, size - got);
    if (n <= 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

void BM_SyscallEchoRoundTrip(benchmark::State& state) {
  sockaddr_in address;
  int lfd = listen_loopback(address);
  int client = lfd < 0 ? -1 : connect_nodelay(address);
  int server = client < 0 ? -1 : accept(lfd, nullptr, nullptr);
  if (server < 0) {
    state.SkipWithError("loopback set-up failed");
  } else {
    int one = 1;
    setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    const auto size = static_cast<std::size_t>(state.range(0));
    std::vector<char> out(size, 'x'), in(size);
    for (auto _ : state) {
      if (write(client, out.data(), size) != static_cast<ssize_t>(size) ||
          !read_exactly(server, in.data(), size) ||
          write(server, in.data(), size) != static_cast<ssize_t>(size) ||
          !read_exactly(client, in.data(), size)) {
        state.SkipWithError("round trip failed");
        break;
      }
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
  }
  for (int fd : {server, client, lfd})
    if (fd >= 0) close(fd);
}
BENCHMARK(BM_SyscallEchoRoundTrip)->Arg(64)->Arg(16384);

void BM_SyscallConnectAcceptClose(benchmark::State& state) {
  sockaddr_in address;
  int lfd = listen_loopback(address);
  if (lfd < 0) state.SkipWithError("listen failed");
  for (auto _ : state) {
    int client = connect_nodelay(address);
    int server = client < 0 ? -1 : accept(lfd, nullptr, nullptr);
    if (server < 0) {
      state.SkipWithError("connect/accept failed");
      if (client >= 0) close(client);
      break;
    }
    // As in socket_bench.cc: the server's FIN first, so TIME_WAIT stays off client ports.
    char byte;
    shutdown(server, SHUT_WR);
    if (read(client, &byte, 1) != 0) state.SkipWithError("half-close failed");
    close(server);
    close(client);
  }
  if (lfd >= 0) close(lfd);
}
BENCHMARK(BM_SyscallConnectAcceptClose);

}  // namespace
}  // namespace ringress::bench
