// type_keys.h — a Store's table of recursion-group keys (type_canon.h) and
// the canonical id recorded for each (internal to interp/runtime; store.cpp
// uses it). find_or_add(key, id) returns the id recorded for a key equal to
// `key` (fresh = false), else records `id` for it and returns that (fresh =
// true). Keys are kept end to end in one array and found through an
// open-addressing hash table of indices into it: a lookup is a hash and,
// on a hit, one comparison; a new key is an append, never a node
// allocation. Ids are whatever the caller chooses; nothing is ever removed.
// A table's contents can be copied out (save: the entries in a range, with
// their words; slots: the whole probe array) and compared with such a copy
// (holds), and entries saved from another table appended without looking
// their keys up (replay): the caller knows this table to be in the state
// that one had before it added them (Store::intern_types' memo), so the
// probe array that table had after adding them is this one's too.
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
  struct Entry {
    uint32_t begin, size;  // the key's words (in the table's words, or a saved copy's)
    uint32_t id;
    uint32_t hash;
    bool operator==(const Entry&) const = default;
  };
  // Entries [from, to) and their words (begins relative to the first).
  struct Saved {
    std::vector<uint32_t> words;
    std::vector<Entry> entries;
  };

  Found find_or_add(std::span<const uint32_t> key, uint32_t id);
  size_t size() const { return entries_.size(); }
  Saved save(size_t from, size_t to) const;
  const std::vector<uint32_t>& slots() const { return slots_; }
  // Whether the table is exactly `s` (saved from 0 to the end).
  bool holds(const Saved& s) const;
  // Appends `added`, saved from a table that was in this one's state, and
  // takes `slots_after`, that table's probe array once it had added them.
  void replay(const Saved& added, const std::vector<uint32_t>& slots_after);

 private:
  std::vector<uint32_t> words_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> slots_;  // entry index + 1 (0: empty); a power of two long
  void rehash(size_t slots);
  void insert_slot(uint32_t entry);  // into the first free slot of its probe sequence
};

}  // namespace wippy
