// DnsResolver: asynchronous DNS lookups (c-ares) driven by the calling thread's io_uring reactor,
// for the control loop's dns discovery. c-ares owns its UDP/TCP sockets and tells us which it
// wants read or written (its socket-state callback); each such socket gets a one-shot
// IORING_OP_POLL_ADD on the ring, whose completion lets c-ares read or write it without
// blocking, and a reactor timer wakes c-ares for its query timeouts. So lookups never block the
// thread, and no extra thread is needed (docs/design.md, "Discovery").
//
// A lookup is a Task that resumes with the answer or an error. Use one resolver from one thread;
// destroy it only when no lookup is in flight (cancel_all() ends them all).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "conf/discovery.h"
#include "core/socket_address.h"
#include "core/task.h"
#include "core/timer_queue.h"

namespace ringress::lb {

struct AddressAnswer {
  std::string error;                           // empty when the lookup succeeded
  std::vector<core::SocketAddress> addresses;  // with the asked port; never empty on success
  std::chrono::seconds ttl{0};                 // the least TTL of the records
  bool ok() const { return error.empty(); }
};

struct SrvTarget {
  std::string host;
  uint16_t port = 0;
  uint16_t priority = 0;
  uint16_t weight = 0;
};
struct SrvAnswer {
  std::string error;               // empty when the lookup succeeded
  std::vector<SrvTarget> targets;  // never empty on success
  std::chrono::seconds ttl{0};     // the least TTL of the answer's records
  bool ok() const { return error.empty(); }
};

class DnsResolver {
 public:
  struct Options {
    std::vector<core::SocketAddress> servers;  // empty: those of /etc/resolv.conf
    std::chrono::milliseconds timeout{1000};   // per attempt
    int tries = 2;                             // attempts per server
  };

  // Must be constructed on the thread whose reactor drives it. When c-ares cannot start, every
  // lookup fails with init_error().
  explicit DnsResolver(const Options& options);
  ~DnsResolver();
  DnsResolver(const DnsResolver&) = delete;
  DnsResolver& operator=(const DnsResolver&) = delete;

  const std::string& init_error() const { return init_error_; }

  // A/AAAA records of `name` (per `lookup`), as addresses with `port`. Reads /etc/hosts first,
  // like getaddrinfo.
  core::Task<AddressAnswer> resolve(std::string name, uint16_t port, conf::DnsLookup lookup);
  // SRV records of `name` (the full SRV name: "_http._tcp.web.internal").
  core::Task<SrvAnswer> resolve_srv(std::string name);

  // Ends every lookup in flight with an error ("cancelled").
  void cancel_all();

  // Sockets c-ares has open (for tests: none left means nothing is polled).
  std::size_t open_sockets() const;

 private:
  class SocketPoll;
  struct Channel;

  static void on_socket_state(void* data, int fd, int readable, int writable);
  static void on_timer(core::Timer* timer);
  void socket_state(int fd, bool readable, bool writable);
  void arm(SocketPoll* poll);
  void on_poll(SocketPoll* poll, int res);
  void erase(SocketPoll* poll);
  void schedule_timeout();

  std::unique_ptr<Channel> channel_;
  std::string init_error_;
  std::vector<std::unique_ptr<SocketPoll>> polls_;  // open sockets, and closed ones still polled
  core::Timer timer_;
};

}  // namespace ringress::lb
