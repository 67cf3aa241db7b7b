// Reads the start of a client's stream until its TLS ClientHello is complete, without consuming
// it: the bytes come back to be handed to the TLS session (termination) or forwarded untouched
// (SNI passthrough). Listeners use the server name to pick a certificate or a cluster.
#pragma once

#include <string>

#include "core/tcp_stream.h"
#include "tls/client_hello.h"

namespace ringress::tls {

struct HelloRead {
  HelloStatus status = HelloStatus::kNeedMore;  // kNeedMore: the stream ended or failed first
  int error = 0;                                // -errno of the read that failed (-ETIMEDOUT)
  std::string bytes;                            // everything read
  ClientHelloInfo info;                         // when kComplete
};

core::Task<HelloRead> read_client_hello(core::TcpStream& stream, core::TimePoint deadline);

// Whether `bytes` start like an HTTP request (someone spoke plain HTTP to a TLS port).
bool looks_like_http(std::string_view bytes);

}  // namespace ringress::tls
