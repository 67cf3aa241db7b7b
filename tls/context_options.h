// What server and client contexts share: protocol versions, cipher suites, curves, and loading
// a certificate with its key (checked: readable, key matches, not expired).
#pragma once

#include <string>
#include <vector>

#include "tls/settings.h"
#include "tls/wolfssl.h"

namespace ringress::tls {

// The cipher suites used when the config names none: TLS 1.3 suites and TLS 1.2 ECDHE AEAD
// suites only (no CBC, no RSA key exchange). AES-GCM comes first when wolfSSL was built with
// AES-NI and the CPU has AES-NI and PCLMULQDQ; else ChaCha20-Poly1305 does: wolfSSL's C AES-GCM
// (Debian's build has no other) costs the proxy 2-3 times the CPU of ChaCha20-Poly1305 per
// byte (benchmarks/e2e/https_bench.py).
const char* default_ciphers();

// A context for `min`..`max`, with the ciphers and curves (defaults when empty) and our memory
// I/O callbacks. Throws SettingError.
CtxPtr new_context(bool server, Version min, Version max, const std::string& ciphers,
                   const std::string& curves);

// Loads `cert` (PEM chain) and `key` into ctx and checks them. `key_path` prefixes the keys of
// errors ("certificates[0]."). Returns the DNS names of the leaf (subjectAltNames, else CN).
// Throws SettingError.
std::vector<std::string> load_certificate(WOLFSSL_CTX* ctx, const std::string& cert,
                                          const std::string& key, const std::string& cert_key,
                                          const std::string& key_key);

// Loads a CA file for verifying peers. Throws SettingError keyed `key`.
void load_ca(WOLFSSL_CTX* ctx, const std::string& path, const std::string& key);

}  // namespace ringress::tls
