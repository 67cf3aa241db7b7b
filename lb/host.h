// Host: one address of a cluster's endpoint, as the request path uses it (connect, log, rewrite
// Host, verify TLS). Index i of a cluster's hosts is the same everywhere in lb/.
#pragma once

#include <cstdint>
#include <string>

#include "core/socket_address.h"

namespace ringress::lb {

struct Host {
  core::SocketAddress address;
  uint32_t weight = 1;       // this address's share of its endpoint's weight (see hosts_of)
  std::string name;          // the endpoint as written ("web.internal:8080"), for Host rewriting
  std::string address_text;  // "10.0.0.1:8080", for logs (computed once)
  std::string hostname;      // the name part of `name` ("web.internal"): TLS SNI and verification
};

}  // namespace ringress::lb
