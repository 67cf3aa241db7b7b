// Applying configured header changes (remove, then set, then add) with %VARIABLE% values.
#pragma once

#include "conf/http_config.h"
#include "http/exchange.h"
#include "http/header_map.h"

namespace ringress::http {

void apply_mutations(const conf::HeaderMutations& m, HeaderMap& headers, const Exchange& exchange);

}  // namespace ringress::http
