// type_keys.h — a Store's table of recursion-group keys (type_canon.h) and
// the canonical id recorded for each (internal to interp/runtime; store.cpp
// uses it). find_or_add(key, id) returns the id recorded for a key equal to
// `key` (fresh = false), else records `id` for it and returns that (fresh =
// true). Keys are kept end to end in one array and found through an
// open-addressing hash table of indices into it: a lookup is a hash and,
// on a hit, one comparison; a new key is an append, never a node
// allocation. Ids are whatever the caller chooses; nothing is ever removed.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace wippy {

class TypeKeyTable {
 public:
  struct Found {
    uint32_t id;
    bool fresh;
  };
  Found find_or_add(std::span<const uint32_t> key, uint32_t id);
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint32_t begin, size;  // the key's words in words_
    uint32_t id;
    uint32_t hash;
  };
  std::vector<uint32_t> words_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> slots_;  // entry index + 1 (0: empty); a power of two long
  void rehash(size_t slots);
};

}  // namespace wippy
