// opcodes.h — enums and metadata generated from opcodes.def.
// Op is a dense enum over all instructions (its numeric value is NOT the wasm
// encoding); OpInfo gives encoding, mnemonic, immediate kind and signature.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wippy {

// What follows an opcode in the binary format.
enum class ImmKind : uint8_t {
  None,
  BlockType,     // s33: empty (0x40), a value type, or a type index
  Label,         // u32 label depth
  BrTable,       // vec(u32) + u32 default
  Func,          // u32 function index
  CallIndirect,  // u32 type index, u32 table index
  SelectT,       // vec(valtype)
  Local,         // u32 local index
  Global,        // u32 global index
  Table,         // u32 table index
  Memory,        // u32 memory index (a 0x00 byte in 2.0)
  MemArg,        // u32 align, u32 offset
  I32,           // s32
  I64,           // s64
  F32,           // 4 bytes
  F64,           // 8 bytes
  RefType,       // 1 byte reference type
  MemoryInit,    // u32 data index, memory index byte
  Data,          // u32 data index
  MemoryCopy,    // two memory index bytes
  TableInit,     // u32 elem index, u32 table index
  Elem,          // u32 elem index
  TableCopy,     // u32 dst table, u32 src table
  V128,          // 16 bytes
  Shuffle,       // 16 lane bytes
  Lane,          // 1 lane byte
  MemArgLane,    // memarg + lane byte
  TypeIdx,       // u32 type index (call_ref, return_call_ref, struct.new, array.get, ...)
  TypeField,     // u32 type index, u32 field index (struct.get, struct.set)
  TypeCount,     // u32 type index, u32 count (array.new_fixed)
  TypeData,      // u32 type index, u32 data index (array.new_data, array.init_data)
  TypeElem,      // u32 type index, u32 elem index (array.new_elem, array.init_elem)
  TypeType,      // u32 type index, u32 type index (array.copy: destination, source)
  Tag,           // u32 tag index (throw, legacy catch)
  TryTable,      // block type + vec(catch clause) (Instr::catches)
  BrOnCast,      // u8 flags (bit 0, 1: first, second type nullable), u32 label, two heap types:
                 // Instr::a the label, b the source reference type, imm64 the target one
};

// Operand signatures of plain instructions (see opcodes.def).
// Each is spelled operands '_' result, one letter per type (i32 i, i64 l,
// f32 f, f64 d, v128 v); the list is written once, here, for the enum and
// for sig_spelling().
#define WIPPY_SIGS(X)                                                                        \
  X(special) X(_i) X(_l) X(_f) X(_d) X(_v)                                                  \
  X(i_i) X(i_l) X(i_f) X(i_d) X(l_i) X(l_l) X(l_f) X(l_d) X(f_i) X(f_l) X(f_f) X(f_d)      \
  X(d_i) X(d_l) X(d_f) X(d_d) X(ii_i) X(ll_i) X(ll_l) X(ff_i) X(ff_f) X(dd_i) X(dd_d)      \
  X(ii_) X(il_) X(if_) X(id_)                                                               \
  /* SIMD shapes */                                                                         \
  X(i_v) X(l_v) X(f_v) X(d_v) X(v_i) X(v_l) X(v_f) X(v_d) X(v_v) X(vv_v) X(vvv_v) X(vi_v) \
  X(vl_v) X(vf_v) X(vd_v) X(iv_) X(iv_v)

enum class Sig : uint8_t {
#define WIPPY_SIG_ENUM(x) x,
  WIPPY_SIGS(WIPPY_SIG_ENUM)
#undef WIPPY_SIG_ENUM
};

// "ii_i" for Sig::ii_i.
constexpr const char* sig_spelling(Sig s) {
  constexpr const char* kNames[] = {
#define WIPPY_SIG_TEXT(x) #x,
      WIPPY_SIGS(WIPPY_SIG_TEXT)
#undef WIPPY_SIG_TEXT
  };
  return kNames[uint8_t(s)];
}

enum class Op : uint16_t {
#define WASM_OP(id, text, prefix, code, imm, sig, align) id,
#include "opcodes.def"
#undef WASM_OP
  Count_
};

// The longest instruction name and its NUL.
inline constexpr size_t kOpTextSize = std::max({size_t(1)
#define WASM_OP(id, text, prefix, code, imm, sig, align) , sizeof(text)
#include "opcodes.def"
#undef WASM_OP
});

struct OpInfo {
  // The name in place, not a pointer: the table then holds no address the
  // loader must relocate, so no page of it is written at process start
  // (a static PIE relocates every pointer in its data before main).
  char text[kOpTextSize];
  uint8_t prefix;  // 0, 0xFB, 0xFC or 0xFD
  uint32_t code;
  ImmKind imm;
  Sig sig;
  uint8_t align;   // log2 natural alignment for memory ops
};

inline constexpr OpInfo kOpInfo[] = {
#define WASM_OP(id, text, prefix, code, imm, sig, align) \
  OpInfo{text, prefix, code, ImmKind::imm, Sig::sig, align},
#include "opcodes.def"
#undef WASM_OP
};

inline constexpr uint16_t kOpCount = static_cast<uint16_t>(Op::Count_);

inline const OpInfo& op_info(Op op) { return kOpInfo[static_cast<uint16_t>(op)]; }

// One-byte opcode -> Op index, kNoOp where undefined (built at compile time).
inline constexpr uint16_t kNoOp = 0xFFFF;
inline constexpr std::array<uint16_t, 256> kSingleByteOps = [] {
  std::array<uint16_t, 256> t{};
  for (auto& x : t) x = kNoOp;
  for (uint16_t i = 0; i < kOpCount; ++i)
    if (kOpInfo[i].prefix == 0) t[kOpInfo[i].code] = i;
  return t;
}();

// Lookup from binary encoding. Returns nullopt for unknown opcodes.
inline std::optional<Op> op_from_byte(uint8_t byte) {
  uint16_t i = kSingleByteOps[byte];
  if (i == kNoOp) return std::nullopt;
  return static_cast<Op>(i);
}
std::optional<Op> op_from_prefixed(uint8_t prefix, uint32_t code);
// Lookup from WAT mnemonic (for "select" returns Select; the text parser picks SelectT).
std::optional<Op> op_from_text(std::string_view text);

}  // namespace wippy
