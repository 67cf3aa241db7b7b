#include "lb/dns_resolver.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <poll.h>

#include <algorithm>
#include <coroutine>
#include <mutex>
#include <optional>

#include "core/reactor.h"

namespace ringress::lb {

struct DnsResolver::Channel {
  ares_channel channel = nullptr;
};

// One c-ares socket's poll on the ring. `closed` once c-ares let go of the socket; a closed poll
// still in flight stays until its CQE (the Completion rule), then goes. A poll whose resolver
// is gone is an orphan: it deletes itself at its CQE and holds the reactor's teardown count.
class DnsResolver::SocketPoll final : public core::Completion {
 public:
  SocketPoll(DnsResolver* owner, int fd) : owner(owner), fd(fd) {}

  void on_cqe(int res, uint32_t) override {
    if (owner) {
      owner->on_poll(this, res);
      return;
    }
    core::Reactor::current().release_teardown();
    delete this;
  }

  DnsResolver* owner;
  int fd;
  bool want_read = false;
  bool want_write = false;
  bool in_flight = false;
  bool closed = false;
  bool processing = false;  // inside ares_process_fd for this socket
  unsigned armed_mask = 0;
};

namespace {

// A lookup waiting for its c-ares callback, in the awaiting coroutine's frame. The callback may
// run before the coroutine suspends (c-ares answers some lookups at once: /etc/hosts, numeric
// names, errors), so `done` is checked before suspending.
template <typename Answer>
struct Pending {
  Answer answer;
  bool done = false;
  std::coroutine_handle<> waiter;

  void finish() {
    done = true;
    if (waiter) core::Reactor::current().post(waiter);
  }
  bool await_ready() const noexcept { return done; }
  bool await_suspend(std::coroutine_handle<> h) {
    if (done) return false;
    waiter = h;
    return true;
  }
  void await_resume() const noexcept {}
};

struct AddressLookup : Pending<AddressAnswer> {
  uint16_t port = 0;
};

std::string ares_error(int status) {
  if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION) return "cancelled";
  return ares_strerror(status);
}

void library_init() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

// "127.0.0.1:5353,[::1]:53" for ares_set_servers_ports_csv.
std::string servers_csv(const std::vector<core::SocketAddress>& servers) {
  std::string csv;
  for (const auto& s : servers) {
    if (!csv.empty()) csv += ',';
    csv += s.to_string();
  }
  return csv;
}

uint32_t read_be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint16_t read_be16(const unsigned char* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

// Skips a (possibly compressed) name at `p`; nullptr when it runs past the message.
const unsigned char* skip_name(const unsigned char* p, const unsigned char* abuf, int alen) {
  char* name = nullptr;
  long length = 0;
  if (ares_expand_name(p, abuf, alen, &name, &length) != ARES_SUCCESS) return nullptr;
  ares_free_string(name);
  p += length;
  return p <= abuf + alen ? p : nullptr;
}

// The least TTL of a response's answer records (ares_parse_srv_reply does not give TTLs).
std::optional<uint32_t> least_answer_ttl(const unsigned char* abuf, int alen) {
  if (alen < HFIXEDSZ) return std::nullopt;
  const unsigned char* end = abuf + alen;
  unsigned questions = read_be16(abuf + 4), answers = read_be16(abuf + 6);
  const unsigned char* p = abuf + HFIXEDSZ;
  for (unsigned i = 0; i < questions; ++i) {
    p = skip_name(p, abuf, alen);
    if (!p || end - p < QFIXEDSZ) return std::nullopt;
    p += QFIXEDSZ;
  }
  std::optional<uint32_t> least;
  for (unsigned i = 0; i < answers; ++i) {
    p = skip_name(p, abuf, alen);
    if (!p || end - p < RRFIXEDSZ) return std::nullopt;
    uint32_t ttl = read_be32(p + 4);
    uint16_t length = read_be16(p + 8);
    p += RRFIXEDSZ;
    if (end - p < length) return std::nullopt;
    p += length;
    least = least ? std::min(*least, ttl) : ttl;
  }
  return least;
}

int family_of(conf::DnsLookup lookup) {
  switch (lookup) {
    case conf::DnsLookup::v4:
      return AF_INET;
    case conf::DnsLookup::v6:
      return AF_INET6;
    case conf::DnsLookup::all:
      return AF_UNSPEC;
  }
  return AF_UNSPEC;
}

}  // namespace

DnsResolver::DnsResolver(const Options& options) : channel_(std::make_unique<Channel>()) {
  library_init();
  ares_options opts{};
  opts.sock_state_cb = [](void* data, ares_socket_t fd, int readable, int writable) {
    on_socket_state(data, fd, readable, writable);
  };
  opts.sock_state_cb_data = this;
  opts.timeout = static_cast<int>(options.timeout.count());
  opts.tries = options.tries;
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  int status = ares_init_options(&channel_->channel, &opts, mask);
  if (status != ARES_SUCCESS) {
    init_error_ = std::string("c-ares: ") + ares_strerror(status);
    channel_->channel = nullptr;
    return;
  }
  if (!options.servers.empty()) {
    status = ares_set_servers_ports_csv(channel_->channel, servers_csv(options.servers).c_str());
    if (status != ARES_SUCCESS)
      init_error_ = std::string("c-ares servers: ") + ares_strerror(status);
  }
  timer_.context = this;
  timer_.fire = &DnsResolver::on_timer;
}

DnsResolver::~DnsResolver() {
  core::Reactor& reactor = core::Reactor::current();
  if (timer_.queued()) reactor.remove_timer(&timer_);
  // Closes c-ares' sockets: each arrives in socket_state as closed (and cancelled if polled).
  if (channel_->channel) ares_destroy(channel_->channel);
  channel_->channel = nullptr;
  for (auto& poll : polls_) {
    if (!poll->in_flight) continue;
    if (!poll->closed) reactor.cancel(static_cast<core::Completion*>(poll.get()));
    poll->owner = nullptr;  // deletes itself at its CQE
    reactor.retain_teardown();
    poll.release();
  }
  polls_.clear();
}

void DnsResolver::on_socket_state(void* data, int fd, int readable, int writable) {
  static_cast<DnsResolver*>(data)->socket_state(fd, readable != 0, writable != 0);
}

void DnsResolver::socket_state(int fd, bool readable, bool writable) {
  SocketPoll* poll = nullptr;
  for (auto& p : polls_)
    if (p->fd == fd && !p->closed) poll = p.get();
  if (!readable && !writable) {
    if (!poll) return;
    poll->closed = true;
    if (poll->in_flight)
      core::Reactor::current().cancel(static_cast<core::Completion*>(poll));
    else if (!poll->processing)
      erase(poll);
    return;
  }
  if (!poll) {
    polls_.push_back(std::make_unique<SocketPoll>(this, fd));
    poll = polls_.back().get();
  }
  poll->want_read = readable;
  poll->want_write = writable;
  arm(poll);
}

void DnsResolver::arm(SocketPoll* poll) {
  if (poll->closed || poll->processing) return;
  unsigned mask = (poll->want_read ? POLLIN : 0) | (poll->want_write ? POLLOUT : 0);
  if (poll->in_flight) {
    // Polled for other events: cancel, and re-arm with these when its CQE comes.
    if (mask != poll->armed_mask)
      core::Reactor::current().cancel(static_cast<core::Completion*>(poll));
    return;
  }
  io_uring_sqe* sqe = core::Reactor::current().sqe();
  io_uring_prep_poll_add(sqe, poll->fd, mask);
  io_uring_sqe_set_data(sqe, static_cast<core::Completion*>(poll));
  poll->in_flight = true;
  poll->armed_mask = mask;
}

void DnsResolver::on_poll(SocketPoll* poll, int res) {
  poll->in_flight = false;
  if (poll->closed) {
    erase(poll);
    return;
  }
  if (res == -ECANCELED) {
    arm(poll);
    return;
  }
  unsigned events = res < 0 ? POLLERR : static_cast<unsigned>(res);
  bool readable = events & (POLLIN | POLLERR | POLLHUP);
  bool writable = poll->want_write && (events & (POLLOUT | POLLERR | POLLHUP));
  poll->processing = true;
  ares_process_fd(channel_->channel, readable ? poll->fd : ARES_SOCKET_BAD,
                  writable ? poll->fd : ARES_SOCKET_BAD);
  poll->processing = false;
  if (poll->closed)
    erase(poll);
  else
    arm(poll);
  schedule_timeout();
}

void DnsResolver::erase(SocketPoll* poll) {
  std::erase_if(polls_, [poll](const auto& p) { return p.get() == poll; });
}

void DnsResolver::on_timer(core::Timer* timer) {
  auto* self = static_cast<DnsResolver*>(timer->context);
  ares_process_fd(self->channel_->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  self->schedule_timeout();
}

void DnsResolver::schedule_timeout() {
  core::Reactor& reactor = core::Reactor::current();
  if (timer_.queued()) reactor.remove_timer(&timer_);
  if (!channel_->channel) return;
  timeval tv{};
  if (!ares_timeout(channel_->channel, nullptr, &tv)) return;
  auto wait = std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
  // At least a millisecond, so a timeout due now is not re-checked in a busy loop.
  timer_.deadline = core::deadline_after(std::max<core::Duration>(
      std::chrono::duration_cast<core::Duration>(wait), std::chrono::milliseconds(1)));
  reactor.add_timer(&timer_);
}

void DnsResolver::cancel_all() {
  if (channel_->channel) ares_cancel(channel_->channel);
  schedule_timeout();
}

std::size_t DnsResolver::open_sockets() const {
  return static_cast<std::size_t>(
      std::count_if(polls_.begin(), polls_.end(), [](const auto& p) { return !p->closed; }));
}

core::Task<AddressAnswer> DnsResolver::resolve(std::string name, uint16_t port,
                                               conf::DnsLookup lookup) {
  AddressLookup pending;
  pending.port = port;
  if (!init_error_.empty()) {
    pending.answer.error = init_error_;
    co_return std::move(pending.answer);
  }
  ares_addrinfo_hints hints{};
  hints.ai_family = family_of(lookup);
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = ARES_AI_NOSORT;  // the order does not matter; sorting would connect() sockets
  auto callback = [](void* arg, int status, int, ares_addrinfo* result) {
    auto* p = static_cast<AddressLookup*>(arg);
    if (status != ARES_SUCCESS) {
      p->answer.error = ares_error(status);
    } else {
      std::optional<int> least;
      for (ares_addrinfo_node* n = result ? result->nodes : nullptr; n; n = n->ai_next) {
        if (n->ai_family != AF_INET && n->ai_family != AF_INET6) continue;
        core::SocketAddress address(n->ai_addr, static_cast<socklen_t>(n->ai_addrlen));
        address.set_port(p->port);
        if (std::find(p->answer.addresses.begin(), p->answer.addresses.end(), address) ==
            p->answer.addresses.end())
          p->answer.addresses.push_back(address);
        least = least ? std::min(*least, n->ai_ttl) : n->ai_ttl;
      }
      p->answer.ttl = std::chrono::seconds(std::max(0, least.value_or(0)));
      if (p->answer.addresses.empty()) p->answer.error = "no addresses";
    }
    if (result) ares_freeaddrinfo(result);
    p->finish();
  };
  ares_getaddrinfo(channel_->channel, name.c_str(), nullptr, &hints, callback, &pending);
  schedule_timeout();
  co_await pending;
  co_return std::move(pending.answer);
}

core::Task<SrvAnswer> DnsResolver::resolve_srv(std::string name) {
  Pending<SrvAnswer> pending;
  if (!init_error_.empty()) {
    pending.answer.error = init_error_;
    co_return std::move(pending.answer);
  }
  auto callback = [](void* arg, int status, int, unsigned char* abuf, int alen) {
    auto* p = static_cast<Pending<SrvAnswer>*>(arg);
    ares_srv_reply* reply = nullptr;
    if (status == ARES_SUCCESS) status = ares_parse_srv_reply(abuf, alen, &reply);
    if (status != ARES_SUCCESS) {
      p->answer.error = ares_error(status);
    } else {
      for (ares_srv_reply* r = reply; r; r = r->next)
        p->answer.targets.push_back({r->host, r->port, r->priority, r->weight});
      p->answer.ttl = std::chrono::seconds(least_answer_ttl(abuf, alen).value_or(0));
      if (p->answer.targets.empty()) p->answer.error = "no SRV records";
    }
    if (reply) ares_free_data(reply);
    p->finish();
  };
  ares_query(channel_->channel, name.c_str(), ns_c_in, ns_t_srv, callback, &pending);
  schedule_timeout();
  co_await pending;
  co_return std::move(pending.answer);
}

}  // namespace ringress::lb
