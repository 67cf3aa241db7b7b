// Loopback TCP through the runtime, client and server on one reactor (one thread), as a
// worker runs them: a small echo round trip (send, multishot recv into a provided buffer, echo
// send, recv) and a connection's whole life (connect, multishot accept, recv armed on both
// ends, close through the ring).
#include <benchmark/benchmark.h>

#include <sys/socket.h>

#include <cstring>
#include <string>
#include <vector>

#include "benchmarks/micro/bench_counters.h"
#include "core/acceptor.h"
#include "core/buffer_pool.h"
#include "core/connect.h"
#include "core/reactor.h"
#include "core/socket.h"
#include "core/task.h"
#include "core/task_scope.h"
#include "core/tcp_stream.h"

namespace ringress::bench {
namespace {

using namespace ringress::core;

constexpr uint32_t kHighWatermark = 65536;

// A listening socket on an ephemeral loopback port, and that port's address.
struct Listener {
  Socket socket;
  SocketAddress address;
};

Listener listen_loopback() {
  std::string error;
  Listener l;
  // parse_numeric rejects port 0 (a config never wants it), so set the ephemeral port after.
  SocketAddress any_port = *SocketAddress::parse_numeric("127.0.0.1:1");
  any_port.set_port(0);
  l.socket = listen_tcp(any_port, 1024, false, error);
  if (l.socket.valid()) l.address = local_address(l.socket.fd());
  return l;
}

// Echoes everything one accepted connection sends until it closes.
Task<void> echo_one(Acceptor& acceptor, BufferPool& pool) {
  AcceptResult a = co_await acceptor.accept();
  if (a.error != 0) co_return;
  TcpStream s(std::move(a.socket), pool, kHighWatermark);
  for (;;) {
    ReadResult r = co_await s.read();
    if (r.error != 0 || r.eof()) co_return;
    int w = co_await s.write(r.data.data(), r.data.size());
    if (w < 0) co_return;
  }
}

// Reads until `size` bytes arrived; false on error or early end of stream.
Task<bool> read_exactly(TcpStream& s, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    ReadResult r = co_await s.read();
    if (r.error != 0 || r.eof()) co_return false;
    got += r.data.size();
  }
  co_return true;
}

Task<void> echo_round_trips(benchmark::State& state, BufferPool& pool) {
  Listener l = listen_loopback();
  if (!l.socket.valid()) {
    state.SkipWithError("listen failed");
    co_return;
  }
  Acceptor acceptor(std::move(l.socket));
  TaskScope server;
  server.spawn(echo_one(acceptor, pool));
  ConnectResult c = co_await connect_tcp(l.address, kNoDeadline);
  if (c.error != 0) {
    state.SkipWithError("connect failed");
  } else {
    TcpStream client(std::move(c.socket), pool, kHighWatermark);
    std::vector<char> message(static_cast<std::size_t>(state.range(0)), 'x');
    AllocProbe probe;
    for (auto _ : state) {
      int w = co_await client.write(message.data(), message.size());
      bool echoed = false;
      if (w >= 0) echoed = co_await read_exactly(client, message.size());
      if (!echoed) {
        state.SkipWithError("round trip failed");
        break;
      }
    }
    probe.report(state);
    co_await client.shutdown_write();
  }
  acceptor.stop();  // an accept loop still waiting (connect failed) ends with -ECANCELED
  co_await server.join();
}

// Client writes N bytes, server reads them and echoes, client reads them back.
void BM_TcpEchoRoundTrip(benchmark::State& state) {
  Reactor reactor;
  BufferPool pool(reactor, 16384, 1024);
  reactor.run(echo_round_trips(state, pool));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TcpEchoRoundTrip)->Arg(64)->Arg(16384);

Task<void> connect_accept_close(benchmark::State& state, BufferPool& pool) {
  const bool direct_shutdown = state.range(0) != 0;
  Listener l = listen_loopback();
  if (!l.socket.valid()) {
    state.SkipWithError("listen failed");
    co_return;
  }
  Acceptor acceptor(std::move(l.socket));
  AllocProbe probe;
  for (auto _ : state) {
    ConnectResult c = co_await connect_tcp(l.address, kNoDeadline);
    if (c.error != 0) {
      state.SkipWithError(std::strerror(-c.error));
      break;
    }
    AcceptResult a = co_await acceptor.accept();
    if (a.error != 0) {
      state.SkipWithError("accept failed");
      break;
    }
    TcpStream client(std::move(c.socket), pool, kHighWatermark);
    TcpStream server(std::move(a.socket), pool, kHighWatermark);
    // The server sends FIN first and the client sees it before both close, so TIME_WAIT lands
    // on the accepted socket, not on a client port: otherwise connect() soon spends most of
    // its time searching the port range past TIME_WAIT entries (__inet_hash_connect).
    // Closing through the ring alone does not order the two closes: a socket with an armed
    // multishot recv is only released when that request lets go of the file.
    // Arg 1 half-closes with shutdown(2) directly instead of through the ring, to show what
    // IORING_OP_SHUTDOWN costs: the kernel always runs it in an io-wq worker thread.
    int shut = 0;
    if (direct_shutdown)
      shut = ::shutdown(server.fd(), SHUT_WR);
    else
      shut = co_await server.shutdown_write();
    ReadResult end = co_await client.read();
    if (shut < 0 || !end.eof()) {
      state.SkipWithError("half-close failed");
      break;
    }
  }
  probe.report(state);
}

// One connection's life on both ends per iteration.
void BM_TcpConnectAcceptClose(benchmark::State& state) {
  Reactor reactor;
  BufferPool pool(reactor, 16384, 1024);
  reactor.run(connect_accept_close(state, pool));
}
BENCHMARK(BM_TcpConnectAcceptClose)->ArgName("direct_shutdown")->Arg(0)->Arg(1);

}  // namespace
}  // namespace ringress::bench
