#include "tests/e2e_tls/tls_test.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/support/pattern.h"

namespace ringress::test {

namespace {

// The whole-test bound; each test takes a few seconds at most.
constexpr seconds kTestLimit{40};

}  // namespace

std::string CurlResult::describe() const {
  std::ostringstream out;
  out << "curl " << run.describe() << ", http_code " << http_code << ", ssl_verify_result "
      << ssl_verify_result << ", http_version " << http_version << "\nstdout: " << run.out
      << "\nstderr:\n"
      << run.err << "\nbody (" << body.size() << " bytes): " << body.substr(0, 300);
  return out.str();
}

CurlResult run_curl(const std::vector<std::string>& args) {
  CurlResult result;
  TempDir dir;
  const std::string body_path = dir.path() + "/body";
  std::vector<std::string> argv{
      "curl",      "-q",      "-sS",        "-v",
      "--noproxy", "*",       "--max-time", "10",
      "-o",        body_path, "-w",         "%{http_code} %{ssl_verify_result} %{http_version}\n"};
  argv.insert(argv.end(), args.begin(), args.end());
  result.run = run_command(argv, std::chrono::seconds(15));
  if (result.run.finished && WIFEXITED(result.run.status))
    result.exit_code = WEXITSTATUS(result.run.status);
  std::istringstream line(result.run.out);
  line >> result.http_code >> result.ssl_verify_result >> result.http_version;
  result.body = read_text_file(body_path);
  return result;
}

std::string line_after(const std::string& text, std::string_view prefix) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  }
  return "";
}

std::vector<std::string> pem_certificates(const std::string& text) {
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----\n";
  std::vector<std::string> out;
  for (size_t at = text.find(kBegin); at != std::string::npos; at = text.find(kBegin, at)) {
    size_t end = text.find(kEnd, at);
    if (end == std::string::npos) break;
    out.push_back(text.substr(at, end + kEnd.size() - at));
    at = end;
  }
  return out;
}

std::string pattern_text(uint64_t seed, size_t size) {
  std::string bytes(size, '\0');
  Pattern(seed).fill(reinterpret_cast<uint8_t*>(bytes.data()), size);
  return bytes;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

std::string runtime_toml() { return RuntimeSection{}.runtime_toml(); }

std::string cert_entry(const std::string& cert, const std::string& key) {
  return "{ cert = " + toml_string(cert) + ", key = " + toml_string(key) + " }";
}

std::string http_listener(const std::string& name, uint16_t port, const std::string& tls,
                          const std::string& cluster, const std::string& route_extra) {
  std::string text = "\n[[listeners]]\nname = " + toml_string(name) +
                     "\naddress = \"127.0.0.1:" + std::to_string(port) +
                     "\"\nprotocol = \"http\"\n";
  if (!tls.empty()) text += "tls = " + tls + "\n";
  text += "[[listeners.virtual_hosts]]\ndomains = [\"*\"]\n";
  text += "routes = [{ prefix = \"/\", cluster = " + toml_string(cluster);
  if (!route_extra.empty()) text += ", " + route_extra;
  return text + " }]\n";
}

std::string tcp_listener(const std::string& name, uint16_t port,
                         const std::vector<std::string>& lines) {
  std::string text = "\n[[listeners]]\nname = " + toml_string(name) +
                     "\naddress = \"127.0.0.1:" + std::to_string(port) + "\"\nprotocol = \"tcp\"\n";
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

std::string cluster_toml(const std::string& name, const std::vector<uint16_t>& ports,
                         const std::vector<std::string>& lines) {
  std::string text = "\n[[clusters]]\nname = " + toml_string(name) + "\nendpoints = [";
  for (size_t i = 0; i < ports.size(); ++i)
    text += (i > 0 ? ", " : "") + std::string("\"127.0.0.1:") + std::to_string(ports[i]) + "\"";
  text += "]\n";
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

::testing::AssertionResult start_proxy(ProxyProcess& proxy, const std::string& toml,
                                       const std::vector<uint16_t>& ports) {
  if (ports.empty()) return ::testing::AssertionFailure() << "no port to wait for";
  ::testing::AssertionResult started = proxy.start(toml, ports.front());
  if (!started) return started;
  // The listeners are all bound before the workers start; this wait is short.
  Deadline deadline = deadline_in(seconds(5));
  for (uint16_t port : ports) {
    while (!port_is_listening(port)) {
      if (Clock::now() >= deadline)
        return ::testing::AssertionFailure() << "ringress not listening on " << port << "\n"
                                             << toml;
      std::this_thread::sleep_for(milliseconds(5));
    }
  }
  return ::testing::AssertionSuccess();
}

HttpUpstream::Handler reply_with(std::string body) {
  return [body = std::move(body)](const UpstreamRequest&) {
    UpstreamReply reply;
    reply.bytes = ok_response(body);
    return reply;
  };
}

::testing::AssertionResult has_status(const HttpMessage& response, int status) {
  if (!response.ok())
    return ::testing::AssertionFailure() << "no complete response: " << response.describe();
  if (response.status != status) {
    return ::testing::AssertionFailure()
           << "status " << response.status << ", expected " << status << "\n"
           << response.describe();
  }
  return ::testing::AssertionSuccess();
}

TlsTest::TlsTest() : watchdog_(stretched(kTestLimit), kill_all_children_for_watchdog) {}

void TlsTest::SetUp() {
  pki_ = shared_test_pki();
  ASSERT_NE(pki_, nullptr);
  ASSERT_FALSE(scratch_.path().empty());
}

std::string TlsTest::listener_tls(const std::vector<CertFiles>& certs,
                                  const std::string& extra) const {
  std::string text = "{ certificates = [";
  for (size_t i = 0; i < certs.size(); ++i) text += (i > 0 ? ", " : "") + cert_entry(certs[i]);
  return text + "]" + extra + " }";
}

CurlResult TlsTest::curl_https(const std::string& host, uint16_t port, const std::string& path,
                               const std::vector<std::string>& extra) const {
  const std::string host_port = host + ":" + std::to_string(port);
  std::vector<std::string> args{"--cacert", pki().ca_cert, "--resolve", host_port + ":127.0.0.1",
                                "https://" + host_port + path};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_curl(args);
}

std::vector<std::string> TlsTest::s_client_argv(uint16_t port,
                                                const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"openssl",
                                "s_client",
                                "-connect",
                                "127.0.0.1:" + std::to_string(port),
                                "-CAfile",
                                pki().ca_cert,
                                "-verify_return_error"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CommandResult TlsTest::s_client(uint16_t port, const std::vector<std::string>& args) const {
  return run_command(s_client_argv(port, args), std::chrono::seconds(10));
}

}  // namespace ringress::test
