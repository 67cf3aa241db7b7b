#include "http/header_mutations.h"

#include "http/format.h"

namespace ringress::http {

void apply_mutations(const conf::HeaderMutations& m, HeaderMap& headers, const Exchange& exchange) {
  for (const auto& name : m.remove) headers.remove(name);
  for (const auto& h : m.set) headers.set(h.name, render_format(h.value, exchange));
  for (const auto& h : m.add) headers.add(h.name, render_format(h.value, exchange));
}

}  // namespace ringress::http
