// The TLS settings of a listener (termination) or of a cluster (origination), as the config
// file gives them. Plain data: conf/ fills them in, ServerContext / ClientContext turn them into
// wolfSSL contexts once per config snapshot.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace ringress::tls {

enum class Version { tls1_2, tls1_3 };

// Whether a listener asks clients for a certificate (mTLS when required).
enum class ClientCertMode { none, optional, required };

struct CertificateFiles {
  std::string cert;  // PEM: the certificate, then its chain
  std::string key;   // PEM private key (RSA or ECDSA)
  // Server names this certificate answers for (exact or "*.suffix"); empty = the names in the
  // certificate (DNS subjectAltNames, else the common name).
  std::vector<std::string> server_names;
};

struct ServerSettings {
  bool enabled = false;
  std::vector<CertificateFiles> certificates;  // the first is the default
  Version min_version = Version::tls1_2;
  Version max_version = Version::tls1_3;
  std::string ciphers;  // OpenSSL-style list; empty = default_ciphers() (context_options.h)
  std::string curves;   // groups, "X25519:P-256"; empty = kDefaultCurves
  std::vector<std::string> alpn;  // offered protocols, in preference order
  std::string client_ca;          // CA file to verify client certificates
  ClientCertMode client_certificate = ClientCertMode::none;
  bool forward_client_cert = false;  // X-Forwarded-Client-Cert to the upstream (http)
  bool session_tickets = true;
  std::chrono::milliseconds handshake_timeout{10000};
};

struct ClientSettings {
  bool enabled = false;
  std::string ca;           // trusted CAs; empty = the system store (/etc/ssl/certs)
  bool verify = true;       // verify the chain and the server name
  std::string server_name;  // SNI and the name verified; empty = the endpoint's host
  std::string client_cert;  // for mTLS to the upstream (with client_key)
  std::string client_key;
  Version min_version = Version::tls1_2;
  Version max_version = Version::tls1_3;
  std::string ciphers;
  std::string curves;
  std::vector<std::string> alpn;
  bool session_reuse = true;  // resume sessions across pooled connections
};

inline constexpr const char* kDefaultCurves = "X25519:P-256:P-384";

}  // namespace ringress::tls
