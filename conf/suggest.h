// "Did you mean ...?" hints for config errors: the known word closest to a misspelled one, when it
// is close enough to be a likely typo.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringress::conf {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// adjacent characters each cost 1 (so "usres" is 1 away from "users").
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word` if it is at most 2 edits away (and fewer edits than `word` has
// characters, so "x" does not suggest "y"). Ties go to the earliest candidate.
std::optional<std::string_view> closest_match(std::string_view word,
                                              const std::vector<std::string_view>& candidates);

// " (did you mean \"users\"?)" for a close match, else "". Ready to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace ringress::conf
