#include "conf/units.h"

#include <array>
#include <cstddef>

namespace ringress::conf {
namespace {

// A decimal number "123" or "1.25", as whole part plus fraction/10^fraction_digits.
struct Decimal {
  uint64_t whole = 0;
  uint64_t fraction = 0;
  uint64_t fraction_scale = 1;  // 10^(digits after the point)
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Consumes a number from the front of `text`. Needs a digit before and after any '.'.
std::optional<Decimal> take_decimal(std::string_view& text) {
  Decimal out;
  size_t i = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    if (__builtin_mul_overflow(out.whole, 10, &out.whole) ||
        __builtin_add_overflow(out.whole, uint64_t(text[i] - '0'), &out.whole))
      return std::nullopt;
  }
  if (i == 0) return std::nullopt;
  if (i < text.size() && text[i] == '.') {
    size_t start = ++i;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      if (i - start >= 9) return std::nullopt;  // more precision than any unit needs
      out.fraction = out.fraction * 10 + uint64_t(text[i] - '0');
      out.fraction_scale *= 10;
    }
    if (i == start) return std::nullopt;
  }
  text.remove_prefix(i);
  return out;
}

// number * unit, exactly; nullopt if that is not a whole count or overflows.
std::optional<uint64_t> scale(const Decimal& d, uint64_t unit) {
  uint64_t whole;
  if (__builtin_mul_overflow(d.whole, unit, &whole)) return std::nullopt;
  // fraction < 10^9 and unit <= 2^40: the product needs up to 70 bits, the quotient fits in 64.
  unsigned __int128 part = static_cast<unsigned __int128>(d.fraction) * unit;
  if (part % d.fraction_scale != 0) return std::nullopt;
  uint64_t total;
  if (__builtin_add_overflow(whole, static_cast<uint64_t>(part / d.fraction_scale), &total))
    return std::nullopt;
  return total;
}

struct Unit {
  std::string_view name;
  uint64_t value;
};

// Smallest first. take_unit tries them in order, so "ms" is matched before "m" can be.
constexpr std::array<Unit, 4> kDurationUnits{
    {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}}};
constexpr std::array<Unit, 5> kSizeUnits{
    {{"B", 1}, {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40}}};

// The largest unit that divides `value` exactly, as "<count><unit>".
template <size_t N>
std::string format_with(uint64_t value, const std::array<Unit, N>& units) {
  for (auto it = units.rbegin(); it != units.rend(); ++it) {
    if (value % it->value == 0) return std::to_string(value / it->value) + std::string(it->name);
  }
  return std::to_string(value);  // unreachable: the smallest unit is 1
}

template <size_t N>
std::optional<uint64_t> take_unit(std::string_view& text, const std::array<Unit, N>& units) {
  for (const Unit& u : units) {
    if (text.starts_with(u.name)) {
      text.remove_prefix(u.name.size());
      return u.value;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text == "0") return Duration{0};
  if (text.empty()) return std::nullopt;
  uint64_t total = 0;
  while (!text.empty()) {
    auto number = take_decimal(text);
    if (!number) return std::nullopt;
    auto unit = take_unit(text, kDurationUnits);
    if (!unit) return std::nullopt;
    auto ms = scale(*number, *unit);
    if (!ms || __builtin_add_overflow(total, *ms, &total)) return std::nullopt;
  }
  if (total > static_cast<uint64_t>(Duration::max().count())) return std::nullopt;
  return Duration{static_cast<Duration::rep>(total)};
}

std::optional<uint64_t> parse_size(std::string_view text) {
  auto number = take_decimal(text);
  if (!number) return std::nullopt;
  if (text.empty()) {
    if (number->fraction_scale != 1) return std::nullopt;  // "1.5" bytes
    return number->whole;
  }
  auto unit = take_unit(text, kSizeUnits);
  if (!unit || !text.empty()) return std::nullopt;
  return scale(*number, *unit);
}

std::string format_duration(Duration d) {
  if (d.count() <= 0) return std::to_string(d.count());
  return format_with(static_cast<uint64_t>(d.count()), kDurationUnits);
}

std::string format_size(uint64_t bytes) {
  if (bytes == 0) return "0B";
  return format_with(bytes, kSizeUnits);
}

}  // namespace ringress::conf
