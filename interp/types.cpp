// types.cpp — names of types and Module index-space helpers.
#include "types.h"

#include "module.h"

namespace wippy {

const char* valtype_name(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  if (t == kPackedI8) return "i8";
  if (t == kPackedI16) return "i16";
  if (is_ref(t)) {
    uint32_t h = ref_heap(t);
    bool n = ref_nullable(t);
    switch (h) {
      case kHeapFunc: return "(ref func)";
      case kHeapExtern: return "(ref extern)";
      case kHeapAny: return n ? "anyref" : "(ref any)";
      case kHeapEq: return n ? "eqref" : "(ref eq)";
      case kHeapI31: return n ? "i31ref" : "(ref i31)";
      case kHeapStruct: return n ? "structref" : "(ref struct)";
      case kHeapArray: return n ? "arrayref" : "(ref array)";
      case kHeapNone: return n ? "nullref" : "(ref none)";
      case kHeapNoFunc: return n ? "nullfuncref" : "(ref nofunc)";
      case kHeapNoExtern: return n ? "nullexternref" : "(ref noextern)";
      case kHeapExn: return n ? "exnref" : "(ref exn)";
      case kHeapNoExn: return n ? "nullexnref" : "(ref noexn)";
      default: break;
    }
    return n ? "(ref null typeidx)" : "(ref typeidx)";
  }
  return "?";
}

std::optional<uint32_t> abstract_heap_named(std::string_view s, std::string_view suffix) {
  if (!s.ends_with(suffix)) return std::nullopt;
  s.remove_suffix(suffix.size());
  static constexpr std::pair<std::string_view, uint32_t> kNames[] = {
      {"func", kHeapFunc},   {"extern", kHeapExtern},     {"any", kHeapAny},       {"eq", kHeapEq},
      {"i31", kHeapI31},     {"struct", kHeapStruct},     {"array", kHeapArray},   {"exn", kHeapExn},
      {"none", kHeapNone},   {"noextern", kHeapNoExtern}, {"nofunc", kHeapNoFunc}, {"noexn", kHeapNoExn}};
  if (suffix == "ref" && s.starts_with("null")) {  // nullref, nullfuncref, nullexternref, nullexnref
    if (s == "null") return kHeapNone;
    s.remove_prefix(4);
    for (auto [name, heap] : kNames)
      if (name.size() == s.size() + 2 && name.starts_with("no") && name.substr(2) == s) return heap;
    return std::nullopt;
  }
  for (auto [name, heap] : kNames)
    if (s == name) return heap;
  return std::nullopt;
}

const char* extern_kind_name(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
  }
  return "?";
}

std::string functype_to_string(const FuncType& t) {
  std::string s = "(";
  for (size_t i = 0; i < t.params.size(); ++i) s += (i ? " " : ""), s += valtype_name(t.params[i]);
  s += ") -> (";
  for (size_t i = 0; i < t.results.size(); ++i) s += (i ? " " : ""), s += valtype_name(t.results[i]);
  return s + ")";
}

// Index spaces: imports of a kind come first, in import order.
const FuncType& Module::func_type(uint32_t i) const { return types[func_type_index(i)]; }

TableType Module::table_type(uint32_t i) const {
  uint32_t n = num_imported_tables();
  return i < n ? imported_tables[i] : tables[i - n];
}

MemoryType Module::memory_type(uint32_t i) const {
  uint32_t n = num_imported_memories();
  return i < n ? imported_memories[i] : memories[i - n];
}

GlobalType Module::global_type(uint32_t i) const {
  uint32_t n = num_imported_globals();
  return i < n ? imported_globals[i] : globals[i - n].type;
}

}  // namespace wippy
