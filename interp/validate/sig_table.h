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

struct SigOperands {
  std::array<ValType, 3> params{};
  uint8_t num_params = 0;
  bool has_result = false;
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

constexpr std::string_view sig_name(Sig s) {
  switch (s) {
#define WIPPY_SIG_NAME(x) \
  case Sig::x:            \
    return #x;
    WIPPY_SIG_NAME(special) WIPPY_SIG_NAME(_i) WIPPY_SIG_NAME(_l) WIPPY_SIG_NAME(_f)
    WIPPY_SIG_NAME(_d) WIPPY_SIG_NAME(_v) WIPPY_SIG_NAME(i_i) WIPPY_SIG_NAME(i_l)
    WIPPY_SIG_NAME(i_f) WIPPY_SIG_NAME(i_d) WIPPY_SIG_NAME(l_i) WIPPY_SIG_NAME(l_l)
    WIPPY_SIG_NAME(l_f) WIPPY_SIG_NAME(l_d) WIPPY_SIG_NAME(f_i) WIPPY_SIG_NAME(f_l)
    WIPPY_SIG_NAME(f_f) WIPPY_SIG_NAME(f_d) WIPPY_SIG_NAME(d_i) WIPPY_SIG_NAME(d_l)
    WIPPY_SIG_NAME(d_f) WIPPY_SIG_NAME(d_d) WIPPY_SIG_NAME(ii_i) WIPPY_SIG_NAME(ll_i)
    WIPPY_SIG_NAME(ll_l) WIPPY_SIG_NAME(ff_i) WIPPY_SIG_NAME(ff_f) WIPPY_SIG_NAME(dd_i)
    WIPPY_SIG_NAME(dd_d) WIPPY_SIG_NAME(ii_) WIPPY_SIG_NAME(il_) WIPPY_SIG_NAME(if_)
    WIPPY_SIG_NAME(id_) WIPPY_SIG_NAME(i_v) WIPPY_SIG_NAME(l_v) WIPPY_SIG_NAME(f_v)
    WIPPY_SIG_NAME(d_v) WIPPY_SIG_NAME(v_i) WIPPY_SIG_NAME(v_l) WIPPY_SIG_NAME(v_f)
    WIPPY_SIG_NAME(v_d) WIPPY_SIG_NAME(v_v) WIPPY_SIG_NAME(vv_v) WIPPY_SIG_NAME(vvv_v)
    WIPPY_SIG_NAME(vi_v) WIPPY_SIG_NAME(vl_v) WIPPY_SIG_NAME(vf_v) WIPPY_SIG_NAME(vd_v)
    WIPPY_SIG_NAME(iv_) WIPPY_SIG_NAME(iv_v)
#undef WIPPY_SIG_NAME
  }
  return "special";
}

// One entry per Op, indexed by the dense Op value.
inline constexpr auto kOpOperands = [] {
  std::array<SigOperands, kOpCount> t{};
  for (uint16_t i = 0; i < kOpCount; ++i) t[i] = parse_sig(sig_name(kOpInfo[i].sig));
  return t;
}();

static_assert(kOpOperands[uint16_t(Op::I32Add)].num_params == 2);
static_assert(kOpOperands[uint16_t(Op::I32Add)].has_result);
static_assert(kOpOperands[uint16_t(Op::F64Store)].params[1] == ValType::F64);
static_assert(!kOpOperands[uint16_t(Op::F64Store)].has_result);
static_assert(kOpOperands[uint16_t(Op::I64Const)].num_params == 0);
static_assert(kOpOperands[uint16_t(Op::I64Const)].result == ValType::I64);

}  // namespace wippy::validate_detail
