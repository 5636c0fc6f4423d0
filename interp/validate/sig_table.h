// sig_table.h — operand types of "plain" instructions, derived at compile
// time from the Sig column of opcodes.def. sig_operands(sig) gives the types
// popped (in push order, i.e. the first operand first) and the optional
// result. Sig::special yields no operands and no result (handled by hand).
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

#include "interp/opcodes.h"
#include "interp/types.h"

namespace wippy::validate_detail {

// SigOperands::flags: what the validator does with an op before its operands.
inline constexpr uint8_t kPlain = 1;      // Sig is not special: the table says it all
inline constexpr uint8_t kMemArg = 2;     // memarg (and lane): memory, alignment, offset; address operand first
inline constexpr uint8_t kImmCheck = 4;   // memarg, lane or shuffle immediates to check

struct SigOperands {
  std::array<ValType, 3> params{};
  uint8_t num_params = 0;
  bool has_result = false;
  uint8_t flags = 0;  // from the op's Sig and ImmKind (kOpOperands)
  ValType result = ValType::I32;
};

constexpr ValType sig_letter_type(char c) {
  switch (c) {
    case 'i': return ValType::I32;
    case 'l': return ValType::I64;
    case 'f': return ValType::F32;
    case 'd': return ValType::F64;
    default: return ValType::V128;  // 'v'
  }
}

// Parses a Sig spelling such as "ii_i" or "_d" or "iv_".
constexpr SigOperands parse_sig(std::string_view name) {
  SigOperands s;
  if (name == "special") return s;
  size_t us = name.find('_');
  for (size_t i = 0; i < us && i < 3; ++i) s.params[i] = sig_letter_type(name[i]);
  s.num_params = uint8_t(us < 3 ? us : 3);
  if (us + 1 < name.size()) {
    s.has_result = true;
    s.result = sig_letter_type(name[us + 1]);
  }
  return s;
}

// One entry per Op, indexed by the dense Op value.
inline constexpr auto kOpOperands = [] {
  std::array<SigOperands, kOpCount> t{};
  for (uint16_t i = 0; i < kOpCount; ++i) {
    t[i] = parse_sig(sig_spelling(kOpInfo[i].sig));
    const ImmKind imm = kOpInfo[i].imm;
    const bool memarg = imm == ImmKind::MemArg || imm == ImmKind::MemArgLane;
    t[i].flags = uint8_t((kOpInfo[i].sig != Sig::special ? kPlain : 0) | (memarg ? kMemArg : 0) |
                         (memarg || imm == ImmKind::Lane || imm == ImmKind::Shuffle ? kImmCheck : 0));
  }
  return t;
}();
static_assert(sizeof(SigOperands) == 20);

static_assert(kOpOperands[uint16_t(Op::I32Add)].num_params == 2);
static_assert(kOpOperands[uint16_t(Op::I32Add)].has_result);
static_assert(kOpOperands[uint16_t(Op::F64Store)].params[1] == ValType::F64);
static_assert(!kOpOperands[uint16_t(Op::F64Store)].has_result);
static_assert(kOpOperands[uint16_t(Op::I64Const)].num_params == 0);
static_assert(kOpOperands[uint16_t(Op::I64Const)].result == ValType::I64);

}  // namespace wippy::validate_detail
