// types.cpp — names of primitive types, sorts and string encodings; the
// value kind of each primitive type.
#include "component/component.h"
#include "component/types.h"
#include "component/val.h"

namespace wippy::component {

const char* prim_name(PrimValType t) {
  switch (t) {
    case PrimValType::Bool: return "bool";
    case PrimValType::S8: return "s8";
    case PrimValType::U8: return "u8";
    case PrimValType::S16: return "s16";
    case PrimValType::U16: return "u16";
    case PrimValType::S32: return "s32";
    case PrimValType::U32: return "u32";
    case PrimValType::S64: return "s64";
    case PrimValType::U64: return "u64";
    case PrimValType::F32: return "f32";
    case PrimValType::F64: return "f64";
    case PrimValType::Char: return "char";
    case PrimValType::String: return "string";
  }
  return "?";
}

bool is_prim_byte(uint8_t b) { return b >= 0x73 && b <= 0x7f; }

const char* sort_name(Sort s) {
  switch (s) {
    case Sort::CoreFunc: return "core func";
    case Sort::CoreTable: return "core table";
    case Sort::CoreMemory: return "core memory";
    case Sort::CoreGlobal: return "core global";
    case Sort::CoreTag: return "core tag";
    case Sort::CoreType: return "core type";
    case Sort::CoreModule: return "core module";
    case Sort::CoreInstance: return "core instance";
    case Sort::Func: return "func";
    case Sort::Value: return "value";
    case Sort::Type: return "type";
    case Sort::Component: return "component";
    case Sort::Instance: return "instance";
  }
  return "?";
}

bool is_defvaltype(const TypeDef& t) {
  return !std::holds_alternative<FuncType>(t) && !std::holds_alternative<ComponentType>(t) &&
         !std::holds_alternative<InstanceType>(t) && !std::holds_alternative<ResourceType>(t);
}

const char* string_encoding_name(StringEncoding e) {
  switch (e) {
    case StringEncoding::Utf8: return "utf8";
    case StringEncoding::Utf16: return "utf16";
    case StringEncoding::Latin1Utf16: return "latin1-utf16";
  }
  return "?";
}

ValKind prim_kind(PrimValType p) {
  switch (p) {
    case PrimValType::Bool: return ValKind::Bool;
    case PrimValType::S8: return ValKind::S8;
    case PrimValType::U8: return ValKind::U8;
    case PrimValType::S16: return ValKind::S16;
    case PrimValType::U16: return ValKind::U16;
    case PrimValType::S32: return ValKind::S32;
    case PrimValType::U32: return ValKind::U32;
    case PrimValType::S64: return ValKind::S64;
    case PrimValType::U64: return ValKind::U64;
    case PrimValType::F32: return ValKind::F32;
    case PrimValType::F64: return ValKind::F64;
    case PrimValType::Char: return ValKind::Char;
    case PrimValType::String: return ValKind::String;
  }
  return ValKind::Bool;
}

}  // namespace wippy::component
