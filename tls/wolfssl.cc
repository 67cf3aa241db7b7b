#include "tls/wolfssl.h"

#include <wolfssl/wolfcrypt/ecc.h>

#include <mutex>

namespace ringress::tls {

void initialize_library() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (wolfSSL_Init() != WOLFSSL_SUCCESS) throw std::runtime_error("wolfSSL_Init failed");
  });
}

void release_thread_caches() {
#ifdef FP_ECC
  wc_ecc_fp_free();
#endif
}

std::string error_text(int code) {
  char buf[WOLFSSL_MAX_ERROR_SZ] = {};
  wolfSSL_ERR_error_string_n(static_cast<unsigned long>(code), buf, sizeof(buf));
  return buf;
}

}  // namespace ringress::tls
