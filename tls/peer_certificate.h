// What a verified client certificate says, for the upstream: the value of an
// X-Forwarded-Client-Cert header in Envoy's format
//   Hash=<sha256 of the DER, hex>;Subject="CN=...,O=...";URI=spiffe://...;DNS=...
#pragma once

#include <string>

#include "tls/wolfssl.h"

namespace ringress::tls {

// Empty when the peer sent no certificate.
std::string client_certificate_details(WOLFSSL* ssl);

}  // namespace ringress::tls
