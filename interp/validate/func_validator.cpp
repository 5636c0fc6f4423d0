// func_validator.cpp — the per-function validation algorithm (see
// func_validator.h). Helpers record the first error in err_ and keep going
// with harmless values; step() reports failure once the instruction is done.
#include "interp/validate/func_validator.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "interp/validate/sig_table.h"

namespace wippy {

namespace {

constexpr ValType kUnknown = FuncValidator::kUnknown;

const char* type_name(ValType t) { return t == kUnknown ? "unknown" : valtype_name(t); }

bool is_num_or_vec(ValType t) { return t == kUnknown || !is_ref(t); }

// Number of lanes addressed by a SIMD lane immediate, from the mnemonic:
// "i16x8.extract_lane_s" -> 8, "v128.load32_lane" -> 128 / 32 = 4.
uint32_t lane_count(std::string_view text) {
  auto digits = [](std::string_view s) {
    uint32_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') break;
      v = v * 10 + uint32_t(c - '0');
    }
    return v;
  };
  if (text.starts_with("v128.")) {
    size_t p = text.find_first_of("0123456789", 5);
    uint32_t bits = p == std::string_view::npos ? 0 : digits(text.substr(p));
    return bits ? 128 / bits : 0;
  }
  size_t x = text.find('x');
  return x == std::string_view::npos ? 0 : digits(text.substr(x + 1));
}

}  // namespace

std::span<const ValType> FuncValidator::start_types(const Frame& f) const {
  if (f.is_func || f.type.kind != BlockType::TypeIndex) return {};
  return m_.types[f.type.type_index].params;
}

std::span<const ValType> FuncValidator::end_types(const Frame& f) const {
  if (f.is_func) return func_type_->results;
  switch (f.type.kind) {
    case BlockType::Empty: return {};
    case BlockType::Value: return {&f.type.value, 1};
    case BlockType::TypeIndex: return m_.types[f.type.type_index].results;
  }
  return {};
}

void FuncValidator::fail(std::string msg) {
  if (err_.empty()) err_ = std::move(msg);
}

void FuncValidator::type_mismatch(ValType expect, ValType got) {
  fail(fmt::format("type mismatch: expected {} but got {}", type_name(expect), type_name(got)));
}

ValType FuncValidator::pop() {
  const Frame& f = ctrls_.back();
  if (vals_.size() == f.height) {
    if (!f.unreachable) fail("type mismatch: operand stack is empty");
    return kUnknown;
  }
  ValType t = vals_.back();
  vals_.pop_back();
  return t;
}

ValType FuncValidator::pop_at_height(ValType expect) {
  if (!ctrls_.back().unreachable)
    fail(fmt::format("type mismatch: expected {} but operand stack is empty", type_name(expect)));
  return kUnknown;
}

void FuncValidator::pop(std::span<const ValType> ts) {
  for (size_t i = ts.size(); i-- > 0;) pop(ts[i]);
}

void FuncValidator::push_ctrl(Op op, BlockType type) {
  Frame f;
  f.op = op;
  f.type = type;
  f.height = uint32_t(vals_.size());
  f.init_height = uint32_t(init_log_.size());
  ctrls_.push_back(f);
  push(start_types(ctrls_.back()));
}

void FuncValidator::pop_ctrl(Frame& out) {
  out = ctrls_.back();
  pop(end_types(out));
  if (vals_.size() != out.height)
    fail(fmt::format("type mismatch: {} value(s) left on the stack at the end of the block",
                     vals_.size() - out.height));
  vals_.resize(out.height);
  reset_inits(out.init_height);
  ctrls_.pop_back();
}

void FuncValidator::set_unreachable() {
  Frame& f = ctrls_.back();
  vals_.resize(f.height);
  f.unreachable = true;
}

bool FuncValidator::tail_results(const FuncType& callee) {
  bool ok = callee.results.size() == func_type_->results.size();
  for (size_t i = 0; ok && i < callee.results.size(); ++i)
    ok = sub(callee.results[i], func_type_->results[i]);
  if (!ok) {
    fail(fmt::format("type mismatch: tail call returns {} but the function returns {}",
                     functype_to_string(FuncType{{}, callee.results}),
                     functype_to_string(FuncType{{}, func_type_->results})));
    return false;
  }
  set_unreachable();
  return true;
}

bool FuncValidator::check_block_type(const BlockType& bt) {
  if (bt.kind == BlockType::Value && !check_valtype(bt.value)) return false;
  if (bt.kind == BlockType::TypeIndex && !check_func_type(bt.type_index)) {
    return false;
  }
  return true;
}

bool FuncValidator::check_label(uint32_t depth) {
  if (depth >= ctrls_.size()) {
    fail(fmt::format("unknown label {}", depth));
    return false;
  }
  return true;
}

ValType FuncValidator::local_type(uint32_t index) {
  if (index >= num_locals_) {
    fail(fmt::format("unknown local {}", index));
    return kUnknown;
  }
  auto it = std::upper_bound(local_ends_.begin(), local_ends_.end(), uint64_t(index));
  return local_types_[size_t(it - local_ends_.begin())];
}

bool FuncValidator::check_memory(uint32_t index) {
  if (index >= m_.num_memories()) {
    fail(fmt::format("unknown memory {}", index));
    return false;
  }
  return true;
}

ValType FuncValidator::table_addr(uint32_t index) const { return addr_type(m_.table_type(index).limits); }

bool FuncValidator::check_data_count() {
  if (!m_.bodies_scanned && !m_.data_count) {
    fail("data count section required");
    return false;
  }
  return true;
}

bool FuncValidator::check_table(uint32_t index) {
  if (index >= m_.num_tables()) {
    fail(fmt::format("unknown table {}", index));
    return false;
  }
  return true;
}

bool FuncValidator::check_memarg(const Instr& in) {
  if (!check_memory(in.mem)) return false;
  if (in.a > op_info(in.op).align) {
    fail("alignment must not be larger than natural");
    return false;
  }
  if (mem_addr(in.mem) != ValType::I64 && in.imm64 > 0xFFFFFFFFull) {
    fail("offset out of range");
    return false;
  }
  return true;
}

Result<void> FuncValidator::validate(uint32_t func_index, const FuncBody& body) {
  if (auto b = begin(func_index, body); !b) return b.error();
  Reader r(m_.span(body.code_begin, body.code_end), body.code_begin);
  auto error_at = [&](uint32_t offset) {
    return make_error(ErrorKind::Invalid,
                      fmt::format("{} in function {} at offset {}", err_, func_index, offset));
  };
  while (!ctrls_.empty()) {
    if (r.at_end()) {
      return make_error(ErrorKind::Malformed,
                        fmt::format("unexpected end of function {} at offset {}", func_index, r.offset()));
    }
    if (!read_instr(r, in_)) return make_error(ErrorKind::Malformed, r.error());
    if (!step(in_)) return error_at(in_.offset);
  }
  if (!r.at_end())
    return make_error(ErrorKind::Malformed,
                      fmt::format("operators remaining after end of function {} at offset {}",
                                  func_index, r.offset()));
  return {};
}

Result<void> FuncValidator::begin(uint32_t func_index, const FuncBody& body) {
  func_type_ = &m_.func_type(func_index);
  vals_.clear();
  ctrls_.clear();
  err_.clear();

  // Locals as runs: one run per parameter, then the declared runs.
  local_ends_.clear();
  local_types_.clear();
  uint64_t n = 0;
  for (ValType t : func_type_->params) {
    local_ends_.push_back(++n);
    local_types_.push_back(t);
  }
  for (const LocalDecl& d : body.locals) {
    if (d.count == 0) continue;
    n += d.count;
    local_ends_.push_back(n);
    local_types_.push_back(d.type);
  }
  num_locals_ = n;
  init_log_.clear();
  inited_.clear();
  for (ValType t : local_types_)
    if (!check_valtype(t))
      return make_error(ErrorKind::Invalid, fmt::format("{} in the locals of function {} at offset {}", err_,
                                                        func_index, body.code_begin));

  Frame fn;
  fn.is_func = true;
  fn.op = Op::Block;
  ctrls_.push_back(fn);
  return {};
}

// Memarg, lane and shuffle immediates of a plain instruction.
bool FuncValidator::check_plain_imm(const Instr& in) {
  const OpInfo& info = op_info(in.op);
  if ((info.imm == ImmKind::MemArg || info.imm == ImmKind::MemArgLane) && !check_memarg(in)) return false;
  if ((info.imm == ImmKind::Lane || info.imm == ImmKind::MemArgLane) && in.lane >= lane_count(info.text)) {
    fail(fmt::format("invalid lane index {}", in.lane));
    return false;
  }
  if (info.imm == ImmKind::Shuffle) {
    for (uint8_t l : in.v128) {
      if (l >= 32) {
        fail(fmt::format("invalid lane index {}", l));
        return false;
      }
    }
  }
  return true;
}

bool FuncValidator::step(const Instr& in) {
  const auto& s = validate_detail::kOpOperands[uint16_t(in.op)];
  if (s.flags & validate_detail::kPlain) {
    if ((s.flags & validate_detail::kImmCheck) && !check_plain_imm(in)) return false;
    // A memarg's memory was checked: its address type is the first operand.
    const bool mem = s.flags & validate_detail::kMemArg;
    for (size_t i = s.num_params; i-- > 0;) pop(mem && i == 0 ? mem_addr(in.mem) : s.params[i]);
    if (s.has_result) push(s.result);
    return err_.empty();
  }

  switch (in.op) {
    case Op::Unreachable:
      set_unreachable();
      break;
    case Op::Nop:
      break;
    case Op::Block:
    case Op::Loop:
      if (!check_block_type(in.block)) return false;
      pop_block_params(in.block);
      push_ctrl(in.op, in.block);
      break;
    case Op::If:
      if (!check_block_type(in.block)) return false;
      pop(ValType::I32);
      pop_block_params(in.block);
      push_ctrl(in.op, in.block);
      break;
    case Op::Else: {
      if (ctrls_.back().op != Op::If || ctrls_.back().is_func) {
        fail("else without matching if");
        return false;
      }
      Frame f;
      pop_ctrl(f);
      push_ctrl(Op::Else, f.type);
      break;
    }
    case Op::End: {
      Frame f;
      pop_ctrl(f);
      if (f.op == Op::If && !f.is_func) {
        // An `if` without `else` behaves as if it had an empty else arm:
        // its parameters must pass through unchanged to its results.
        ctrls_.push_back(f);
        ctrls_.back().op = Op::Else;
        ctrls_.back().unreachable = false;
        push(start_types(f));
        pop_ctrl(f);
      }
      if (!ctrls_.empty()) push(end_types(f));
      break;
    }
    case Op::Br:
      if (!check_label(in.a)) return false;
      pop(label_types(ctrls_[ctrls_.size() - 1 - in.a]));
      set_unreachable();
      break;
    case Op::BrIf: {
      pop(ValType::I32);
      if (!check_label(in.a)) return false;
      auto ts = label_types(ctrls_[ctrls_.size() - 1 - in.a]);
      pop(ts);
      push(ts);
      break;
    }
    case Op::BrTable: {
      pop(ValType::I32);
      uint32_t def = in.targets.back();
      if (!check_label(def)) return false;
      size_t arity = label_types(ctrls_[ctrls_.size() - 1 - def]).size();
      for (size_t i = 0; i + 1 < in.targets.size(); ++i) {
        uint32_t l = in.targets[i];
        if (!check_label(l)) return false;
        auto ts = label_types(ctrls_[ctrls_.size() - 1 - l]);
        if (ts.size() != arity) {
          fail(fmt::format("type mismatch: br_table target {} has arity {} but the default has {}", l,
                           ts.size(), arity));
          return false;
        }
        // Pop and push back what was actually popped, so operands that came
        // from the polymorphic stack stay Unknown for the next target.
        scratch_.clear();
        for (size_t k = ts.size(); k-- > 0;) scratch_.push_back(pop(ts[k]));
        for (size_t k = scratch_.size(); k-- > 0;) push(scratch_[k]);
      }
      pop(label_types(ctrls_[ctrls_.size() - 1 - def]));
      set_unreachable();
      break;
    }
    case Op::Return:
      pop(func_type_->results);
      set_unreachable();
      break;
    case Op::Call:
    case Op::ReturnCall: {
      if (in.a >= m_.num_funcs()) {
        fail(fmt::format("unknown function {}", in.a));
        return false;
      }
      const FuncType& ft = m_.func_type(in.a);
      pop(ft.params);
      if (in.op == Op::ReturnCall) return tail_results(ft) && err_.empty();
      push(ft.results);
      break;
    }
    case Op::CallIndirect:
    case Op::ReturnCallIndirect: {
      if (!check_table(in.b)) return false;
      if (!sub(m_.table_type(in.b).elem, ValType::FuncRef)) {
        fail(fmt::format("type mismatch: call_indirect requires a funcref table, table {} holds {}", in.b,
                         valtype_name(m_.table_type(in.b).elem)));
        return false;
      }
      if (!check_func_type(in.a)) return false;
      const FuncType& ft = m_.types[in.a];
      pop(table_addr(in.b));
      pop(ft.params);
      if (in.op == Op::ReturnCallIndirect) return tail_results(ft) && err_.empty();
      push(ft.results);
      break;
    }
    case Op::Drop:
      pop();
      break;
    case Op::Select: {
      pop(ValType::I32);
      ValType t1 = pop();
      ValType t2 = pop();
      if (!is_num_or_vec(t1) || !is_num_or_vec(t2)) {
        fail("type mismatch: select without a type needs numeric or vector operands");
        return false;
      }
      if (t1 != t2 && t1 != kUnknown && t2 != kUnknown) {
        type_mismatch(t1, t2);
        return false;
      }
      push(t1 == kUnknown ? t2 : t1);
      break;
    }
    case Op::SelectT: {
      if (in.select_types.size() != 1) {
        fail("invalid result arity");
        return false;
      }
      ValType t = in.select_types[0];
      if (!check_valtype(t)) return false;
      pop(ValType::I32);
      pop(t);
      pop(t);
      push(t);
      break;
    }
    case Op::LocalGet: {
      ValType t = local_type(in.a);
      if (!err_.empty()) return false;
      if (!is_defaultable(t) && !local_initialized(in.a)) {
        fail(fmt::format("uninitialized local {}", in.a));
        return false;
      }
      push(t);
      break;
    }
    case Op::LocalSet: {
      ValType t = local_type(in.a);
      if (!err_.empty()) return false;
      pop(t);
      if (!is_defaultable(t)) set_initialized(in.a);
      break;
    }
    case Op::LocalTee: {
      ValType t = local_type(in.a);
      if (!err_.empty()) return false;
      pop(t);
      if (!is_defaultable(t)) set_initialized(in.a);
      push(t);
      break;
    }
    case Op::GlobalGet:
      if (in.a >= m_.num_globals()) {
        fail(fmt::format("unknown global {}", in.a));
        return false;
      }
      push(m_.global_type(in.a).type);
      break;
    case Op::GlobalSet: {
      if (in.a >= m_.num_globals()) {
        fail(fmt::format("unknown global {}", in.a));
        return false;
      }
      GlobalType g = m_.global_type(in.a);
      if (!g.mut) {
        fail(fmt::format("global is immutable: immutable global {}", in.a));
        return false;
      }
      pop(g.type);
      break;
    }
    case Op::TableGet:
      if (!check_table(in.a)) return false;
      pop(table_addr(in.a));
      push(m_.table_type(in.a).elem);
      break;
    case Op::TableSet:
      if (!check_table(in.a)) return false;
      pop(m_.table_type(in.a).elem);
      pop(table_addr(in.a));
      break;
    case Op::TableSize:
      if (!check_table(in.a)) return false;
      push(table_addr(in.a));
      break;
    case Op::TableGrow:
      if (!check_table(in.a)) return false;
      pop(table_addr(in.a));
      pop(m_.table_type(in.a).elem);
      push(table_addr(in.a));
      break;
    case Op::TableFill:
      if (!check_table(in.a)) return false;
      pop(table_addr(in.a));
      pop(m_.table_type(in.a).elem);
      pop(table_addr(in.a));
      break;
    case Op::TableCopy: {
      if (!check_table(in.a) || !check_table(in.b)) return false;
      ValType dst = m_.table_type(in.a).elem, src = m_.table_type(in.b).elem;
      if (!sub(src, dst)) {
        fail(fmt::format("type mismatch: table.copy from {} table to {} table", valtype_name(src),
                         valtype_name(dst)));
        return false;
      }
      // mixed i32/i64 tables: the length has the narrower address type
      ValType da = table_addr(in.a), sa = table_addr(in.b);
      pop(da == ValType::I64 && sa == ValType::I64 ? ValType::I64 : ValType::I32);
      pop(sa);
      pop(da);
      break;
    }
    case Op::TableInit: {
      if (!check_table(in.b)) return false;
      if (in.a >= m_.elems.size()) {
        fail(fmt::format("unknown elem segment {}", in.a));
        return false;
      }
      ValType seg = m_.elems[in.a].type, tab = m_.table_type(in.b).elem;
      if (!sub(seg, tab)) {
        fail(fmt::format("type mismatch: table.init of {} segment into {} table", valtype_name(seg),
                         valtype_name(tab)));
        return false;
      }
      pop(ValType::I32);
      pop(ValType::I32);
      pop(table_addr(in.b));
      break;
    }
    case Op::ElemDrop:
      if (in.a >= m_.elems.size()) {
        fail(fmt::format("unknown elem segment {}", in.a));
        return false;
      }
      break;
    case Op::MemorySize:
      if (!check_memory(in.mem)) return false;
      push(mem_addr(in.mem));
      break;
    case Op::MemoryGrow:
      if (!check_memory(in.mem)) return false;
      pop(mem_addr(in.mem));
      push(mem_addr(in.mem));
      break;
    case Op::MemoryInit:
      if (!check_memory(in.mem) || !check_data_count()) return false;
      if (in.a >= m_.datas.size()) {
        fail(fmt::format("unknown data segment {}", in.a));
        return false;
      }
      pop(ValType::I32);
      pop(ValType::I32);
      pop(mem_addr(in.mem));
      break;
    case Op::DataDrop:
      if (!check_data_count()) return false;
      if (in.a >= m_.datas.size()) {
        fail(fmt::format("unknown data segment {}", in.a));
        return false;
      }
      break;
    case Op::MemoryCopy: {
      if (!check_memory(in.mem) || !check_memory(in.b)) return false;
      ValType da = mem_addr(in.mem), sa = mem_addr(in.b);
      pop(da == ValType::I64 && sa == ValType::I64 ? ValType::I64 : ValType::I32);
      pop(sa);
      pop(da);
      break;
    }
    case Op::MemoryFill:
      if (!check_memory(in.mem)) return false;
      pop(mem_addr(in.mem));
      pop(ValType::I32);
      pop(mem_addr(in.mem));
      break;
    case Op::RefNull:
      if (!check_valtype(ValType(in.a))) return false;
      push(ValType(in.a));
      break;
    case Op::RefIsNull: {
      ValType t = pop();
      if (t != kUnknown && !is_ref(t)) {
        fail(fmt::format("type mismatch: ref.is_null expects a reference but got {}", valtype_name(t)));
        return false;
      }
      push(ValType::I32);
      break;
    }
    case Op::RefFunc:
      if (in.a >= m_.num_funcs()) {
        fail(fmt::format("unknown function {}", in.a));
        return false;
      }
      if (!declared_[in.a]) {
        fail(fmt::format("undeclared function reference {}", in.a));
        return false;
      }
      push(make_ref(false, kHeapTypeBase + m_.func_type_index(in.a)));
      break;
    case Op::CallRef:
    case Op::ReturnCallRef:
    case Op::RefAsNonNull:
    case Op::BrOnNull:
    case Op::BrOnNonNull:
    case Op::RefTest:
    case Op::RefTestNull:
    case Op::RefCast:
    case Op::RefCastNull:
    case Op::BrOnCast:
    case Op::BrOnCastFail:
      return step_typed_ref(in) && err_.empty();
    case Op::RefEq:
    case Op::RefI31:
    case Op::I31GetS:
    case Op::I31GetU:
    case Op::AnyConvertExtern:
    case Op::ExternConvertAny:
    case Op::StructNew: case Op::StructNewDefault: case Op::StructGet: case Op::StructGetS:
    case Op::StructGetU: case Op::StructSet: case Op::ArrayNew: case Op::ArrayNewDefault:
    case Op::ArrayNewFixed: case Op::ArrayGet: case Op::ArrayGetS: case Op::ArrayGetU:
    case Op::ArraySet: case Op::ArrayLen: case Op::ArrayNewData: case Op::ArrayNewElem:
    case Op::ArrayFill: case Op::ArrayCopy: case Op::ArrayInitData: case Op::ArrayInitElem:
      return step_gc(in) && err_.empty();
    case Op::Throw:
    case Op::ThrowRef:
    case Op::TryTable:
    case Op::Try:
    case Op::Catch:
    case Op::CatchAll:
    case Op::Delegate:
    case Op::Rethrow:
      return step_eh(in) && err_.empty();
    default:
      // A `special` instruction without a rule here (e.g. a SIMD lane op
      // added to the table later) cannot be checked: refuse it explicitly.
      fail(fmt::format("unsupported instruction {}", op_info(in.op).text));
      return false;
  }
  return err_.empty();
}

}  // namespace wippy
