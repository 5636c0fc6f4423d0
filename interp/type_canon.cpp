// type_canon.cpp — recursion group keys and module-level canonical ids.
#include "interp/type_canon.h"

#include <algorithm>
#include <map>

namespace wippy {

namespace {

// Tags of a type reference in a key (beside the value type's low byte).
constexpr uint32_t kInGroup = 1u << 8;   // then the position in the group
constexpr uint32_t kOuter = 2u << 8;     // then the earlier type's canonical id
constexpr uint32_t kUnbound = 3u << 8;   // a reference past the group (invalid), the raw index

struct KeyWriter {
  std::vector<uint32_t>& out;
  uint32_t begin, end;
  std::span<const uint32_t> outer;

  void index(uint32_t low, uint32_t i) {
    if (i >= begin && i < end) out.push_back(low | kInGroup), out.push_back(i - begin);
    else if (i < begin && i < outer.size()) out.push_back(low | kOuter), out.push_back(outer[i]);
    else out.push_back(low | kUnbound), out.push_back(i);
  }
  void val(ValType t) {
    int64_t i = ref_type_index(t);
    if (i < 0) out.push_back(uint32_t(t)), out.push_back(0);
    else index(uint32_t(t) & 0xFF, uint32_t(i));
  }
  void vals(const std::vector<ValType>& v) {
    out.push_back(uint32_t(v.size()));
    for (ValType t : v) val(t);
  }
};

}  // namespace

std::vector<uint32_t> rec_group_key(const Module& m, uint32_t begin, std::span<const uint32_t> outer_ids) {
  std::vector<uint32_t> key;
  write_rec_group_key(key, m, begin, outer_ids);
  return key;
}

void write_rec_group_key(std::vector<uint32_t>& key, const Module& m, uint32_t begin,
                         std::span<const uint32_t> outer_ids) {
  const uint32_t left = uint32_t(m.subtypes.size()) - begin;
  const uint32_t size = std::min(std::max(m.subtypes[begin].rec_size, 1u), left);
  key.clear();
  key.push_back(size);
  KeyWriter w{key, begin, begin + size, outer_ids};
  for (uint32_t i = begin; i < begin + size; ++i) {
    const SubType& s = m.subtypes[i];
    key.push_back(uint32_t(s.kind)), key.push_back(s.final), key.push_back(s.num_supers);
    if (s.super != kNoSuper) w.index(0, s.super);
    if (s.kind == CompKind::Func) {
      w.vals(m.types[i].params);
      w.vals(m.types[i].results);
    } else {
      key.push_back(uint32_t(s.fields.size()));
      for (const FieldType& f : s.fields) w.val(f.type), key.push_back(f.mut);
    }
  }
}

void write_func_type_key(std::vector<uint32_t>& key, const FuncType& t) {
  key.assign({1, uint32_t(CompKind::Func), 1, 0});
  KeyWriter w{key, 0, 0, {}};
  w.vals(t.params);
  w.vals(t.results);
}

void canonicalize_types(Module& m) {
  const uint32_t n = uint32_t(m.subtypes.size());
  m.type_canon.assign(n, 0);
  std::map<std::vector<uint32_t>, uint32_t> seen;
  for (uint32_t begin = 0; begin < n;) {
    const uint32_t size = std::min(std::max(m.subtypes[begin].rec_size, 1u), n - begin);
    auto [it, fresh] = seen.emplace(rec_group_key(m, begin, std::span(m.type_canon.data(), begin)), begin);
    for (uint32_t k = 0; k < size; ++k) m.type_canon[begin + k] = fresh ? begin + k : it->second + k;
    begin += size;
  }
}

}  // namespace wippy
