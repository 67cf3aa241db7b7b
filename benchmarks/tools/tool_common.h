// What tcpload and tcpsink share: "--key value" flags, IPv4 "ip:port" parsing, non-blocking
// sockets and a monotonic clock. Plain POSIX, no ringress code (the load side must not share a
// bug with the proxy under test).
#pragma once

#include <netinet/in.h>

#include <map>
#include <string>

namespace ringress::bench {

// Flags given as "--name value" after a positional mode word. Unknown names are an error
// (checked by the tool through known()).
class Flags {
 public:
  // Parses argv[first..argc); returns false (and sets error) on a malformed list.
  bool parse(int argc, char** argv, int first, std::string& error);
  std::string get(const std::string& name, const std::string& fallback) const;
  long get_int(const std::string& name, long fallback) const;
  double get_double(const std::string& name, double fallback) const;
  // The first flag not in `names` (a space-separated list), or "" if all are known.
  std::string unknown(const std::string& names) const;

 private:
  std::map<std::string, std::string> values_;
};

// "127.0.0.1:8080" -> sockaddr_in. IPv4 only: the benchmarks run on loopback.
bool parse_ipv4(const std::string& text, sockaddr_in& out);
void set_nonblocking(int fd);
void set_nodelay(int fd);
// Monotonic seconds.
double now_seconds();
// Seconds of CPU (user + system) this process used so far.
double process_cpu_seconds();

}  // namespace ringress::bench
