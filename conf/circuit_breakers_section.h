// The `circuit_breakers` key of a [[clusters]] table. Internal to conf/.
#pragma once

#include "conf/circuit_breakers.h"
#include "conf/reader.h"

namespace ringress::conf {

// { max_connections = N, max_pending_requests = N, max_requests = N, max_retries = N }, each
// optional (Envoy's defaults).
CircuitBreakers read_circuit_breakers(const Value& value);

}  // namespace ringress::conf
