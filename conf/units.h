// Durations and sizes as people write them in config files: "250ms", "1.5s", "1h30m"; "64KiB",
// "1MiB", "512B". The arithmetic is exact (no floating point): a value that is not a whole number
// of milliseconds or bytes is rejected rather than silently rounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringress::conf {

// Every duration in a Config has millisecond resolution.
using Duration = std::chrono::milliseconds;

// One or more <number><unit> groups, units ms, s, m, h: "250ms", "5s", "1.5s", "1h30m".
// A number may have a fraction ("0.5s"); the total must be whole milliseconds. "0" alone is zero.
// No signs, spaces or other units. Returns nullopt for anything else, and on overflow.
std::optional<Duration> parse_duration(std::string_view text);

// <number>[unit], units B, KiB, MiB, GiB, TiB (powers of 1024); no unit means bytes: "512",
// "512B", "64KiB", "1.5MiB". The total must be whole bytes. Decimal units (KB, MB) are not
// accepted, so "64KB" can't silently mean 64000. Returns nullopt for anything else, on overflow.
std::optional<uint64_t> parse_size(std::string_view text);

// The inverse, for messages and logs: the largest unit that is exact ("90s", "1500ms", "2h";
// "64KiB", "1000B"). parse_*(format_*(x)) == x.
std::string format_duration(Duration d);
std::string format_size(uint64_t bytes);

}  // namespace ringress::conf
