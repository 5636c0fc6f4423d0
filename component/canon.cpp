// canon.cpp — lifting and lowering of component values (see canon.h).
#include "component/canon.h"

#include <fmt/format.h>

#include <cstring>

#include "base/utf8.h"
#include "interp/quote.h"

namespace wippy::component {

namespace {

constexpr uint32_t kUtf16Tag = 1u << 31;
constexpr uint64_t kMaxStringBytes = (1u << 31) - 1;

Error trap(std::string msg) { return make_error(ErrorKind::Trap, std::move(msg)); }

// ---- memory access ---------------------------------------------------------

// Memory traps read "wasm trap: <what went wrong>: <details>", the first
// part worded as wasmtime words it. `what` says which access failed:
// "string content out-of-bounds: string", "list content out-of-bounds: list",
// or nothing for a plain value.
Result<uint8_t*> mem_range(CanonCx& cx, uint64_t ptr, uint64_t len, std::string_view what = {}) {
  if (!cx.memory) return trap("canonical ABI: no memory to read or write");
  if (ptr + len > cx.memory->size)
    return trap(fmt::format("wasm trap: {}{}pointer/length out of bounds of memory (pointer {:#x}, length {}, "
                            "memory {} bytes)",
                            what, what.empty() ? "" : " ", ptr, len, cx.memory->size));
  return cx.memory->data + ptr;
}

Result<void> check_align(uint64_t ptr, uint32_t align, const char* what) {
  if (ptr % align != 0)
    return trap(fmt::format("wasm trap: unaligned pointer: {} pointer {:#x} is not {}-byte aligned", what, ptr,
                            align));
  return {};
}

Result<uint64_t> read_uint(CanonCx& cx, uint32_t ptr, uint32_t n) {
  auto p = mem_range(cx, ptr, n);
  if (!p) return p.error();
  uint64_t v = 0;
  for (uint32_t i = 0; i < n; ++i) v |= uint64_t((*p)[i]) << (8 * i);
  return v;
}

Result<void> write_uint(CanonCx& cx, uint32_t ptr, uint32_t n, uint64_t v) {
  auto p = mem_range(cx, ptr, n);
  if (!p) return p.error();
  for (uint32_t i = 0; i < n; ++i) (*p)[i] = uint8_t(v >> (8 * i));
  return {};
}

// `what` names the content being allocated ("string", "list"), or is empty.
Result<uint32_t> call_realloc(CanonCx& cx, uint32_t align, uint64_t size, std::string_view what = {}) {
  if (!cx.realloc) return trap("canonical ABI: no realloc function to allocate memory with");
  if (size > 0xffffffffu) return trap("canonical ABI: allocation size overflows 32 bits");
  Value args[4] = {val_i32(0), val_i32(0), val_i32(align), val_i32(uint32_t(size))};
  auto r = invoke(cx.store, cx.realloc, args);
  if (!r) return r.error();
  if (r->size() != 1) return trap("canonical ABI: realloc returned no pointer");
  uint32_t ptr = (*r)[0].i32;
  if (ptr % align != 0)
    return trap(fmt::format("wasm trap: unaligned pointer: realloc return: result not aligned (pointer {:#x}, "
                            "{}-byte alignment required)",
                            ptr, align));
  if (uint64_t(ptr) + size > cx.memory->size)
    return trap(fmt::format("wasm trap: {}{}realloc return: beyond end of memory (pointer {:#x}, length {}, "
                            "memory {} bytes)",
                            what, what.empty() ? "" : " content out-of-bounds: ", ptr, size, cx.memory->size));
  return ptr;
}

// ---- floats and chars ------------------------------------------------------

float canon_f32(float f) {
  if (f != f) { uint32_t bits = 0x7fc00000; std::memcpy(&f, &bits, 4); }
  return f;
}
double canon_f64(double d) {
  if (d != d) { uint64_t bits = 0x7ff8000000000000ull; std::memcpy(&d, &bits, 8); }
  return d;
}
float bits_f32(uint32_t b) { float f; std::memcpy(&f, &b, 4); return f; }
double bits_f64(uint64_t b) { double d; std::memcpy(&d, &b, 8); return d; }
uint32_t f32_bits(float f) { uint32_t b; std::memcpy(&b, &f, 4); return b; }
uint64_t f64_bits(double d) { uint64_t b; std::memcpy(&b, &d, 8); return b; }

Result<Val> make_char(uint64_t c) {
  if (!is_unicode_scalar(c))
    return trap(fmt::format("canonical ABI: invalid `char` bit pattern: {:#x} is not a Unicode scalar value", c));
  return Val::character(uint32_t(c));
}

// ---- strings ---------------------------------------------------------------

// Decodes UTF-8, rejecting overlong forms, surrogates and values > 0x10FFFF;
// `why` (optional) gets the reason in Rust's std::str wording.
bool decode_utf8(std::span<const uint8_t> b, std::vector<uint32_t>* out, std::string* why = nullptr) {
  std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
  for (size_t i = 0; i < s.size();) {
    Utf8Char ch = decode_utf8_char(s, i);
    if (ch.len == 0) {
      if (why && ch.bad_len == 0) *why = fmt::format("incomplete utf-8 byte sequence from index {}", i);
      else if (why) *why = fmt::format("invalid utf-8 sequence of {} bytes from index {}", ch.bad_len, i);
      return false;
    }
    if (out) out->push_back(ch.cp);
    i += ch.len;
  }
  return true;
}

Result<std::vector<uint32_t>> code_points(const std::string& s) {
  std::vector<uint32_t> cps;
  if (!decode_utf8({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, &cps))
    return trap("canonical ABI: host string is not valid UTF-8");
  return cps;
}

Result<std::string> decode_utf16(const uint8_t* p, uint32_t units) {
  std::string s;
  for (uint32_t i = 0; i < units; ++i) {
    uint32_t u = p[2 * i] | (uint32_t(p[2 * i + 1]) << 8);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 1 >= units) return trap("canonical ABI: unpaired UTF-16 surrogate");
      uint32_t lo = p[2 * i + 2] | (uint32_t(p[2 * i + 3]) << 8);
      if (lo < 0xDC00 || lo > 0xDFFF) return trap("canonical ABI: unpaired UTF-16 surrogate");
      u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
      ++i;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return trap("canonical ABI: unpaired UTF-16 surrogate");
    }
    encode_utf8(u, s);
  }
  return s;
}

Result<Val> load_string_from(CanonCx& cx, uint32_t ptr, uint32_t tagged_len) {
  bool utf16 = cx.encoding == StringEncoding::Utf16;
  uint32_t len = tagged_len;
  if (cx.encoding == StringEncoding::Latin1Utf16 && (tagged_len & kUtf16Tag)) {
    utf16 = true;
    len = tagged_len & ~kUtf16Tag;
  }
  uint64_t bytes = utf16 ? uint64_t(len) * 2 : len;
  if (bytes > kMaxStringBytes) return trap("canonical ABI: string is too long");
  // UTF-16 and latin1+utf16 strings are 2-aligned whatever their tag says.
  if (cx.encoding != StringEncoding::Utf8) WIPPY_TRY(check_align(ptr, 2, "string"));
  auto p = mem_range(cx, ptr, bytes, "string content out-of-bounds: string");
  if (!p) return p.error();
  if (utf16) {
    auto s = decode_utf16(*p, len);
    if (!s) return s.error();
    return Val::string(std::move(*s));
  }
  if (cx.encoding == StringEncoding::Latin1Utf16) {
    std::string s;
    for (uint32_t i = 0; i < len; ++i) encode_utf8((*p)[i], s);
    return Val::string(std::move(s));
  }
  std::string why;
  if (!decode_utf8({*p, len}, nullptr, &why))
    return trap(fmt::format("canonical ABI: string is not valid UTF-8 (invalid utf-8: {})", why));
  return Val::string(std::string(reinterpret_cast<const char*>(*p), len));
}

// Stores `s` in freshly allocated memory; returns (pointer, tagged length).
Result<std::pair<uint32_t, uint32_t>> store_string_into(CanonCx& cx, const std::string& s) {
  if (cx.encoding == StringEncoding::Utf8) {
    if (!decode_utf8({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, nullptr))
      return trap("canonical ABI: host string is not valid UTF-8");
    if (s.size() > kMaxStringBytes) return trap("canonical ABI: string is too long");
    auto ptr = call_realloc(cx, 1, s.size(), "string");
    if (!ptr) return ptr.error();
    if (!s.empty()) std::memcpy(cx.memory->data + *ptr, s.data(), s.size());
    return std::pair{*ptr, uint32_t(s.size())};
  }
  auto cps = code_points(s);
  if (!cps) return cps.error();
  bool latin1 = cx.encoding == StringEncoding::Latin1Utf16;
  for (uint32_t c : *cps) latin1 = latin1 && c <= 0xFF;
  if (latin1) {
    auto ptr = call_realloc(cx, 2, cps->size(), "string");
    if (!ptr) return ptr.error();
    for (size_t i = 0; i < cps->size(); ++i) cx.memory->data[*ptr + i] = uint8_t((*cps)[i]);
    return std::pair{*ptr, uint32_t(cps->size())};
  }
  std::vector<uint16_t> units;
  for (uint32_t c : *cps) {
    if (c >= 0x10000) {
      units.push_back(uint16_t(0xD800 + ((c - 0x10000) >> 10)));
      units.push_back(uint16_t(0xDC00 + ((c - 0x10000) & 0x3FF)));
    } else {
      units.push_back(uint16_t(c));
    }
  }
  if (uint64_t(units.size()) * 2 > kMaxStringBytes) return trap("canonical ABI: string is too long");
  auto ptr = call_realloc(cx, 2, units.size() * 2, "string");
  if (!ptr) return ptr.error();
  for (size_t i = 0; i < units.size(); ++i) {
    cx.memory->data[*ptr + 2 * i] = uint8_t(units[i]);
    cx.memory->data[*ptr + 2 * i + 1] = uint8_t(units[i] >> 8);
  }
  uint32_t len = uint32_t(units.size());
  if (cx.encoding == StringEncoding::Latin1Utf16) len |= kUtf16Tag;
  return std::pair{*ptr, len};
}

// ---- lists -----------------------------------------------------------------

// Rewrites NaNs among `n` packed floats of kind `k` at `p` to the canonical NaN.
void canon_packed_floats(uint8_t* p, size_t n, ValKind k) {
  if (k == ValKind::F32) {
    for (size_t i = 0; i < n; ++i, p += 4) {
      uint32_t b;
      std::memcpy(&b, p, 4);
      if ((b & 0x7fffffffu) > 0x7f800000u) { b = f32_bits(canon_f32(bits_f32(b))); std::memcpy(p, &b, 4); }
    }
  } else if (k == ValKind::F64) {
    for (size_t i = 0; i < n; ++i, p += 8) {
      uint64_t b;
      std::memcpy(&b, p, 8);
      if ((b & 0x7fffffffffffffffull) > 0x7ff0000000000000ull) { b = f64_bits(canon_f64(bits_f64(b))); std::memcpy(p, &b, 8); }
    }
  }
}

Result<Val> load_list_from(CanonCx& cx, const VType& elem, uint32_t ptr, uint32_t len) {
  WIPPY_TRY(check_align(ptr, elem.align, "list"));
  auto p = mem_range(cx, ptr, uint64_t(len) * elem.size, "list content out-of-bounds: list");
  if (!p) return p.error();
  if (Val::packable(elem.kind)) {
    // Elements of a fixed-size number kind keep their memory form (the
    // packed form is little-endian, as wasm memory is).
    std::vector<uint8_t> raw(*p, *p + uint64_t(len) * elem.size);
    canon_packed_floats(raw.data(), len, elem.kind);
    return Val::packed_list(elem.kind, std::move(raw));
  }
  std::vector<Val> items;
  items.reserve(len);
  for (uint32_t i = 0; i < len; ++i) {
    auto v = load(cx, elem, ptr + i * elem.size);
    if (!v) return v.error();
    items.push_back(std::move(*v));
  }
  return Val::list(std::move(items));
}

Result<std::pair<uint32_t, uint32_t>> store_list_into(CanonCx& cx, const VType& elem, const Val& v) {
  uint64_t count = v.list_size();
  uint64_t bytes = count * elem.size;
  auto ptr = call_realloc(cx, elem.align, bytes, "list");
  if (!ptr) return ptr.error();
  if (v.is_packed()) {  // expect_kind checked that packed_kind is elem.kind
    if (bytes) std::memcpy(cx.memory->data + *ptr, v.raw().data(), bytes);
    canon_packed_floats(cx.memory->data + *ptr, count, elem.kind);
  } else {
    for (size_t i = 0; i < count; ++i) WIPPY_TRY(store(cx, elem, v.items[i], uint32_t(*ptr + i * elem.size)));
  }
  return std::pair{*ptr, uint32_t(count)};
}

// ---- handles ---------------------------------------------------------------

Result<Val> lift_handle(CanonCx& cx, const VType& t, uint32_t index) {
  if (!cx.handles) return trap("canonical ABI: no handle table");
  if (t.kind == ValKind::Own) {
    auto e = cx.handles->get(index, t.resource.get());
    if (!e) return e.error();
    if (!(*e)->own) return trap(fmt::format("handle {} is a borrow, an own handle was expected", index));
    if ((*e)->num_lends != 0)
      return trap(fmt::format("handle {} is lent out: cannot remove owned resource while borrowed", index));
    auto h = cx.handles->remove(index, t.resource.get());
    if (!h) return h.error();
    return Val::own(t.resource, h->rep);
  }
  auto e = cx.handles->get(index, t.resource.get());
  if (!e) return e.error();
  if ((*e)->own) {
    ++(*e)->num_lends;
    if (cx.scope) cx.scope->lenders.emplace_back(cx.handles, index);
  }
  return Val::borrow(t.resource, (*e)->rep);
}

Result<uint32_t> lower_handle(CanonCx& cx, const VType& t, const Val& v) {
  if (!cx.handles) return trap("canonical ABI: no handle table");
  if (v.resource != t.resource)
    return trap(fmt::format("canonical ABI: handle of resource `{}` passed where `{}` was expected",
                            quote_input(v.resource ? v.resource->name : "?"), quote_input(t.resource ? t.resource->name : "?")));
  if (t.kind == ValKind::Own) {
    HandleEntry e;
    e.type = t.resource;
    e.rep = v.rep();
    e.own = true;
    return cx.handles->add(std::move(e));
  }
  if (t.resource && t.resource->owner && t.resource->owner == cx.instance) return v.rep();
  HandleEntry e;
  e.type = t.resource;
  e.rep = v.rep();
  e.own = false;
  e.scope = cx.scope;
  if (cx.scope) ++cx.scope->borrow_count;
  return cx.handles->add(std::move(e));
}

// ---- value checks ----------------------------------------------------------

Result<void> expect_kind(const VType& t, const Val& v) {
  bool ok = v.kind == t.kind;
  if (ok && (t.kind == ValKind::Record || t.kind == ValKind::Tuple)) ok = v.items.size() == t.elems.size();
  if (ok && (t.kind == ValKind::Variant || t.kind == ValKind::Enum || t.kind == ValKind::Option ||
             t.kind == ValKind::Result)) {
    auto cases = variant_cases(t);
    ok = v.u < cases.size() && v.items.size() == (cases[v.u] ? 1u : 0u);
  }
  if (ok && t.kind == ValKind::List && v.is_packed()) ok = v.packed_kind == t.elems[0]->kind;
  if (ok && t.kind == ValKind::List && t.length) ok = v.list_size() == t.length;
  if (ok && t.kind == ValKind::Flags) ok = t.labels.size() >= 64 || (v.u >> t.labels.size()) == 0;
  if (ok && t.kind == ValKind::Char) ok = is_unicode_scalar(v.u);
  if (!ok)
    return trap(fmt::format("canonical ABI: value {} does not match type {}", to_string(v), type_to_string(t)));
  return {};
}

Val int_val(ValKind k, uint64_t raw) {
  Val v;
  v.kind = k;
  switch (k) {
    case ValKind::Bool: v.u = raw != 0; break;
    case ValKind::S8: v.u = uint64_t(int64_t(int8_t(raw))); break;
    case ValKind::U8: v.u = uint8_t(raw); break;
    case ValKind::S16: v.u = uint64_t(int64_t(int16_t(raw))); break;
    case ValKind::U16: v.u = uint16_t(raw); break;
    case ValKind::S32: v.u = uint64_t(int64_t(int32_t(raw))); break;
    case ValKind::U32: v.u = uint32_t(raw); break;
    default: v.u = raw; break;
  }
  return v;
}

Result<uint32_t> check_case(const VType& t, uint64_t disc, size_t n) {
  if (disc >= n)
    return trap(fmt::format("canonical ABI: invalid variant discriminant: {} is out of range for {} ({} cases)", disc,
                            type_to_string(t), n));
  return uint32_t(disc);
}

uint32_t flags_mask(const VType& t) {
  return t.labels.size() >= 32 ? 0xffffffffu : ((1u << t.labels.size()) - 1);
}

}  // namespace

// ---- loading ---------------------------------------------------------------

Result<Val> load(CanonCx& cx, const VType& t, uint32_t ptr) {
  WIPPY_TRY(check_align(ptr, t.align, "value"));
  switch (t.kind) {
    case ValKind::Bool: case ValKind::S8: case ValKind::U8: case ValKind::S16: case ValKind::U16:
    case ValKind::S32: case ValKind::U32: case ValKind::S64: case ValKind::U64: {
      auto raw = read_uint(cx, ptr, t.size);
      if (!raw) return raw.error();
      return int_val(t.kind, *raw);
    }
    case ValKind::F32: {
      auto raw = read_uint(cx, ptr, 4);
      if (!raw) return raw.error();
      return Val::f32v(canon_f32(bits_f32(uint32_t(*raw))));
    }
    case ValKind::F64: {
      auto raw = read_uint(cx, ptr, 8);
      if (!raw) return raw.error();
      return Val::f64v(canon_f64(bits_f64(*raw)));
    }
    case ValKind::Char: {
      auto raw = read_uint(cx, ptr, 4);
      if (!raw) return raw.error();
      return make_char(*raw);
    }
    case ValKind::String: case ValKind::List: {
      if (t.length) {
        std::vector<Val> items;
        for (uint32_t i = 0; i < t.length; ++i) {
          auto e = load(cx, *t.elems[0], ptr + i * t.elems[0]->size);
          if (!e) return e.error();
          items.push_back(std::move(*e));
        }
        return Val::list(std::move(items));
      }
      auto p = read_uint(cx, ptr, 4);
      if (!p) return p.error();
      auto n = read_uint(cx, ptr + 4, 4);
      if (!n) return n.error();
      if (t.kind == ValKind::String) return load_string_from(cx, uint32_t(*p), uint32_t(*n));
      return load_list_from(cx, *t.elems[0], uint32_t(*p), uint32_t(*n));
    }
    case ValKind::Record: case ValKind::Tuple: {
      Val v;
      v.kind = t.kind;
      uint32_t off = ptr;
      for (auto& f : t.elems) {
        off = align_to(off, f->align);
        auto fv = load(cx, *f, off);
        if (!fv) return fv.error();
        v.items.push_back(std::move(*fv));
        off += f->size;
      }
      return v;
    }
    case ValKind::Variant: case ValKind::Enum: case ValKind::Option: case ValKind::Result: {
      auto cases = variant_cases(t);
      uint32_t dsize = discriminant_size(cases.size());
      auto disc = read_uint(cx, ptr, dsize);
      if (!disc) return disc.error();
      auto c = check_case(t, *disc, cases.size());
      if (!c) return c.error();
      Val v;
      v.kind = t.kind;
      v.u = *c;
      if (const VType* pt = cases[*c]) {
        uint32_t max_align = dsize;
        for (auto* x : cases) if (x) max_align = std::max(max_align, x->align);
        auto pv = load(cx, *pt, ptr + align_to(dsize, max_align));
        if (!pv) return pv.error();
        v.items.push_back(std::move(*pv));
      }
      return v;
    }
    case ValKind::Flags: {
      auto raw = read_uint(cx, ptr, t.size);
      if (!raw) return raw.error();
      return Val::flags(uint32_t(*raw) & flags_mask(t));
    }
    case ValKind::Own: case ValKind::Borrow: {
      auto raw = read_uint(cx, ptr, 4);
      if (!raw) return raw.error();
      return lift_handle(cx, t, uint32_t(*raw));
    }
  }
  return trap("canonical ABI: unknown type");
}

// ---- storing ---------------------------------------------------------------

Result<void> store(CanonCx& cx, const VType& t, const Val& v, uint32_t ptr) {
  WIPPY_TRY(expect_kind(t, v));
  WIPPY_TRY(check_align(ptr, t.align, "value"));
  switch (t.kind) {
    case ValKind::Bool: case ValKind::S8: case ValKind::U8: case ValKind::S16: case ValKind::U16:
    case ValKind::S32: case ValKind::U32: case ValKind::S64: case ValKind::U64: case ValKind::Char:
    case ValKind::Flags:
      return write_uint(cx, ptr, t.size, v.u);
    case ValKind::F32: return write_uint(cx, ptr, 4, f32_bits(canon_f32(v.f32)));
    case ValKind::F64: return write_uint(cx, ptr, 8, f64_bits(canon_f64(v.f64)));
    case ValKind::String: case ValKind::List: {
      if (t.length) {
        std::vector<Val> scratch;
        auto& items = list_elems(v, scratch);
        for (uint32_t i = 0; i < t.length; ++i) WIPPY_TRY(store(cx, *t.elems[0], items[i], ptr + i * t.elems[0]->size));
        return {};
      }
      WIPPY_TRY(mem_range(cx, ptr, 8));
      auto pl = t.kind == ValKind::String ? store_string_into(cx, v.str) : store_list_into(cx, *t.elems[0], v);
      if (!pl) return pl.error();
      WIPPY_TRY(write_uint(cx, ptr, 4, pl->first));
      return write_uint(cx, ptr + 4, 4, pl->second);
    }
    case ValKind::Record: case ValKind::Tuple: {
      uint32_t off = ptr;
      for (size_t i = 0; i < t.elems.size(); ++i) {
        off = align_to(off, t.elems[i]->align);
        WIPPY_TRY(store(cx, *t.elems[i], v.items[i], off));
        off += t.elems[i]->size;
      }
      return {};
    }
    case ValKind::Variant: case ValKind::Enum: case ValKind::Option: case ValKind::Result: {
      auto cases = variant_cases(t);
      uint32_t dsize = discriminant_size(cases.size());
      WIPPY_TRY(write_uint(cx, ptr, dsize, v.u));
      if (const VType* pt = cases[v.u]) {
        uint32_t max_align = dsize;
        for (auto* x : cases) if (x) max_align = std::max(max_align, x->align);
        return store(cx, *pt, v.items[0], ptr + align_to(dsize, max_align));
      }
      return {};
    }
    case ValKind::Own: case ValKind::Borrow: {
      WIPPY_TRY(mem_range(cx, ptr, 4));
      auto h = lower_handle(cx, t, v);
      if (!h) return h.error();
      return write_uint(cx, ptr, 4, *h);
    }
  }
  return trap("canonical ABI: unknown type");
}

// ---- flat lifting ----------------------------------------------------------

Result<Value> FlatReader::next() {
  if (pos >= values.size()) return trap("canonical ABI: too few core values");
  return values[pos++];
}

Result<Val> lift_flat(CanonCx& cx, const VType& t, FlatReader& in) {
  switch (t.kind) {
    case ValKind::Bool: case ValKind::S8: case ValKind::U8: case ValKind::S16: case ValKind::U16:
    case ValKind::S32: case ValKind::U32: {
      auto x = in.next();
      if (!x) return x.error();
      return int_val(t.kind, x->i32);
    }
    case ValKind::S64: case ValKind::U64: {
      auto x = in.next();
      if (!x) return x.error();
      return int_val(t.kind, x->i64);
    }
    case ValKind::F32: {
      auto x = in.next();
      if (!x) return x.error();
      return Val::f32v(canon_f32(x->f32));
    }
    case ValKind::F64: {
      auto x = in.next();
      if (!x) return x.error();
      return Val::f64v(canon_f64(x->f64));
    }
    case ValKind::Char: {
      auto x = in.next();
      if (!x) return x.error();
      return make_char(x->i32);
    }
    case ValKind::String: case ValKind::List: {
      if (t.length) {
        std::vector<Val> items;
        for (uint32_t i = 0; i < t.length; ++i) {
          auto e = lift_flat(cx, *t.elems[0], in);
          if (!e) return e.error();
          items.push_back(std::move(*e));
        }
        return Val::list(std::move(items));
      }
      auto p = in.next();
      if (!p) return p.error();
      auto n = in.next();
      if (!n) return n.error();
      if (t.kind == ValKind::String) return load_string_from(cx, p->i32, n->i32);
      return load_list_from(cx, *t.elems[0], p->i32, n->i32);
    }
    case ValKind::Record: case ValKind::Tuple: {
      Val v;
      v.kind = t.kind;
      for (auto& f : t.elems) {
        auto fv = lift_flat(cx, *f, in);
        if (!fv) return fv.error();
        v.items.push_back(std::move(*fv));
      }
      return v;
    }
    case ValKind::Variant: case ValKind::Enum: case ValKind::Option: case ValKind::Result: {
      auto cases = variant_cases(t);
      auto disc = in.next();
      if (!disc) return disc.error();
      auto c = check_case(t, disc->i32, cases.size());
      if (!c) return c.error();
      size_t payload_slots = t.flat.size() - 1;
      if (in.pos + payload_slots > in.values.size()) return trap("canonical ABI: too few core values");
      // Joined payload slots hold each case's values in their low bits (the
      // Value union reads i32/f32 from the low half of an i64 slot), so a
      // case is lifted straight from the slots without explicit coercion.
      FlatReader sub{in.values.subspan(in.pos, payload_slots)};
      in.pos += payload_slots;
      Val v;
      v.kind = t.kind;
      v.u = *c;
      if (const VType* pt = cases[*c]) {
        auto pv = lift_flat(cx, *pt, sub);
        if (!pv) return pv.error();
        v.items.push_back(std::move(*pv));
      }
      return v;
    }
    case ValKind::Flags: {
      auto x = in.next();
      if (!x) return x.error();
      return Val::flags(x->i32 & flags_mask(t));
    }
    case ValKind::Own: case ValKind::Borrow: {
      auto x = in.next();
      if (!x) return x.error();
      return lift_handle(cx, t, x->i32);
    }
  }
  return trap("canonical ABI: unknown type");
}

// ---- flat lowering ---------------------------------------------------------

Result<void> lower_flat(CanonCx& cx, const VType& t, const Val& v, std::vector<Value>& out) {
  WIPPY_TRY(expect_kind(t, v));
  switch (t.kind) {
    case ValKind::Bool: case ValKind::S8: case ValKind::U8: case ValKind::S16: case ValKind::U16:
    case ValKind::S32: case ValKind::U32: case ValKind::Char: case ValKind::Flags:
      out.push_back(val_i32(uint32_t(v.u)));
      return {};
    case ValKind::S64: case ValKind::U64: out.push_back(val_i64(v.u)); return {};
    case ValKind::F32: out.push_back(val_f32(canon_f32(v.f32))); return {};
    case ValKind::F64: out.push_back(val_f64(canon_f64(v.f64))); return {};
    case ValKind::String: case ValKind::List: {
      if (t.length) {
        std::vector<Val> scratch;
        auto& items = list_elems(v, scratch);
        for (uint32_t i = 0; i < t.length; ++i) WIPPY_TRY(lower_flat(cx, *t.elems[0], items[i], out));
        return {};
      }
      auto pl = t.kind == ValKind::String ? store_string_into(cx, v.str) : store_list_into(cx, *t.elems[0], v);
      if (!pl) return pl.error();
      out.push_back(val_i32(pl->first));
      out.push_back(val_i32(pl->second));
      return {};
    }
    case ValKind::Record: case ValKind::Tuple:
      for (size_t i = 0; i < t.elems.size(); ++i) WIPPY_TRY(lower_flat(cx, *t.elems[i], v.items[i], out));
      return {};
    case ValKind::Variant: case ValKind::Enum: case ValKind::Option: case ValKind::Result: {
      auto cases = variant_cases(t);
      out.push_back(val_i32(uint32_t(v.u)));
      size_t start = out.size();
      if (const VType* pt = cases[v.u]) WIPPY_TRY(lower_flat(cx, *pt, v.items[0], out));
      // Pad to the joined width; narrower values sit zero-extended in their slot.
      while (out.size() - start < t.flat.size() - 1) out.push_back(val_i64(0));
      return {};
    }
    case ValKind::Own: case ValKind::Borrow: {
      auto h = lower_handle(cx, t, v);
      if (!h) return h.error();
      out.push_back(val_i32(*h));
      return {};
    }
  }
  return trap("canonical ABI: unknown type");
}

// ---- parameter and result lists ----------------------------------------------

std::pair<uint32_t, uint32_t> tuple_layout(std::span<const VTypeRef> types) {
  uint32_t size = 0, align = 1;
  for (auto& t : types) {
    size = align_to(size, t->align) + t->size;
    align = std::max(align, t->align);
  }
  return {align_to(size, align), align};
}

namespace {
size_t flat_count(std::span<const VTypeRef> types) {
  size_t n = 0;
  for (auto& t : types) n += t->flat.size();
  return n;
}
}  // namespace

Result<std::vector<Val>> lift_values(CanonCx& cx, std::span<const VTypeRef> types,
                                     std::span<const Value> flat, size_t max_flat) {
  std::vector<Val> out;
  if (flat_count(types) > max_flat) {
    if (flat.empty()) return trap("canonical ABI: missing pointer to spilled values");
    uint32_t ptr = flat[0].i32;
    auto [size, align] = tuple_layout(types);
    WIPPY_TRY(check_align(ptr, align, "spilled values"));
    WIPPY_TRY(mem_range(cx, ptr, size));
    uint32_t off = ptr;
    for (auto& t : types) {
      off = align_to(off, t->align);
      auto v = load(cx, *t, off);
      if (!v) return v.error();
      out.push_back(std::move(*v));
      off += t->size;
    }
    return out;
  }
  FlatReader in{flat};
  for (auto& t : types) {
    auto v = lift_flat(cx, *t, in);
    if (!v) return v.error();
    out.push_back(std::move(*v));
  }
  return out;
}

Result<std::vector<Value>> lower_values(CanonCx& cx, std::span<const VTypeRef> types,
                                        std::span<const Val> vals, size_t max_flat,
                                        std::optional<uint32_t> out_ptr) {
  if (vals.size() != types.size())
    return trap(fmt::format("canonical ABI: {} values given where {} are expected", vals.size(), types.size()));
  std::vector<Value> out;
  if (flat_count(types) > max_flat) {
    auto [size, align] = tuple_layout(types);
    uint32_t ptr = 0;
    if (out_ptr) {
      ptr = *out_ptr;
      WIPPY_TRY(check_align(ptr, align, "result"));
      WIPPY_TRY(mem_range(cx, ptr, size));
    } else {
      auto p = call_realloc(cx, align, size);
      if (!p) return p.error();
      ptr = *p;
      out.push_back(val_i32(ptr));
    }
    uint32_t off = ptr;
    for (size_t i = 0; i < types.size(); ++i) {
      off = align_to(off, types[i]->align);
      WIPPY_TRY(store(cx, *types[i], vals[i], off));
      off += types[i]->size;
    }
    return out;
  }
  for (size_t i = 0; i < types.size(); ++i) WIPPY_TRY(lower_flat(cx, *types[i], vals[i], out));
  return out;
}

}  // namespace wippy::component
