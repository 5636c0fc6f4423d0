// val.h — dynamic component-model values (component::Val) and the resource
// identity they refer to. A Val is a plain value tree; it carries no type:
// the canonical ABI (canon.h) pairs it with a resolved type (rtype.h).
// Encoding per kind:
//   Bool/ints/Char      -> `u` (signed ints sign-extended into u), Char = scalar
//   F32/F64             -> `f32` / `f64`
//   String              -> `str` (always valid UTF-8)
//   List/Record/Tuple   -> `items` (record fields in declaration order)
//   List, packed        -> `raw`: a list whose elements are all of one
//                          fixed-size number kind (s8..u64, f32, f64) may
//                          instead hold them back to back in `raw`, each in
//                          its canonical ABI memory form (little-endian,
//                          size_of(kind) bytes); `packed` names that kind and
//                          `items` is empty. Lifting such a list makes a
//                          packed Val (one bounds check and a copy), as do
//                          Val::bytes / Val::packed_list; Val::list makes an
//                          unpacked one. Both forms are the same value
//                          (operator== compares elements); code walking a
//                          list uses list_size()/list_item() or list_items(),
//                          or raw() when is_packed().
//   Variant/Enum/Option/Result -> `u` = case index (option: 0 none, 1 some;
//                          result: 0 ok, 1 err), `items` = payload (0 or 1)
//   Flags               -> `u` = bit i set when label i is set (<= 32 labels)
//   Own/Borrow          -> `resource` + `u` = representation (rep)
// Handles in a Val are by representation, not by table index: table indices
// are per component instance and are assigned when a handle is lowered.
// Threads: a Val is a plain value tree; a const Val may be read from several
// threads at once and a Val may be moved to another thread (the Resource a
// handle names is shared through a shared_ptr to const, whose count is
// atomic). A handle (Own/Borrow) is only meaningful to calls on the
// instance that made it, on the thread that runs that instance.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wippy {
struct FuncInst;
class Store;
}

namespace wippy::component {

enum class ValKind : uint8_t {
  Bool, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, Char, String,
  List, Record, Tuple, Variant, Enum, Option, Result, Flags, Own, Borrow,
};
const char* val_kind_name(ValKind k);

// The identity of one resource type at run time. A host resource has
// `host_dtor` (may be empty); a guest resource (type (resource ...)) is owned
// by the component instance that defined it (`owner`, opaque) and may name a
// core destructor. `host_type` identifies the C++ type a typed host
// resource is bound to (bind.h), so typed host functions can check that an
// importer's own/borrow refers to it; null for untyped resources.
struct Resource {
  std::string name;
  std::function<void(Store& store, uint32_t rep)> host_dtor;  // store: the dropping instance's
  const void* host_type = nullptr;
  FuncInst* dtor = nullptr;
  const void* owner = nullptr;
};
using ResourceRef = std::shared_ptr<const Resource>;

struct Val {
  ValKind kind = ValKind::Bool;
  bool packed = false;                  // List only: elements are in `raw`
  ValKind packed_kind = ValKind::Bool;  // their kind when packed
  uint64_t u = 0;
  float f32 = 0;
  double f64 = 0;
  std::string str;
  std::vector<Val> items;
  ResourceRef resource;
  std::vector<uint8_t> packed_raw;  // packed list elements (see the header)

  static Val boolean(bool b) { return scalar(ValKind::Bool, b); }
  static Val s8(int8_t v) { return scalar(ValKind::S8, uint64_t(int64_t(v))); }
  static Val u8(uint8_t v) { return scalar(ValKind::U8, v); }
  static Val s16(int16_t v) { return scalar(ValKind::S16, uint64_t(int64_t(v))); }
  static Val u16(uint16_t v) { return scalar(ValKind::U16, v); }
  static Val s32(int32_t v) { return scalar(ValKind::S32, uint64_t(int64_t(v))); }
  static Val u32(uint32_t v) { return scalar(ValKind::U32, v); }
  static Val s64(int64_t v) { return scalar(ValKind::S64, uint64_t(v)); }
  static Val u64(uint64_t v) { return scalar(ValKind::U64, v); }
  static Val f32v(float v) { Val x; x.kind = ValKind::F32; x.f32 = v; return x; }
  static Val f64v(double v) { Val x; x.kind = ValKind::F64; x.f64 = v; return x; }
  static Val character(uint32_t scalar_value) { return scalar(ValKind::Char, scalar_value); }
  static Val string(std::string s) { Val x; x.kind = ValKind::String; x.str = std::move(s); return x; }
  static Val list(std::vector<Val> v) { return aggregate(ValKind::List, std::move(v)); }
  // A packed list<u8>.
  static Val bytes(std::vector<uint8_t> b) { return packed_list(ValKind::U8, std::move(b)); }
  // A packed list of `elem` (packable(elem)); raw.size() must be a multiple
  // of packed_size(elem).
  static Val packed_list(ValKind elem, std::vector<uint8_t> raw) {
    Val x; x.kind = ValKind::List; x.packed = true; x.packed_kind = elem; x.packed_raw = std::move(raw);
    return x;
  }
  // Kinds a list can be packed with, and their element size (0 otherwise).
  static uint32_t packed_size(ValKind k);
  static bool packable(ValKind k) { return packed_size(k) != 0; }
  static Val record(std::vector<Val> fields) { return aggregate(ValKind::Record, std::move(fields)); }
  static Val tuple(std::vector<Val> v) { return aggregate(ValKind::Tuple, std::move(v)); }
  static Val variant(uint32_t case_index, std::optional<Val> payload = std::nullopt) {
    return cased(ValKind::Variant, case_index, std::move(payload));
  }
  static Val enumeration(uint32_t case_index) { return cased(ValKind::Enum, case_index, std::nullopt); }
  static Val none() { return cased(ValKind::Option, 0, std::nullopt); }
  static Val some(Val v) { return cased(ValKind::Option, 1, std::move(v)); }
  static Val ok(std::optional<Val> v = std::nullopt) { return cased(ValKind::Result, 0, std::move(v)); }
  static Val err(std::optional<Val> v = std::nullopt) { return cased(ValKind::Result, 1, std::move(v)); }
  static Val flags(uint32_t bits) { return scalar(ValKind::Flags, bits); }
  static Val own(ResourceRef r, uint32_t rep) { return handle(ValKind::Own, std::move(r), rep); }
  static Val borrow(ResourceRef r, uint32_t rep) { return handle(ValKind::Borrow, std::move(r), rep); }

  // Accessors for the common cases (no checking beyond the kind's encoding).
  bool as_bool() const { return u != 0; }
  int64_t as_s64() const { return int64_t(u); }
  uint64_t as_u64() const { return u; }
  uint32_t as_u32() const { return uint32_t(u); }
  uint32_t case_index() const { return uint32_t(u); }
  const Val* payload() const { return items.empty() ? nullptr : &items[0]; }
  bool is_ok() const { return kind == ValKind::Result && u == 0; }
  uint32_t rep() const { return uint32_t(u); }

  // Lists, either form.
  bool is_packed() const { return packed; }
  bool is_bytes() const { return packed && packed_kind == ValKind::U8; }
  // The packed elements' bytes (empty for an unpacked list).
  std::span<const uint8_t> raw() const { return packed_raw; }
  // A packed list<u8>'s bytes; empty for anything else.
  std::span<const uint8_t> bytes() const { return is_bytes() ? raw() : std::span<const uint8_t>(); }
  size_t list_size() const { return packed ? packed_raw.size() / packed_size(packed_kind) : items.size(); }
  // Element i (i < list_size()); decoded from `raw` when packed.
  Val list_item(size_t i) const;
  // All elements as Vals (expands a packed list).
  std::vector<Val> list_items() const;

  bool operator==(const Val& o) const;

 private:
  static Val scalar(ValKind k, uint64_t v) { Val x; x.kind = k; x.u = v; return x; }
  static Val aggregate(ValKind k, std::vector<Val> v) { Val x; x.kind = k; x.items = std::move(v); return x; }
  static Val cased(ValKind k, uint32_t c, std::optional<Val> p) {
    Val x; x.kind = k; x.u = c;
    if (p) x.items.push_back(std::move(*p));
    return x;
  }
  static Val handle(ValKind k, ResourceRef r, uint32_t rep) {
    Val x; x.kind = k; x.u = rep; x.resource = std::move(r); return x;
  }
};

// The elements of a list as Vals: `v.items`, or a packed list expanded
// into `scratch`.
const std::vector<Val>& list_elems(const Val& v, std::vector<Val>& scratch);

// A readable rendering for messages and tests: `"hi"`, `[1, 2]`, `some(3)`.
std::string to_string(const Val& v);

}  // namespace wippy::component
