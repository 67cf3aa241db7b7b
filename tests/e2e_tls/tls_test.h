// The fixture of the TLS end-to-end tests: the shared test PKI, a watchdog bounding the whole
// test (it also kills the openssl children), and the clients the tests speak through: curl and
// `openssl s_client`, each a child process with a bounded run. Configs are written as TOML
// text, one listener or cluster at a time, so each test shows the part of the config it is about.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e_tls/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/http_message.h"
#include "tests/support/http_proxy_config.h"
#include "tests/support/http_upstream.h"
#include "tests/support/net.h"
#include "tests/support/proxy_process.h"
#include "tests/support/scale.h"
#include "tests/support/test_pki.h"
#include "tests/support/watchdog.h"

namespace ringress::test {

using std::chrono::milliseconds;
using std::chrono::seconds;

// What one curl run reported. The -w line gives the status, the verification result and the
// HTTP version; the body went to a file that is read back.
struct CurlResult {
  CommandResult run;
  int exit_code = -1;  // curl's exit code (0 ok, 35 handshake failed, 56 receive failed, ...)
  int http_code = -1;  // 0 when no response arrived
  int ssl_verify_result = -1;
  std::string http_version;  // "1.1"
  std::string body;

  // The command's outcome, its -w line and stderr (curl -v), for failure messages.
  std::string describe() const;
};

// Runs `curl -q -sS -v --noproxy '*' --max-time 10 -o <file> -w ... <args>`.
CurlResult run_curl(const std::vector<std::string>& args);

// The rest of the first line of `text` that starts with `prefix` ("" if none).
std::string line_after(const std::string& text, std::string_view prefix);
// True if `text` contains `part`.
inline bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// The PEM blocks ("-----BEGIN CERTIFICATE-----" to "-----END CERTIFICATE-----\n") in `text`.
std::vector<std::string> pem_certificates(const std::string& text);

// Pattern(seed)'s first `size` bytes.
std::string pattern_text(uint64_t seed, size_t size);

// Writes `text` to `path`; false on failure.
bool write_file(const std::string& path, const std::string& text);

// ---- Config text ----

// [runtime] with one worker and the test defaults.
std::string runtime_toml();
// `{ cert = "...", key = "..." }`
std::string cert_entry(const std::string& cert, const std::string& key);
inline std::string cert_entry(const CertFiles& files) { return cert_entry(files.cert, files.key); }
// An http listener on 127.0.0.1:`port` routing everything to `cluster`. `tls` is the inline
// tls table ("" for plain HTTP); `route_extra` adds keys to the route's inline table.
std::string http_listener(const std::string& name, uint16_t port, const std::string& tls,
                          const std::string& cluster, const std::string& route_extra = "");
// A tcp listener on 127.0.0.1:`port` with extra `lines` (cluster = "...", tls = {...}, ...).
std::string tcp_listener(const std::string& name, uint16_t port,
                         const std::vector<std::string>& lines);
// A cluster of 127.0.0.1 endpoints with extra `lines` (tls = {...}, ...).
std::string cluster_toml(const std::string& name, const std::vector<uint16_t>& ports,
                         const std::vector<std::string>& lines = {});

// Starts `proxy` with `toml` and waits until every port in `ports` listens.
::testing::AssertionResult start_proxy(ProxyProcess& proxy, const std::string& toml,
                                       const std::vector<uint16_t>& ports);

// An upstream handler answering 200 with `body` to every request.
HttpUpstream::Handler reply_with(std::string body);

// A deadline for one exchange that should take milliseconds: 5 s, stretched for slow builds.
inline Deadline soon() { return deadline_in(stretched(seconds(5))); }

// Asserts a response arrived whole with `status`.
::testing::AssertionResult has_status(const HttpMessage& response, int status);

class TlsTest : public ::testing::Test {
 protected:
  TlsTest();
  void SetUp() override;

  const TestPki& pki() const { return *pki_; }
  // `{ certificates = [<certs>]<extra> }`: a listener's tls table; `extra` starts with ", ".
  std::string listener_tls(const std::vector<CertFiles>& certs,
                           const std::string& extra = "") const;

  // curl https://<host>:<port><path> with --cacert <CA> and --resolve <host>:<port>:127.0.0.1.
  CurlResult curl_https(const std::string& host, uint16_t port, const std::string& path,
                        const std::vector<std::string>& extra = {}) const;
  // openssl s_client -connect 127.0.0.1:<port> -CAfile <CA> -verify_return_error <args>, with
  // stdin at EOF (it handshakes, then closes).
  CommandResult s_client(uint16_t port, const std::vector<std::string>& args) const;
  // The s_client arguments above, for runs that need stdin.
  std::vector<std::string> s_client_argv(uint16_t port, const std::vector<std::string>& args) const;

  // A path for a scratch file of this test.
  std::string scratch(const std::string& name) const { return scratch_.path() + "/" + name; }

  Watchdog watchdog_;
  TempDir scratch_;
  const TestPki* pki_ = nullptr;
};

}  // namespace ringress::test
