// The wolfSSL headers in the order they must come (options.h first, so the library's build
// options are seen), the one-time library initialisation, and owning handles.
#pragma once

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace ringress::tls {

// wolfSSL_Init, once per process (thread-safe).
void initialize_library();

// Frees what wolfSSL caches per thread (the fixed-point ECC tables of this build); a worker
// thread calls it when it ends.
void release_thread_caches();

// wolfSSL's text for an error code ("ASN no signer error to confirm failure").
std::string error_text(int code);

struct CtxDeleter {
  void operator()(WOLFSSL_CTX* c) const { wolfSSL_CTX_free(c); }
};
struct SslDeleter {
  void operator()(WOLFSSL* s) const { wolfSSL_free(s); }
};
struct SessionDeleter {
  void operator()(WOLFSSL_SESSION* s) const { wolfSSL_SESSION_free(s); }
};
using CtxPtr = std::unique_ptr<WOLFSSL_CTX, CtxDeleter>;
using SslPtr = std::unique_ptr<WOLFSSL, SslDeleter>;
using SessionPtr = std::unique_ptr<WOLFSSL_SESSION, SessionDeleter>;

// A setting that cannot be used, found while building a context. `key` is the setting's path
// inside its tls table ("certificates[1].key", "ciphers"), so the config loader can point at it.
class SettingError : public std::runtime_error {
 public:
  SettingError(std::string key, const std::string& message)
      : std::runtime_error(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

}  // namespace ringress::tls
