// closest_key.h — "did you mean ...?" for a misspelt configuration key.
// closest_key returns the known key nearest to `key` by edit distance
// (Levenshtein: insertions, deletions, substitutions), when it is near
// enough to be a likely typo: at most 1 edit for keys of 3 bytes or less,
// else 2 edits or a third of the key's length, whichever is more. Ties go to the earlier known key. Both inputs are
// bounded by the caller (keys longer than 64 bytes get no suggestion).
#pragma once
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace wippy {

size_t edit_distance(std::string_view a, std::string_view b);

std::optional<std::string_view> closest_key(std::string_view key, std::span<const std::string_view> known);

}  // namespace wippy
