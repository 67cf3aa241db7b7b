// Standard reason phrases (RFC 9110 and the registered extensions) for status lines of local
// replies and of responses whose upstream sent none.
#pragma once

#include <cstdint>
#include <string_view>

namespace ringress::http {

// The phrase for `status`, or "" for a code without one (an empty reason is legal).
std::string_view reason_phrase(uint16_t status);

}  // namespace ringress::http
