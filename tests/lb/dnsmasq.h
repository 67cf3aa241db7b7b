// A real DNS server for discovery tests: dnsmasq (Debian's dnsmasq-base) on 127.0.0.1:`port`,
// answering only from what the test gives it (--no-resolv --no-hosts, no config file): an
// additional hosts file the test rewrites (reload() sends SIGHUP so dnsmasq reads it again),
// and extra options such as --srv-host or --local-ttl. The destructor kills it by PID.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ringress::test {

// The dnsmasq binary, or "" when it is not installed (tests skip then).
std::string dnsmasq_binary();

class Dnsmasq {
 public:
  Dnsmasq() = default;
  ~Dnsmasq() { stop(); }
  Dnsmasq(const Dnsmasq&) = delete;
  Dnsmasq& operator=(const Dnsmasq&) = delete;

  // Starts it on 127.0.0.1:`port` with `hosts_file` (lines "127.0.0.2 web.test") and `options`,
  // and waits until it answers on TCP.
  ::testing::AssertionResult start(uint16_t port, const std::string& hosts_file,
                                   const std::vector<std::string>& options = {});
  // SIGHUP: dnsmasq reads the hosts file again and clears its cache.
  void reload();
  // SIGKILL and reap by PID (no-op when not running).
  void stop();
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// Writes `text` to `path` atomically (a temporary file renamed over it).
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace ringress::test
