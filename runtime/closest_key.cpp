// closest_key.cpp — see closest_key.h.
#include "runtime/closest_key.h"

#include <algorithm>
#include <vector>

namespace wippy {

size_t edit_distance(std::string_view a, std::string_view b) {
  // One row of the dynamic-programming table at a time.
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      size_t sub = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, sub});
      diag = up;
    }
  }
  return row[b.size()];
}

std::optional<std::string_view> closest_key(std::string_view key, std::span<const std::string_view> known) {
  constexpr size_t kMaxKey = 64;
  if (key.empty() || key.size() > kMaxKey) return std::nullopt;
  size_t allowed = key.size() <= 3 ? 1 : std::max<size_t>(2, key.size() / 3);
  std::optional<std::string_view> best;
  size_t best_d = allowed + 1;
  for (std::string_view k : known) {
    size_t d = edit_distance(key, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

}  // namespace wippy
