// type_keys.cpp — TypeKeyTable: linear probing over a power-of-two slot
// array kept at most half full.
#include "interp/runtime/type_keys.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace wippy {

namespace {

uint32_t hash_key(std::span<const uint32_t> key) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ key.size();
  for (uint32_t w : key) {
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  return uint32_t(h ^ (h >> 32));
}

}  // namespace

TypeKeyTable::Found TypeKeyTable::find_or_add(std::span<const uint32_t> key, uint32_t id) {
  const uint32_t h = hash_key(key);
  if (slots_.empty()) rehash(64);
  size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (; slots_[i] != 0; i = (i + 1) & mask) {
    const Entry& e = entries_[slots_[i] - 1];
    if (e.hash == h && e.size == key.size() && std::equal(key.begin(), key.end(), words_.begin() + e.begin))
      return {e.id, false};
  }
  entries_.push_back(Entry{uint32_t(words_.size()), uint32_t(key.size()), id, h});
  words_.insert(words_.end(), key.begin(), key.end());
  slots_[i] = uint32_t(entries_.size());
  if (entries_.size() * 2 > slots_.size()) rehash(slots_.size() * 2);
  return {id, true};
}

TypeKeyTable::Saved TypeKeyTable::save(size_t from, size_t to) const {
  Saved s;
  if (from >= to) return s;
  const uint32_t first = entries_[from].begin;
  const uint32_t last = to < entries_.size() ? entries_[to].begin : uint32_t(words_.size());
  s.words.assign(words_.begin() + first, words_.begin() + last);
  s.entries.assign(entries_.begin() + ptrdiff_t(from), entries_.begin() + ptrdiff_t(to));
  for (Entry& e : s.entries) e.begin -= first;
  return s;
}

// Entries compare as bytes: four words, no padding.
static_assert(sizeof(TypeKeyTable::Entry) == 4 * sizeof(uint32_t) &&
              std::has_unique_object_representations_v<TypeKeyTable::Entry>);

bool TypeKeyTable::holds(const Saved& s) const {
  // (An empty vector's data() may be null, which memcmp must not get.)
  auto same_bytes = [](const auto& a, const auto& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0);
  };
  return same_bytes(entries_, s.entries) && same_bytes(words_, s.words);
}

void TypeKeyTable::replay(const Saved& added, const std::vector<uint32_t>& slots_after) {
  const uint32_t base = uint32_t(words_.size());
  words_.insert(words_.end(), added.words.begin(), added.words.end());
  entries_.reserve(entries_.size() + added.entries.size());
  for (Entry e : added.entries) {
    e.begin += base;
    entries_.push_back(e);
  }
  slots_ = slots_after;
}

void TypeKeyTable::insert_slot(uint32_t entry) {
  const size_t mask = slots_.size() - 1;
  size_t i = entries_[entry].hash & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = entry + 1;
}

void TypeKeyTable::rehash(size_t n) {
  slots_.assign(n, 0);
  for (size_t k = 0; k < entries_.size(); ++k) insert_slot(uint32_t(k));
}

}  // namespace wippy
