#include "tests/support/test_pki.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/spawn_attributes.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace ringress::test {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Starts `argv` with stdin from /dev/null and stdout/stderr into the pipes' write ends, with
// default signal handling and nothing blocked (a test thread's signal mask must not leak).
pid_t spawn_piped(const std::vector<std::string>& argv, int out_fd, int err_fd,
                  std::string& failure) {
  std::vector<std::string> copies(argv);
  std::vector<char*> args;
  for (std::string& a : copies) args.push_back(a.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  posix_spawnattr_t attr;
  init_child_spawn_attributes(attr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    failure = "posix_spawnp " + argv[0] + ": " + strerror(rc);
    return -1;
  }
  return pid;
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Reads both pipes until both are at EOF or the deadline passes.
void drain(int out_fd, int err_fd, std::string& out, std::string& err, Clock::time_point deadline) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open_count = 2;
  char buf[8192];
  while (open_count > 0) {
    int left = remaining_ms(deadline);
    if (left == 0) return;
    int n = ::poll(fds, 2, left);
    if (n < 0 && errno != EINTR) return;
    for (int i = 0; i < 2 && n > 0; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_count;
      }
    }
  }
}

std::string join(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& a : argv) {
    if (!text.empty()) text += ' ';
    bool quote = a.empty() || a.find_first_of(" \t\"'*$") != std::string::npos;
    text += quote ? "'" + a + "'" : a;
  }
  return text;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

// `t` as the YYYYMMDDHHMMSSZ form `openssl ca -startdate/-enddate` takes.
std::string asn1_time(std::chrono::system_clock::time_point t) {
  time_t secs = std::chrono::system_clock::to_time_t(t);
  tm utc{};
  gmtime_r(&secs, &utc);
  char text[32];
  strftime(text, sizeof text, "%Y%m%d%H%M%SZ", &utc);
  return text;
}

// Runs openssl with `args`; "" on success, else the command, how it ended and its stderr.
std::string openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r = run_command(argv);
  if (r.success()) return "";
  return "`" + join(argv) + "` failed (" + r.describe() + "): " + r.err;
}

enum class Usage { kCa, kServer, kClient };

// One leaf certificate: `name` is its file stem and names its extension section.
struct Leaf {
  const char* name;
  CertFiles TestPki::*field;
  bool other_ca;  // signed by the other CA
  bool rsa;       // RSA 2048 instead of ECDSA P-256
  Usage usage;
  const char* subject;  // for `openssl req -subj`
  const char* san;      // the subjectAltName value
  bool expired;
};

constexpr Leaf kLeaves[] = {
    {"a", &TestPki::a_ecdsa, false, false, Usage::kServer, "/CN=a.test", "DNS:a.test", false},
    {"b", &TestPki::b_rsa, false, true, Usage::kServer, "/CN=b.test", "DNS:b.test", false},
    {"wildcard", &TestPki::wildcard, false, false, Usage::kServer, "/CN=*.wild.test",
     "DNS:*.wild.test", false},
    {"localhost", &TestPki::localhost, false, false, Usage::kServer, "/CN=localhost",
     "DNS:localhost, IP:127.0.0.1", false},
    {"expired", &TestPki::expired, false, false, Usage::kServer, "/CN=expired.test",
     "DNS:expired.test", true},
    {"client", &TestPki::client, false, false, Usage::kClient, "/O=ringress-tests/CN=client-one",
     "URI:spiffe://test/client-one", false},
    {"other_client", &TestPki::other_client, true, false, Usage::kClient,
     "/O=ringress-tests/CN=client-other", "URI:spiffe://test/client-other", false},
};

std::string ca_section(const std::string& name, const std::string& db_dir, const std::string& cert,
                       const std::string& key) {
  std::string text = "[" + name + "]\n";
  text += "database = " + db_dir + "/index.txt\n";
  text += "new_certs_dir = " + db_dir + "\n";
  text += "certificate = " + cert + "\n";
  text += "private_key = " + key + "\n";
  return text +
         "rand_serial = yes\n"
         "unique_subject = no\n"
         "default_md = sha256\n"
         "policy = policy_any\n"
         "preserve = yes\n"
         "email_in_dn = no\n"
         "copy_extensions = none\n\n";
}

std::string extension_section(const std::string& name, Usage usage, bool rsa, const char* san) {
  std::string text = "[ext_" + name + "]\n";
  if (usage == Usage::kCa) {
    return text +
           "basicConstraints = critical, CA:TRUE\n"
           "keyUsage = critical, keyCertSign, cRLSign\n"
           "subjectKeyIdentifier = hash\n\n";
  }
  text += "basicConstraints = critical, CA:FALSE\n";
  text += rsa ? "keyUsage = critical, digitalSignature, keyEncipherment\n"
              : "keyUsage = critical, digitalSignature\n";
  text += usage == Usage::kServer ? "extendedKeyUsage = serverAuth\n"
                                  : "extendedKeyUsage = clientAuth\n";
  text += "subjectKeyIdentifier = hash\n";
  text += "authorityKeyIdentifier = keyid\n";
  text += std::string("subjectAltName = ") + san + "\n\n";
  return text;
}

std::vector<std::string> new_key_args(bool rsa) {
  if (rsa) return {"-newkey", "rsa:2048"};
  return {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"};
}

}  // namespace

bool CommandResult::success() const {
  return finished && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string CommandResult::describe() const {
  if (!failure.empty()) return failure;
  if (!finished) return "timed out and killed";
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return "killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return "wait status " + std::to_string(status);
}

CommandResult run_command(const std::vector<std::string>& argv, milliseconds timeout) {
  CommandResult result;
  if (argv.empty()) {
    result.failure = "empty command";
    return result;
  }
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.failure = std::string("pipe2: ") + strerror(errno);
    return result;
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.failure = std::string("pipe2: ") + strerror(errno);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return result;
  }
  auto deadline = Clock::now() + timeout;
  pid_t pid = spawn_piped(argv, out_pipe[1], err_pipe[1], result.failure);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (pid > 0) {
    drain(out_pipe[0], err_pipe[0], result.out, result.err, deadline);
    while (true) {
      int status = 0;
      pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        result.finished = true;
        result.status = status;
        break;
      }
      if ((r < 0 && errno != EINTR) || remaining_ms(deadline) == 0) {
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  return result;
}

std::string make_test_pki(const std::string& dir, TestPki& out) {
  out = TestPki{};
  // The paths go into an openssl config file, where these characters would be interpreted.
  if (dir.empty() || dir[0] != '/' || dir.find_first_of(" \t\n$\\\"'#;") != std::string::npos) {
    return "test PKI directory must be an absolute path without spaces or config syntax: " + dir;
  }
  const std::string work = dir + "/pki-work";
  const std::string main_db = work + "/ca";
  const std::string other_db = work + "/other_ca";
  const std::string config = work + "/openssl.cnf";
  std::error_code ec;
  std::filesystem::create_directories(main_db, ec);
  if (!ec) std::filesystem::create_directories(other_db, ec);
  if (ec) return "cannot create " + work + ": " + ec.message();

  out.dir = dir;
  out.ca_cert = dir + "/ca.pem";
  out.ca_key = dir + "/ca.key";
  out.other_ca_cert = dir + "/other_ca.pem";
  const std::string other_ca_key = dir + "/other_ca.key";
  out.a_chain = dir + "/a_chain.pem";
  out.mismatched_key = dir + "/mismatched.key";
  for (const Leaf& leaf : kLeaves) {
    CertFiles& files = out.*leaf.field;
    files.cert = dir + "/" + leaf.name + ".pem";
    files.key = dir + "/" + leaf.name + ".key";
  }

  std::string text =
      "[req]\n"
      "distinguished_name = req_dn\n"
      "prompt = no\n"
      "string_mask = utf8only\n\n"
      "[req_dn]\n"
      "CN = replaced by -subj\n\n"
      "[policy_any]\n"
      "organizationName = optional\n"
      "commonName = optional\n\n";
  text += ca_section("ca_main", main_db, out.ca_cert, out.ca_key);
  text += ca_section("ca_other", other_db, out.other_ca_cert, other_ca_key);
  text += extension_section("ca", Usage::kCa, false, nullptr);
  for (const Leaf& leaf : kLeaves) {
    text += extension_section(leaf.name, leaf.usage, leaf.rsa, leaf.san);
  }
  if (!write_file(config, text) || !write_file(main_db + "/index.txt", "") ||
      !write_file(other_db + "/index.txt", "")) {
    return "cannot write the openssl configuration under " + work;
  }

  using std::chrono::hours;
  const auto now = std::chrono::system_clock::now();
  const auto day = hours(24);
  const std::string ca_start = asn1_time(now - 365 * day);
  const std::string ca_end = asn1_time(now + 3650 * day);
  const std::string leaf_start = asn1_time(now - day);
  const std::string leaf_end = asn1_time(now - day + 30 * day);
  const std::string expired_start = asn1_time(now - 31 * day);
  const std::string expired_end = asn1_time(now - day);

  // A new key and a certificate request for it.
  auto request = [&](const std::string& stem, bool rsa, const std::string& subject) {
    std::vector<std::string> req{"req", "-new", "-config", config};
    std::vector<std::string> key_args = new_key_args(rsa);
    req.insert(req.end(), key_args.begin(), key_args.end());
    req.insert(req.end(), {"-noenc", "-keyout", dir + "/" + stem + ".key", "-out",
                           work + "/" + stem + ".csr", "-subj", subject});
    return openssl(req);
  };
  // `openssl ca` signs the request with the extensions of section ext_`extensions`.
  auto sign = [&](const std::string& stem, const std::string& ca, const std::string& extensions,
                  const std::string& start, const std::string& end,
                  const std::vector<std::string>& more) {
    std::vector<std::string> args{"ca", "-batch", "-config", config, "-name", ca, "-notext"};
    args.insert(args.end(), {"-in", work + "/" + stem + ".csr", "-out", dir + "/" + stem + ".pem"});
    args.insert(args.end(), {"-extensions", "ext_" + extensions});
    args.insert(args.end(), {"-startdate", start, "-enddate", end});
    args.insert(args.end(), more.begin(), more.end());
    return openssl(args);
  };

  // RSA key generation takes about as long as all the rest (hundreds of ms on a slow machine),
  // so the RSA requests are made in parallel with the others. The futures join before return.
  std::map<std::string, std::future<std::string>> rsa_requests;
  for (const Leaf& leaf : kLeaves) {
    if (leaf.rsa) {
      rsa_requests[leaf.name] =
          std::async(std::launch::async, request, leaf.name, true, leaf.subject);
    }
  }

  std::string error = request("ca", false, "/CN=ringress test CA");
  if (error.empty()) {
    error = sign("ca", "ca_main", "ca", ca_start, ca_end, {"-selfsign", "-keyfile", out.ca_key});
  }
  if (error.empty()) error = request("other_ca", false, "/CN=ringress other test CA");
  if (error.empty()) {
    error = sign("other_ca", "ca_other", "ca", ca_start, ca_end,
                 {"-selfsign", "-keyfile", other_ca_key});
  }
  for (const Leaf& leaf : kLeaves) {
    if (!error.empty()) break;
    error = leaf.rsa ? rsa_requests[leaf.name].get() : request(leaf.name, false, leaf.subject);
    if (error.empty()) {
      error = sign(leaf.name, leaf.other_ca ? "ca_other" : "ca_main", leaf.name,
                   leaf.expired ? expired_start : leaf_start, leaf.expired ? expired_end : leaf_end,
                   {});
    }
  }
  if (error.empty()) {
    error = openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                     out.mismatched_key});
  }
  if (!error.empty()) return error;

  std::string chain = read_text_file(out.a_ecdsa.cert);
  std::string ca_pem = read_text_file(out.ca_cert);
  if (chain.empty() || ca_pem.empty() || !write_file(out.a_chain, chain + ca_pem)) {
    return "cannot write " + out.a_chain;
  }
  return "";
}

namespace {

struct SharedPki {
  SharedPki() {
    error = dir.path().empty() ? "cannot create a temp dir for the test PKI"
                               : make_test_pki(dir.path(), pki);
  }
  TempDir dir;
  TestPki pki;
  std::string error;
};

}  // namespace

const TestPki* shared_test_pki() {
  static SharedPki shared;  // made once, even with concurrent first calls; removed at exit
  if (!shared.error.empty()) {
    ADD_FAILURE() << "generating the test PKI failed: " << shared.error;
    return nullptr;
  }
  return &shared.pki;
}

}  // namespace ringress::test
