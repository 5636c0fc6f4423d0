// types.h — component-model type definitions as decoded from the binary
// (Binary.md "Type Definitions"). Indices inside a type refer to the type
// index space of the scope the type is defined in (a component, or a
// component/instance type). Plain value types; nesting of component and
// instance types is by value (a type declarator holds its declarations).
// Core wasm pieces (core func types, table/memory/global types) reuse
// interp/types.h.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "interp/module.h"
#include "interp/types.h"

namespace wippy::component {

// The primitive value types, with their binary opcodes.
enum class PrimValType : uint8_t {
  Bool = 0x7f,
  S8 = 0x7e,
  U8 = 0x7d,
  S16 = 0x7c,
  U16 = 0x7b,
  S32 = 0x7a,
  U32 = 0x79,
  S64 = 0x78,
  U64 = 0x77,
  F32 = 0x76,
  F64 = 0x75,
  Char = 0x74,
  String = 0x73,
};
const char* prim_name(PrimValType t);  // "bool", "s8", ..., "string"
enum class ValKind : uint8_t;        // val.h
ValKind prim_kind(PrimValType t);     // the value kind of a primitive type
bool is_prim_byte(uint8_t b);

// A value type operand: a primitive, or an index into the type index space.
struct ValType {
  bool is_prim = true;
  PrimValType prim = PrimValType::Bool;
  uint32_t index = 0;  // !is_prim
  static ValType of(PrimValType p) { return ValType{true, p, 0}; }
  static ValType at(uint32_t i) { return ValType{false, PrimValType::Bool, i}; }
  bool operator==(const ValType&) const = default;
};

struct Field {  // record field, function parameter
  std::string name;
  ValType type;
};
struct Case {  // variant case
  std::string name;
  std::optional<ValType> type;
};

struct RecordType { std::vector<Field> fields; };
struct VariantType { std::vector<Case> cases; };
struct ListType {
  ValType elem;
  std::optional<uint32_t> length;  // (list t N): a fixed-size list
};
struct MapType { ValType key, value; };  // (map k v), laid out as list<tuple<k, v>>
struct TupleType { std::vector<ValType> elems; };
struct FlagsType { std::vector<std::string> names; };
struct EnumType { std::vector<std::string> names; };
struct OptionType { ValType elem; };
struct ResultType { std::optional<ValType> ok, err; };
struct OwnType { uint32_t resource = 0; };     // type index of a resource
struct BorrowType { uint32_t resource = 0; };

// (func (param ...)* (result t)?) — a single unnamed result or none.
struct FuncType {
  std::vector<Field> params;
  std::optional<ValType> result;
};

// (resource (rep i32) (dtor f)?) — only in concrete components.
struct ResourceType {
  wippy::ValType rep = wippy::ValType::I32;
  std::optional<uint32_t> dtor;  // core func index
};

// ---- sorts -------------------------------------------------------------

// Every index space of a component. Core sorts first (binary core:sort
// opcodes: func 0x00, table 0x01, memory 0x02, global 0x03, tag 0x04,
// type 0x10, module 0x11, instance 0x12), then the component sorts.
enum class Sort : uint8_t {
  CoreFunc, CoreTable, CoreMemory, CoreGlobal, CoreTag, CoreType, CoreModule, CoreInstance,
  Func, Value, Type, Component, Instance,
};
inline constexpr size_t kNumSorts = 13;
const char* sort_name(Sort s);  // "core func", ..., "instance"
inline bool is_core_sort(Sort s) { return uint8_t(s) <= uint8_t(Sort::CoreInstance); }

struct SortIdx {
  Sort sort = Sort::Func;
  uint32_t index = 0;
};

// ---- extern names and descriptions ---------------------------------------

// An import/export name with its binary attributes (0x02 form).
struct ExternName {
  std::string name;
  std::optional<std::string> implements;      // (implements "ns:pkg/iface")
  std::optional<std::string> version_suffix;  // (versionsuffix "...")
  std::optional<std::string> external_id;     // (external-id "...")
};

// The type bound of a type import/export.
struct TypeBound {
  bool sub_resource = false;  // (sub resource); otherwise (eq index)
  uint32_t index = 0;
};

// externtype: what an import or export declares.
struct ExternDesc {
  Sort sort = Sort::Func;  // CoreModule, Func, Value, Type, Component, Instance
  uint32_t index = 0;      // core type (module) / type index (func, component, instance, value eq)
  TypeBound bound;         // sort == Type
  bool value_is_eq = false;  // sort == Value: (eq index) vs a valtype
  ValType value_type;        // sort == Value && !value_is_eq
};

// ---- aliases -----------------------------------------------------------

struct Alias {
  enum class Kind : uint8_t { Export, CoreExport, Outer } kind = Kind::Export;
  Sort sort = Sort::Func;
  uint32_t instance = 0;  // Export / CoreExport
  std::string name;       // Export / CoreExport
  uint32_t outer_count = 0, outer_index = 0;  // Outer
};

// ---- core types ----------------------------------------------------------

// A core extern type (in a module type's export declarations).
struct CoreExternType {
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0;  // Func, Tag: core type index (in the module type's scope)
  TableType table;
  MemoryType memory;
  GlobalType global;
};

struct CoreModuleDecl {
  enum class Kind : uint8_t { Import, Type, Alias, Export } kind = Kind::Import;
  wippy::Import import;                       // Import (func_type indexes the module type's scope)
  wippy::FuncType type;                        // Type (only func types inside module types)
  uint32_t outer_count = 0, outer_index = 0;  // Alias (outer core type)
  std::string export_name;                     // Export
  CoreExternType export_type;                  // Export
};

struct CoreModuleType { std::vector<CoreModuleDecl> decls; };

// core:type — a core function type or a core module type.
using CoreTypeDef = std::variant<wippy::FuncType, CoreModuleType>;

// ---- component and instance types --------------------------------------

struct Decl;
struct ComponentType { std::vector<Decl> decls; };  // 0x41
struct InstanceType { std::vector<Decl> decls; };   // 0x42

// deftype: a value type, function, component, instance or resource type.
using TypeDef = std::variant<PrimValType, RecordType, VariantType, ListType, TupleType, FlagsType,
                             EnumType, OptionType, ResultType, OwnType, BorrowType, FuncType,
                             ComponentType, InstanceType, ResourceType, MapType>;

// A component-type / instance-type declarator.
struct Decl {
  enum class Kind : uint8_t { CoreType, Type, Alias, Import, Export } kind = Kind::Type;
  uint32_t offset = 0;  // byte offset of the declarator (for messages)
  std::vector<CoreTypeDef> core_type;  // CoreType: exactly one element
  std::vector<TypeDef> type;           // Type: exactly one element
  Alias alias;                         // Alias
  ExternName name;                     // Import / Export
  ExternDesc desc;                     // Import / Export
};

bool is_defvaltype(const TypeDef& t);  // prim .. borrow

}  // namespace wippy::component
