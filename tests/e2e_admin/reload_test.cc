// Reload (SIGHUP and the admin endpoint's POST /reload; docs/operations.md, "Reload") of the real
// binary: ten reloads under a keep-alive load (routes, a cluster added, a certificate replaced)
// with no failed request and flat memory; a bad file or a restart-only key refused with the old
// routes still answering; a listener added then removed; an unchanged cluster's pooled upstream
// connection kept; POST /reload's answers.
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e_http/http_proxy_test.h"
#include "tests/support/scale.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace ringress::test {
namespace {

// An upstream whose answer names it: "<name> <target>".
HttpUpstream::Handler named(std::string name) {
  return [name](const UpstreamRequest& r) {
    UpstreamReply reply;
    reply.bytes = ok_response(name + " " + r.message.target);
    return reply;
  };
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// A listener of one virtual host "*" with these routes (inline tables).
std::string listener_toml(const std::string& name, uint16_t port,
                          const std::vector<std::string>& routes, const std::string& extra = "") {
  std::string text = "\n[[listeners]]\nname = \"" + name +
                     "\"\naddress = \"127.0.0.1:" + std::to_string(port) + "\"\n" + extra +
                     "[[listeners.virtual_hosts]]\nname = \"all\"\ndomains = [\"*\"]\nroutes = [\n";
  for (const std::string& r : routes) text += "  " + r + ",\n";
  return text + "]\n";
}

std::string cluster_toml(const std::string& name, uint16_t port, const std::string& extra = "") {
  return "\n[[clusters]]\nname = \"" + name +
         "\"\nendpoints = [\"127.0.0.1:" + std::to_string(port) + "\"]\n" + extra;
}

std::string direct(const std::string& prefix, const std::string& body) {
  return "{ prefix = \"" + prefix + "\", direct_response = { status = 200, body = \"" + body +
         "\" } }";
}

std::string to_cluster(const std::string& prefix, const std::string& cluster) {
  return "{ prefix = \"" + prefix + "\", cluster = \"" + cluster + "\" }";
}

bool copy_file(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
  return !ec;
}

class ReloadTest : public HttpProxyTest {
 protected:
  ReloadTest() : admin_port_(free_port()) {}

  std::string runtime(unsigned workers) const {
    RuntimeSection r;
    r.workers = workers;
    return r.runtime_toml() + "\n[admin]\naddress = \"127.0.0.1:" + std::to_string(admin_port_) +
           "\"\n";
  }

  // Starts ringress with `toml`, and learns its config file's path from the log.
  ::testing::AssertionResult start_toml(const std::string& toml) {
    ::testing::AssertionResult ok = proxy_.start(toml, listen_port_);
    if (!ok) return ok;
    const std::string marker = "worker(s), config ";
    const Deadline by = soon();
    std::string log = proxy_.log();
    while ((log.find(marker) == std::string::npos || !port_is_listening(admin_port_)) &&
           Clock::now() < by) {
      std::this_thread::sleep_for(milliseconds(10));
      log = proxy_.log();
    }
    const std::size_t at = log.find(marker);
    if (at == std::string::npos) return ::testing::AssertionFailure() << "no start line";
    const std::size_t end = log.find('\n', at);
    config_path_ = log.substr(at + marker.size(), end - at - marker.size());
    return ::testing::AssertionSuccess();
  }

  // Replaces the config file as an editor or a deploy tool would (written beside, renamed).
  void write_config(const std::string& toml) const {
    const std::string next = config_path_ + ".next";
    {
      std::ofstream out(next, std::ios::trunc);
      out << toml;
    }
    ASSERT_EQ(std::rename(next.c_str(), config_path_.c_str()), 0) << std::strerror(errno);
  }

  // Sends SIGHUP and waits for the reload's outcome line in the log; returns that line.
  std::string reload_by_signal() {
    const std::size_t before = outcomes();
    EXPECT_EQ(::kill(proxy_.pid(), SIGHUP), 0);
    return wait_outcome(before);
  }
  // POST /reload; the outcome's log line in `line` when given.
  HttpMessage reload_by_admin(std::string* line = nullptr) {
    const std::size_t before = outcomes();
    HttpMessage r = admin("POST", "/reload");
    std::string outcome = wait_outcome(before);
    if (line) *line = outcome;
    return r;
  }

  HttpMessage admin(std::string_view method, std::string_view target) const {
    HttpClient c(admin_port_);
    if (!c.connected()) return HttpMessage{};
    return c.round_trip(request_bytes(method, target, {{"Host", "admin"}}), soon());
  }
  // The value of a sample line of /stats ("ringress_server_reload_ok"), or -1.
  long long stat(const std::string& name) const {
    HttpMessage r = admin("GET", "/stats");
    const std::string key = "\n" + name + " ";
    std::size_t at = r.body.find(key);
    if (!r.ok() || at == std::string::npos) return -1;
    return std::stoll(r.body.substr(at + key.size()));
  }
  // One request on a new connection to `port`.
  static HttpMessage get_once(uint16_t port, const std::string& target) {
    HttpClient c(port);
    if (!c.connected()) return HttpMessage{};
    return c.round_trip(get_request(target), soon());
  }

  const uint16_t admin_port_;
  std::string config_path_;

 private:
  std::size_t outcomes() const {
    const std::string log = proxy_.log();
    return count(log, "] reload: serving config generation ") + count(log, "] reload refused: ");
  }
  std::string wait_outcome(std::size_t before) {
    const Deadline by = soon();
    while (outcomes() <= before && Clock::now() < by) std::this_thread::sleep_for(milliseconds(5));
    const std::string log = proxy_.log();
    const std::size_t served = log.rfind("] reload: serving config generation ");
    const std::size_t refused = log.rfind("] reload refused: ");
    std::size_t at = served;
    if (at == std::string::npos || (refused != std::string::npos && refused > at)) at = refused;
    if (outcomes() <= before || at == std::string::npos) {
      ADD_FAILURE() << "no reload outcome in the log";
      return {};
    }
    return log.substr(at + 2, log.find('\n', at) - at - 2);
  }
};

// A keep-alive client on its own thread: GET /v and GET /w in turn on one connection, a new
// connection when the proxy answers "Connection: close" (what a reload asks of connections of
// an older generation). Every response must be a whole 200 with an expected body; any other
// outcome (a reset, a close without a response, a timeout) is a failure.
class LoadClient {
 public:
  explicit LoadClient(uint16_t port) : port_(port), thread_([this] { run(); }) {}
  ~LoadClient() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t requests() const { return requests_; }
  uint64_t connections() const { return connections_; }
  std::vector<std::string> failures() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
  }

 private:
  void run() {
    HttpClient c;
    for (uint64_t n = 0; !stop_; ++n) {
      if (!c.connected()) {
        c = HttpClient(port_);
        ++connections_;
        if (!c.connected()) {
          fail("connect: " + std::string(std::strerror(errno)));
          return;
        }
      }
      const std::string target = n % 2 == 0 ? "/v" : "/w";
      HttpMessage r = c.round_trip(get_request(target), soon());
      ++requests_;
      const bool good = r.ok() && r.status == 200 &&
                        (target == "/w" ? r.body == "web /w" : r.body.rfind("v", 0) == 0);
      if (!good) {
        fail("request " + std::to_string(n) + " " + target + ": " + r.describe());
        return;
      }
      if (r.header("connection") == "close") c.close();
    }
  }
  void fail(const std::string& why) {
    std::lock_guard<std::mutex> lock(mu_);
    failures_.push_back(why);
  }
  const uint16_t port_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> requests_{0}, connections_{0};
  mutable std::mutex mu_;
  std::vector<std::string> failures_;
  std::thread thread_;
};

// The subject line curl prints for the certificate of the TLS listener on `port`.
std::string served_subject(uint16_t port) {
  CommandResult r =
      run_command({"curl", "-q", "-sS", "-v", "-k", "--noproxy", "*", "--max-time", "5", "-o",
                   "/dev/null", "https://127.0.0.1:" + std::to_string(port) + "/w"},
                  std::chrono::seconds(10));
  const std::size_t at = r.err.find("subject: ");
  if (!r.success() || at == std::string::npos) return "curl: " + r.describe() + " " + r.err;
  return r.err.substr(at + 9, r.err.find('\n', at) - at - 9);
}

// (a) Ten reloads under a keep-alive load of six connections on two workers: routes changed
// every time, a cluster added (3rd), the TLS listener's certificate replaced (5th), by SIGHUP and
// POST /reload in turn. No request fails, no connection is reset, each change answers new
// connections at once, every old generation is freed once its connections moved on, the
// process-wide counters keep counting, and resident memory after the 10th reload is within a
// few MiB of after the 2nd.
TEST_F(ReloadTest, TenReloadsUnderKeepAliveLoadFailNothingAndKeepMemoryFlat) {
  const TestPki* pki = shared_test_pki();
  ASSERT_NE(pki, nullptr);
  TempDir dir;
  const std::string cert = dir.path() + "/server.pem";
  const std::string key = dir.path() + "/server.key";
  ASSERT_TRUE(copy_file(pki->a_ecdsa.cert, cert));
  ASSERT_TRUE(copy_file(pki->a_ecdsa.key, key));
  HttpUpstream web(named("web"));
  HttpUpstream extra(named("extra"));
  const uint16_t tls_port = free_port();
  auto config = [&](int version) {
    std::vector<std::string> routes{direct("/v", "v" + std::to_string(version))};
    if (version >= 3) routes.push_back(to_cluster("/x", "extra"));
    routes.push_back(to_cluster("/", "web"));
    std::string text = runtime(2) + listener_toml("main", listen_port_, routes) +
                       listener_toml("secure", tls_port, {to_cluster("/", "web")},
                                     "tls = { certificates = [{ cert = \"" + cert + "\", key = \"" +
                                         key + "\" }] }\n") +
                       cluster_toml("web", web.port());
    if (version >= 3) text += cluster_toml("extra", extra.port());
    return text;
  };
  ASSERT_TRUE(start_toml(config(0)));
  ASSERT_TRUE(port_is_listening(tls_port));
  EXPECT_EQ(served_subject(tls_port).find("CN=a.test"), 0u) << served_subject(tls_port);

  std::vector<std::unique_ptr<LoadClient>> load;
  for (int i = 0; i < 6; ++i) load.push_back(std::make_unique<LoadClient>(listen_port_));
  long rss_after_2nd = 0;
  uint64_t probes = 0;  // requests of this thread through the main listener
  for (int version = 1; version <= 10; ++version) {
    std::this_thread::sleep_for(milliseconds(150));
    if (version == 5) {
      ASSERT_TRUE(copy_file(pki->b_rsa.cert, cert));
      ASSERT_TRUE(copy_file(pki->b_rsa.key, key));
    }
    write_config(config(version));
    std::string outcome;
    if (version % 2 == 1) {
      outcome = reload_by_signal();
    } else {
      HttpMessage r = reload_by_admin(&outcome);
      EXPECT_TRUE(has_status(r, 200));
      EXPECT_EQ(r.body.rfind("config generation " + std::to_string(version + 1) + "\n", 0), 0u)
          << r.body;
    }
    ASSERT_EQ(outcome.rfind("reload: serving config generation " + std::to_string(version + 1), 0),
              0u)
        << outcome;
    HttpMessage r = get_once(listen_port_, "/v");
    ++probes;
    EXPECT_TRUE(has_status(r, 200));
    EXPECT_EQ(r.body, "v" + std::to_string(version)) << "reload " << version;
    if (version >= 3) {
      r = get_once(listen_port_, "/x");
      ++probes;
      EXPECT_TRUE(has_status(r, 200));
      EXPECT_EQ(r.body, "extra /x");
    }
    if (version == 5) {
      EXPECT_EQ(served_subject(tls_port).find("CN=b.test"), 0u);
    }
    if (version == 2 || version == 10) {
      // Every older generation freed on both workers: the load's connections all moved on.
      const std::string freed =
          "config generation " + std::to_string(version) + ": its last connection ended; freed";
      const Deadline by = soon();
      while (count(proxy_.log(), freed) < 2 && Clock::now() < by)
        std::this_thread::sleep_for(milliseconds(10));
      EXPECT_EQ(count(proxy_.log(), freed), 2u) << freed;
      std::this_thread::sleep_for(milliseconds(200));
      if (version == 2) rss_after_2nd = proxy_.rss_kib();
    }
  }
  const long rss_after_10th = proxy_.rss_kib();
  uint64_t sent = probes;
  for (auto& c : load) {
    c->stop();
    EXPECT_EQ(c->failures(), std::vector<std::string>{});
    EXPECT_GT(c->requests(), 20u);
    EXPECT_GE(c->connections(), 2u) << "the load's connections never moved to a new generation";
    sent += c->requests();
  }
  std::printf(
      "[ measured ] VmRSS after the 2nd reload %ld KiB, after the 10th %ld KiB; %llu "
      "requests under load\n",
      rss_after_2nd, rss_after_10th, static_cast<unsigned long long>(sent - probes));
  ASSERT_GT(rss_after_2nd, 0);
  if (!sanitized_build()) {
    EXPECT_LT(std::labs(rss_after_10th - rss_after_2nd), 4 * 1024L);
  }
  // Process-wide counters survive the generations: every request of the main listener (and the
  // two of served_subject on the TLS one) is counted once.
  EXPECT_EQ(stat("ringress_downstream_rq_total"), static_cast<long long>(sent + 2));
  EXPECT_EQ(stat("ringress_server_reload_ok"), 10);
  EXPECT_EQ(stat("ringress_server_reload_failed"), 0);
  EXPECT_EQ(stat("ringress_server_config_generation"), 11);
  // The stop after reloads: every generation's objects go, and the process exits 0.
  std::optional<ExitStatus> exit = proxy_.terminate(stretched(seconds(10)));
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->success()) << exit->describe();
}

// (b) A file that does not parse, and one that changes a restart-only key, are refused: the
// file:line:col error (or the key) in the log, the counters, and the old routes still answer;
// a good file then applies.
TEST_F(ReloadTest, BadConfigIsRefusedAndTheOldRoutesKeepAnswering) {
  auto config = [&](unsigned workers, const std::string& body) {
    return runtime(workers) + listener_toml("main", listen_port_, {direct("/", body)});
  };
  ASSERT_TRUE(start_toml(config(1, "one")));

  write_config("bogus = 1\n" + config(1, "two"));
  std::string outcome = reload_by_signal();
  EXPECT_EQ(outcome.rfind("reload refused: " + config_path_ + ":1:1: ", 0), 0u) << outcome;
  EXPECT_NE(outcome.find("; config generation 1 keeps serving"), std::string::npos) << outcome;
  HttpMessage r = get_once(listen_port_, "/");
  EXPECT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "one");

  write_config(config(2, "two"));
  outcome = reload_by_signal();
  EXPECT_EQ(outcome,
            "reload refused: runtime.workers changed (1 -> 2): it needs a restart or a binary "
            "upgrade (SIGUSR2), not a reload; config generation 1 keeps serving");
  r = get_once(listen_port_, "/");
  EXPECT_EQ(r.body, "one");
  EXPECT_EQ(stat("ringress_server_reload_failed"), 2);
  EXPECT_EQ(stat("ringress_server_reload_ok"), 0);
  EXPECT_EQ(stat("ringress_server_config_generation"), 1);

  write_config(config(1, "two"));
  outcome = reload_by_signal();
  EXPECT_EQ(outcome.rfind("reload: serving config generation 2", 0), 0u) << outcome;
  r = get_once(listen_port_, "/");
  EXPECT_EQ(r.body, "two");
}

// (c) A listener added by a reload accepts; removed by the next one, its port refuses new
// connections while a request in flight on it finishes (with "Connection: close").
TEST_F(ReloadTest, ListenerAddedThenRemovedFinishesItsOpenRequest) {
  HttpUpstream slow([](const UpstreamRequest& r) {
    UpstreamReply reply;
    reply.delay = milliseconds(800);
    reply.bytes = ok_response("slow " + r.message.target);
    return reply;
  });
  const uint16_t second = free_port();
  const std::string base = runtime(2) + listener_toml("main", listen_port_, {direct("/", "main")});
  const std::string slow_cluster = cluster_toml("slow", slow.port());
  ASSERT_TRUE(start_toml(base + slow_cluster));
  EXPECT_FALSE(port_is_listening(second));

  write_config(base + listener_toml("second", second, {to_cluster("/", "slow")}) + slow_cluster);
  std::string outcome = reload_by_signal();
  EXPECT_EQ(outcome,
            "reload: serving config generation 2 (listeners: 1 kept, 1 bound, 0 closed; "
            "clusters: 1 kept, 0 new, 0 removed)");
  HttpMessage r = get_once(second, "/a");
  EXPECT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "slow /a");

  HttpClient open(second);
  ASSERT_TRUE(open.connected());
  ASSERT_TRUE(open.send(get_request("/in-flight"), soon()).ok());
  ASSERT_TRUE(slow.wait_requests(2, soon()));
  write_config(base + slow_cluster);
  outcome = reload_by_signal();
  EXPECT_EQ(outcome,
            "reload: serving config generation 3 (listeners: 1 kept, 0 bound, 1 closed; "
            "clusters: 1 kept, 0 new, 0 removed)");
  const Deadline by = soon();
  Fd probe;
  while (Clock::now() < by) {
    probe = connect_tcp(second, soon());
    if (!probe.valid()) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_FALSE(probe.valid()) << "the removed listener still accepts";
  EXPECT_EQ(errno, ECONNREFUSED);
  r = open.read_response(soon());
  EXPECT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body, "slow /in-flight");
  EXPECT_EQ(r.header("connection"), "close");
  r = get_once(listen_port_, "/");
  EXPECT_EQ(r.body, "main");
  std::optional<ExitStatus> exit = proxy_.terminate(stretched(seconds(10)));
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->success()) << exit->describe();
}

// (d) A reload that leaves a cluster's definition as it is keeps the cluster and its pool: the
// next request reuses the pooled upstream connection (the upstream accepted no other). A change
// of the cluster's definition gives it a new pool.
TEST_F(ReloadTest, UnchangedClusterKeepsItsPooledUpstreamConnection) {
  HttpUpstream backend(named("backend"));
  auto config = [&](const std::string& body, const std::string& cluster_extra) {
    return runtime(1) +
           listener_toml("main", listen_port_,
                         {direct("/direct", body), to_cluster("/", "backend")}) +
           cluster_toml("backend", backend.port(), cluster_extra);
  };
  ASSERT_TRUE(start_toml(config("one", "")));
  HttpMessage r = get_once(listen_port_, "/first");
  EXPECT_EQ(r.body, "backend /first");
  ASSERT_EQ(backend.accepted(), 1u);

  write_config(config("two", "") + "# a comment and a changed route: the cluster is the same\n");
  std::string outcome = reload_by_signal();
  EXPECT_EQ(outcome,
            "reload: serving config generation 2 (listeners: 1 kept, 0 bound, 0 closed; "
            "clusters: 1 kept, 0 new, 0 removed)");
  EXPECT_EQ(get_once(listen_port_, "/direct").body, "two");
  r = get_once(listen_port_, "/second");
  EXPECT_EQ(r.body, "backend /second");
  EXPECT_EQ(backend.accepted(), 1u) << "the pooled upstream connection was not reused";
  auto requests = backend.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].connection, 0u);
  // The kept cluster's stats kept counting across the reload.
  EXPECT_EQ(stat("ringress_cluster_upstream_cx_total{cluster=\"backend\"}"), 1);
  EXPECT_EQ(stat("ringress_cluster_upstream_cx_pool_reuse{cluster=\"backend\"}"), 1);

  write_config(config("two", "idle_timeout = \"30s\"\n"));
  outcome = reload_by_signal();
  EXPECT_EQ(outcome,
            "reload: serving config generation 3 (listeners: 1 kept, 0 bound, 0 closed; "
            "clusters: 0 kept, 1 new, 1 removed)");
  r = get_once(listen_port_, "/third");
  EXPECT_EQ(r.body, "backend /third");
  EXPECT_EQ(backend.accepted(), 2u) << "a changed cluster starts a new pool";
  // ... and new stats (docs/operations.md, "Stats across a reload").
  EXPECT_EQ(stat("ringress_cluster_upstream_cx_total{cluster=\"backend\"}"), 1);
  EXPECT_EQ(stat("ringress_cluster_upstream_cx_pool_reuse{cluster=\"backend\"}"), 0);
}

// (e) POST /reload answers 200 with the new generation, 400 with the config error, 405 to a
// GET; /server_info and /config follow the running generation.
TEST_F(ReloadTest, AdminPostReloadAnswersWithTheGenerationOrTheError) {
  auto config = [&](const std::string& body) {
    return runtime(1) + listener_toml("main", listen_port_, {direct("/", body)});
  };
  ASSERT_TRUE(start_toml(config("one")));
  HttpMessage r = admin("GET", "/reload");
  EXPECT_TRUE(has_status(r, 405));
  EXPECT_EQ(r.header("allow"), "POST");

  write_config(config("two"));
  r = reload_by_admin();
  ASSERT_TRUE(has_status(r, 200));
  EXPECT_EQ(r.body,
            "config generation 2\nlisteners: 1 kept, 0 bound, 0 closed; clusters: 0 kept, 0 new, "
            "0 removed\n");
  EXPECT_EQ(get_once(listen_port_, "/").body, "two");
  r = admin("GET", "/server_info");
  EXPECT_NE(r.body.find("\"config_generation\": 2,"), std::string::npos) << r.body;
  r = admin("GET", "/config");
  EXPECT_NE(r.body.find("body = 'two'"), std::string::npos) << r.body;

  write_config(config("three") + "[[listeners]]\n");
  r = reload_by_admin();
  ASSERT_TRUE(has_status(r, 400));
  EXPECT_EQ(r.body.rfind("reload refused: " + config_path_ + ":", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("\nconfig generation 2 keeps serving\n"), std::string::npos) << r.body;
  EXPECT_EQ(get_once(listen_port_, "/").body, "two");
}

}  // namespace
}  // namespace ringress::test
