// module.h — a decoded (not yet validated) WebAssembly core module.
// Produced by decode_module() (decode.h); checked by validate_module()
// (validate.h); compiled lazily per function by the interpreter.
// The Module owns a copy of the binary; code bodies and constant
// expressions refer into it by offset so nothing is copied twice.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/shared_bytes.h"
#include "type_graph.h"
#include "types.h"

namespace wippy {

// A constant expression as raw bytes of the module ([begin, end) includes the
// final `end` opcode). In 2.0 it is one of: t.const, ref.null, ref.func,
// global.get (of an imported immutable global) followed by end.
struct ConstExpr {
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0;  // kind == Func or Tag: type index
  TableType table;         // kind == Table
  MemoryType memory;       // kind == Memory
  GlobalType global;       // kind == Global
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

struct Global {
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t table = 0;
  ConstExpr offset;                 // Active only
  ValType type = ValType::FuncRef;  // element reference type
  std::vector<ConstExpr> inits;     // one expression per element
  // For the "vec(funcidx)" encodings the decoder records the indices
  // directly here (inits is then empty) to keep big tables cheap.
  std::vector<uint32_t> func_indices;
  bool uses_indices = false;
  size_t size() const { return uses_indices ? func_indices.size() : inits.size(); }
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // never Declarative
  uint32_t memory = 0;
  ConstExpr offset;  // Active only
  uint32_t begin = 0, end = 0;  // bytes in Module::bytes
};

struct LocalDecl {
  uint32_t count = 0;
  ValType type = ValType::I32;
};

struct FuncBody {
  std::vector<LocalDecl> locals;  // as declared (runs)
  uint32_t num_locals = 0;        // sum of counts (params not included)
  uint32_t body_begin = 0;        // first byte after the body's size (its locals)
  uint32_t code_begin = 0;        // first instruction byte in Module::bytes
  uint32_t code_end = 0;          // one past the final `end` (where the size says)
};

struct CustomSection {
  std::string name;
  uint32_t begin = 0, end = 0;  // payload after the name
};

struct Module {
  SharedBytes bytes;  // the whole binary (shared: copies of a Module, and a
                      // component holding it, do not copy the bytes)

  std::vector<FuncType> types;   // per type index; empty for struct and array types
  // Per type index: kind, finality, declared supertype, recursion group and
  // struct/array fields (sized as types), and the canonical id: the first
  // index whose recursion group is equivalent (type_canon.h).
  std::vector<SubType> subtypes;
  std::vector<uint32_t> type_canon;
  std::vector<Import> imports;
  std::vector<uint32_t> funcs;  // type index of each *defined* function
  std::vector<TableType> tables;    // defined tables
  // Per defined table, its initializer (3.0 `0x40 0x00` form); an empty
  // expression (begin == end) fills the table with null. Sized as tables.
  std::vector<ConstExpr> table_inits;
  std::vector<MemoryType> memories; // defined memories
  std::vector<Global> globals;      // defined globals
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::optional<uint32_t> data_count;
  std::vector<FuncBody> codes;      // parallel to funcs
  // false when decode_module left the bodies' well-formedness to validation
  // (DecodeOptions::scan_bodies): validate_module then reports a malformed
  // body as the decoder would have, before any other error.
  bool bodies_scanned = true;
  std::vector<DataSegment> datas;
  std::vector<CustomSection> customs;
  std::vector<uint32_t> tags;       // type index of each *defined* tag (exception handling)
  std::vector<std::string> func_names;  // from the "name" section when present (may be empty)

  // Imported entities per kind, in import order (filled by the decoder).
  // Index spaces are imports first, then definitions.
  std::vector<uint32_t> imported_func_types;
  std::vector<TableType> imported_tables;
  std::vector<MemoryType> imported_memories;
  std::vector<GlobalType> imported_globals;
  std::vector<uint32_t> imported_tag_types;

  uint32_t num_imported_funcs() const { return uint32_t(imported_func_types.size()); }
  uint32_t num_imported_tables() const { return uint32_t(imported_tables.size()); }
  uint32_t num_imported_memories() const { return uint32_t(imported_memories.size()); }
  uint32_t num_imported_globals() const { return uint32_t(imported_globals.size()); }
  uint32_t num_funcs() const { return num_imported_funcs() + uint32_t(funcs.size()); }
  uint32_t num_tables() const { return num_imported_tables() + uint32_t(tables.size()); }
  uint32_t num_memories() const { return num_imported_memories() + uint32_t(memories.size()); }
  uint32_t num_globals() const { return num_imported_globals() + uint32_t(globals.size()); }
  uint32_t num_imported_tags() const { return uint32_t(imported_tag_types.size()); }
  uint32_t num_tags() const { return num_imported_tags() + uint32_t(tags.size()); }
  uint32_t tag_type_index(uint32_t tag_index) const {
    return tag_index < imported_tag_types.size() ? imported_tag_types[tag_index]
                                                  : tags[tag_index - imported_tag_types.size()];
  }
  uint32_t func_type_index(uint32_t func_index) const {
    return func_index < imported_func_types.size() ? imported_func_types[func_index]
                                                    : funcs[func_index - imported_func_types.size()];
  }

  bool is_func_type(uint32_t type_index) const {
    return type_index < subtypes.size() && subtypes[type_index].kind == CompKind::Func;
  }
  // The subtyping relation over this module's type indices.
  TypeGraph type_graph() const { return TypeGraph{subtypes, type_canon}; }

  // Index-space helpers (valid indices only).
  const FuncType& func_type(uint32_t func_index) const;
  TableType table_type(uint32_t table_index) const;
  MemoryType memory_type(uint32_t memory_index) const;
  GlobalType global_type(uint32_t global_index) const;

  std::span<const uint8_t> span(uint32_t begin, uint32_t end) const {
    return std::span<const uint8_t>(bytes.data() + begin, end - begin);
  }
};

}  // namespace wippy
