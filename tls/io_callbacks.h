// wolfSSL never touches a socket here: its I/O callbacks move ciphertext through the memory of
// the TlsStream that owns the session (see tls_stream.cc).
#pragma once

#include "tls/wolfssl.h"

namespace ringress::tls {

void install_io_callbacks(WOLFSSL_CTX* ctx);

}  // namespace ringress::tls
