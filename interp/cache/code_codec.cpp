// code_codec.cpp — encode_code / adopt_cached_code (see code_codec.h).
#include "interp/cache/code_codec.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <mutex>
#include <unordered_map>

#include "interp/cache/codec_io.h"

namespace wippy {
namespace {

using exec::CompiledFunc;
using exec::Word;

// A field added to these structs must be added to the codec too.
static_assert(sizeof(void*) != 8 || sizeof(CompiledFunc) == 192, "CompiledFunc changed: update code_codec.cpp");
static_assert(sizeof(void*) != 8 || sizeof(exec::EhHandler) == 40, "EhHandler changed: update code_codec.cpp");
static_assert(sizeof(void*) != 8 || sizeof(exec::EhClause) == 48, "EhClause changed: update code_codec.cpp");
static_assert(sizeof(exec::CatchCopy) == 12, "CatchCopy changed: update code_codec.cpp");

void u32s(ByteOut& o, const std::vector<uint32_t>& v) {
  o.vec(v, [&](uint32_t x) { o.u32(x); });
}
std::vector<uint32_t> u32s(ByteIn& in) { return in.u32_vec(); }

bool ascending_below(const std::vector<uint32_t>& v, size_t n) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] >= n || (i > 0 && v[i] <= v[i - 1])) return false;
  return true;
}

// One function; false (nothing written) when a handler word holds no
// handler's address.
bool encode_func(ByteOut& o, uint32_t def_index, const CompiledFunc& f,
                 const std::unordered_map<const void*, uint32_t>& ids) {
  const size_t mark = o.b.size();
  o.u32(def_index), o.u32(f.nparams), o.u32(f.nlocals), o.u32(f.nresults), o.u32(f.frame_size);
  u32s(o, f.starts);
  u32s(o, f.targets);
  o.u32(uint32_t(f.code.size()));
  // Words in order; the handler and target words as ids and indices.
  size_t si = 0, ti = 0;
  for (size_t i = 0; i < f.code.size(); ++i) {
    const Word& w = f.code[i];
    if (si < f.starts.size() && f.starts[si] == i) {
      ++si;
      auto it = ids.find(w.h);
      if (it == ids.end()) {
        o.b.resize(mark);
        return false;
      }
      o.u64(it->second);
    } else if (ti < f.targets.size() && f.targets[ti] == i) {
      ++ti;
      o.u64(uint64_t(w.target - f.code.data()));
    } else {
      o.u64(w.u64);
    }
  }
  o.vec(f.handlers, [&](const exec::EhHandler& h) {
    o.u32(h.begin), o.u32(h.end), o.u32(h.delegate_skip);
    o.vec(h.clauses, [&](const exec::EhClause& c) {
      o.u32(c.tag), o.u8(c.ref), o.u8(c.ret), o.u8(c.keep), o.u32(c.exn_dst), o.u32(c.target);
      o.vec(c.copies, [&](const exec::CatchCopy& k) { o.u32(k.dst), o.u32(k.src), o.u32(k.n); });
    });
  });
  o.u8(f.gc_map != nullptr);
  if (f.gc_map) {
    u32s(o, f.gc_map->locals);
    u32s(o, f.gc_map->keys);
    u32s(o, f.gc_map->starts);
    u32s(o, f.gc_map->slots);
  }
  return true;
}

// A function read from an entry: everything but its words, which stay in
// the entry until they are copied into the module's block.
struct Pending {
  uint32_t def_index = 0;
  std::unique_ptr<CompiledFunc> f;
  std::span<const uint8_t> words;  // 8 bytes per word, little-endian
};

std::optional<Pending> decode_func(ByteIn& in, size_t num_funcs) {
  Pending p;
  p.f = std::make_unique<CompiledFunc>();
  CompiledFunc& f = *p.f;
  p.def_index = in.u32();
  f.nparams = in.u32(), f.nlocals = in.u32(), f.nresults = in.u32(), f.frame_size = in.u32();
  f.starts = u32s(in);
  f.targets = u32s(in);
  uint32_t n = in.count(8);
  if (!in.ok || p.def_index >= num_funcs || n == 0 || !ascending_below(f.starts, n) ||
      !ascending_below(f.targets, n) || f.starts.empty() || f.starts.front() != 0 ||
      f.frame_size < f.nparams + exec::kZeroFast)
    return std::nullopt;
  p.words = in.s.subspan(in.pos, size_t(n) * 8);
  in.pos += size_t(n) * 8;
  f.handlers = in.vec<exec::EhHandler>(13, [&] {
    exec::EhHandler h;
    h.begin = in.u32(), h.end = in.u32(), h.delegate_skip = in.u32();
    if (h.begin > h.end || h.end > n) in.ok = false;
    h.clauses = in.vec<exec::EhClause>(23, [&] {
      exec::EhClause c;
      c.tag = in.u32(), c.ref = in.flag(), c.ret = in.flag(), c.keep = in.flag();
      c.exn_dst = in.u32(), c.target = in.u32();
      if (c.target > n) in.ok = false;
      c.copies = in.vec<exec::CatchCopy>(12, [&] {
        exec::CatchCopy k;
        k.dst = in.u32(), k.src = in.u32(), k.n = in.u32();
        return k;
      });
      return c;
    });
    return h;
  });
  if (in.flag()) {
    f.gc_map = std::make_unique<exec::GcStackMap>();
    f.gc_map->locals = u32s(in);
    f.gc_map->keys = u32s(in);
    f.gc_map->starts = u32s(in);
    f.gc_map->slots = u32s(in);
    const auto& g = *f.gc_map;
    if (g.starts.size() != g.keys.size() + 1 || !std::is_sorted(g.starts.begin(), g.starts.end()) ||
        g.starts.back() > g.slots.size())
      in.ok = false;
  }
  if (!in.ok) return std::nullopt;
  return p;
}

// Words per cache line: each function's code starts on a line of its own.
constexpr size_t kLineWords = exec::kCacheLine / sizeof(Word);
size_t line_words(size_t n) { return (n + kLineWords - 1) / kLineWords * kLineWords; }

// Copies p's words to `to` with this process's handler addresses and the
// targets as pointers; false when a handler id or a target is out of range.
bool place(Pending& p, Word* to) {
  const void* const* labels = exec::handler_labels();
  CompiledFunc& f = *p.f;
  const size_t n = p.words.size() / 8;
  std::memcpy(to, p.words.data(), p.words.size());  // the host is little-endian (as the cache's files)
  for (uint32_t at : f.starts) {
    uint64_t id = to[at].u64;
    if (id >= uint64_t(exec::H::Count_)) return false;
    to[at].h = labels[id];
  }
  // A jump lands on an instruction, never on an operand or a target word.
  for (uint32_t at : f.targets) {
    uint64_t dest = to[at].u64;
    if (dest >= n || !std::binary_search(f.starts.begin(), f.starts.end(), uint32_t(dest)) ||
        std::binary_search(f.starts.begin(), f.starts.end(), at))
      return false;
    to[at].target = to + dest;
  }
  f.code = std::span<const Word>(to, n);
  return true;
}

}  // namespace

size_t compiled_count(CompiledModule& cm) {
  std::lock_guard lock(cm.mu);
  return cm.owned.size();
}

std::vector<uint8_t> encode_code(CompiledModule& cm) {
  const void* const* labels = exec::handler_labels();
  std::unordered_map<const void*, uint32_t> ids;
  // Backwards, so that handlers sharing one body map to the first id.
  for (size_t i = size_t(exec::H::Count_); i-- > 0;) ids[labels[i]] = uint32_t(i);
  ByteOut o;
  std::lock_guard lock(cm.mu);
  const size_t n = cm.module->funcs.size();
  uint32_t count = 0;
  o.u32(0);  // the count, patched below
  for (size_t i = 0; i < n; ++i)
    if (const CompiledFunc* f = cm.funcs[i].load(std::memory_order_acquire))
      count += encode_func(o, uint32_t(i), *f, ids);
  for (int k = 0; k < 4; ++k) o.b[size_t(k)] = uint8_t(count >> (8 * k));
  return std::move(o.b);
}

bool adopt_cached_code(CompiledModule& cm, std::span<const uint8_t> entry) {
  static_assert(std::endian::native == std::endian::little, "the code cache's words are little-endian");
  ByteIn in(entry);
  const size_t n = cm.module->funcs.size();
  uint32_t count = in.count(32);
  std::vector<Pending> funcs;
  funcs.reserve(count);
  size_t total = 0;
  for (uint32_t i = 0; i < count && in.ok; ++i) {
    auto p = decode_func(in, n);
    if (!p) return false;
    total += line_words(p->words.size() / 8);
    funcs.push_back(std::move(*p));
  }
  if (!in.at_end()) return false;
  if (funcs.empty()) return true;
  // One block for every function's words, starting on a cache line.
  uint8_t* raw = nullptr;
  SharedBytes block = SharedBytes::uninitialized(total * sizeof(Word) + exec::kCacheLine, raw);
  auto* words = reinterpret_cast<Word*>((reinterpret_cast<uintptr_t>(raw) + exec::kCacheLine - 1) &
                                        ~uintptr_t(exec::kCacheLine - 1));
  for (Pending& p : funcs) {
    if (!place(p, words)) return false;
    words += line_words(p.f->code.size());
  }
  std::lock_guard lock(cm.mu);
  cm.blocks.push_back(std::move(block));
  for (Pending& p : funcs) cm.install_locked(p.def_index, std::move(p.f));
  return true;
}

}  // namespace wippy
