#include "conf/circuit_breakers_section.h"

namespace ringress::conf {

namespace {
constexpr int64_t kMaxLimit = 100'000'000;
}  // namespace

CircuitBreakers read_circuit_breakers(const Value& value) {
  Table table =
      value.table({"max_connections", "max_pending_requests", "max_requests", "max_retries"});
  CircuitBreakers out;
  if (auto v = table.get("max_connections"))
    out.max_connections = static_cast<uint32_t>(v->integer(1, kMaxLimit));
  if (auto v = table.get("max_pending_requests"))
    out.max_pending_requests = static_cast<uint32_t>(v->integer(1, kMaxLimit));
  if (auto v = table.get("max_requests"))
    out.max_requests = static_cast<uint32_t>(v->integer(1, kMaxLimit));
  if (auto v = table.get("max_retries"))
    out.max_retries = static_cast<uint32_t>(v->integer(0, kMaxLimit));
  return out;
}

}  // namespace ringress::conf
