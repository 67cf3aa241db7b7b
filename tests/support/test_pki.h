// A small PKI for TLS tests, made at test time with the `openssl` command-line tool (OpenSSL
// 3.0): a root CA, an unrelated CA, server certificates for several names and key types, an
// expired certificate and client certificates. Every openssl run is a child process with a
// bounded wait, killed by PID when it overruns. Keys are unencrypted PKCS#8 PEM.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace ringress::test {

// How a run of a command-line tool ended.
struct CommandResult {
  bool finished = false;  // it exited (on its own or by a signal) within the timeout
  int status = 0;         // the waitpid status, when finished
  std::string failure;    // why it could not be started, if it could not
  std::string out;        // stdout
  std::string err;        // stderr

  bool success() const;  // exited with code 0
  // "exit 0", "killed by signal 11 (Segmentation fault)", "timed out and killed", or the failure.
  std::string describe() const;
};

// Runs `argv` (argv[0] looked up in PATH) with stdin from /dev/null, capturing stdout and
// stderr. Killed with SIGKILL if it has not finished after `timeout`; always reaped by PID.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20));

// A certificate and its private key, as PEM file paths.
struct CertFiles {
  std::string cert;
  std::string key;
};

// All paths are absolute, inside `dir`. Every leaf certificate is valid from yesterday for 30
// days (except `expired`), has an ECDSA P-256 key (except `b_rsa`) and carries the serverAuth
// EKU (clientAuth for the client certificates).
struct TestPki {
  std::string dir;
  std::string ca_cert;  // root CA "ringress test CA", ECDSA P-256
  std::string ca_key;
  std::string other_ca_cert;  // an unrelated CA "ringress other test CA", for "wrong CA" tests
  CertFiles a_ecdsa;          // CN a.test, SAN DNS:a.test
  CertFiles b_rsa;            // CN b.test, SAN DNS:b.test, RSA 2048
  CertFiles wildcard;         // CN *.wild.test, SAN DNS:*.wild.test
  CertFiles localhost;        // CN localhost, SAN DNS:localhost, IP:127.0.0.1
  CertFiles expired;          // CN expired.test, SAN DNS:expired.test; valid from 31 to 1 day ago
  CertFiles client;           // CN=client-one,O=ringress-tests, SAN URI:spiffe://test/client-one
  // CN=client-other,O=ringress-tests, SAN URI:spiffe://test/client-other, signed by the other CA.
  CertFiles other_client;
  std::string a_chain;         // the a_ecdsa certificate followed by the CA certificate
  std::string mismatched_key;  // an ECDSA P-256 key that belongs to none of the certificates
};

// Generates everything under `dir` (which must exist; openssl's scratch files go to
// `dir`/pki-work). Returns "" on success, or a message naming the failing openssl command and
// what it wrote to stderr.
std::string make_test_pki(const std::string& dir, TestPki& out);

// The process-wide PKI: generated on the first call into a temp dir that is removed at exit.
// Fails the current test (ADD_FAILURE) and returns nullptr when generation failed. Thread-safe.
const TestPki* shared_test_pki();

}  // namespace ringress::test
