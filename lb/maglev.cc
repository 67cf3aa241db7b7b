#include "lb/maglev.h"

#include <algorithm>

#include "lb/hash.h"

namespace ringress::lb {

namespace {

constexpr uint32_t kEmpty = UINT32_MAX;
constexpr uint64_t kOffsetSeed = 0x6d61676c65762d6full;  // any two distinct seeds
constexpr uint64_t kSkipSeed = 0x736b69702d736565ull;

// One host's walk along its preference list while the table fills.
struct Builder {
  uint32_t host;
  uint64_t weight;
  uint32_t slot;   // the next preferred slot to try
  uint32_t skip;   // 1 .. kSize - 1
  uint64_t turns;  // turns taken
};

}  // namespace

std::shared_ptr<const MaglevTable> MaglevTable::build(HostSetView hosts) {
  auto table = std::make_shared<MaglevTable>();
  table->host_count_ = hosts.size();
  AvailableHosts available(hosts);
  if (available.empty()) return table;
  std::vector<Builder> builders;
  builders.reserve(available.size());
  uint64_t heaviest = 0;
  for (std::size_t p = 0; p < available.size(); ++p) {
    std::string_view key = hosts[available.index(p)].key;
    builders.push_back({static_cast<uint32_t>(available.index(p)), available.weight(p),
                        static_cast<uint32_t>(hash64(key, kOffsetSeed) % kSize),
                        static_cast<uint32_t>(hash64(key, kSkipSeed) % (kSize - 1) + 1), 0});
    heaviest = std::max<uint64_t>(heaviest, available.weight(p));
  }
  table->slots_.assign(kSize, kEmpty);
  uint32_t filled = 0;
  for (uint64_t round = 1; filled < kSize; ++round) {
    for (Builder& b : builders) {
      if (filled == kSize) break;
      if (round * b.weight < b.turns * heaviest) continue;
      ++b.turns;
      while (table->slots_[b.slot] != kEmpty) b.slot = (b.slot + b.skip) % kSize;
      table->slots_[b.slot] = b.host;
      b.slot = (b.slot + b.skip) % kSize;
      ++filled;
    }
  }
  return table;
}

Maglev::Maglev(HostSetView hosts, std::shared_ptr<const MaglevTable> table, uint64_t seed)
    : available_(hosts), table_(std::move(table)), random_(seed) {
  if (!table_ || table_->host_count() != hosts.size()) table_ = MaglevTable::build(hosts);
}

std::optional<std::size_t> Maglev::pick(const PickContext& context) {
  if (available_.empty() || table_->empty()) return std::nullopt;
  const uint64_t hash = context.hash ? *context.hash : random_.next();
  std::size_t slot = hash % MaglevTable::kSize;
  const bool avoid = available_.untried_remains(context.attempted);
  // Walk onward past hosts the caller does not allow (when the table was built for other
  // health) and, on a retry, past hosts already tried. Tried hosts hold most slots only when
  // nearly every host was tried, so the walk is short; it is bounded by the table either way.
  for (std::size_t step = 0; step < MaglevTable::kSize; ++step) {
    std::size_t host = table_->host_at(slot);
    if (available_.contains(host) && !(avoid && was_attempted(context.attempted, host)))
      return host;
    slot = slot + 1 == MaglevTable::kSize ? 0 : slot + 1;
  }
  return available_.random_untried(avoid ? context.attempted : std::span<const std::size_t>{},
                                   random_);
}

}  // namespace ringress::lb
