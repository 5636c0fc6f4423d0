// func_validator_eh.cpp — the validation rules of exception handling: tags,
// throw, throw_ref, try_table with its catch clauses (3.0), and the legacy
// try / catch / catch_all / delegate / rethrow. Part of FuncValidator
// (func_validator.h). A catch clause of try_table branches to a label
// outside the try_table with the tag's payload (and an exnref for the _ref
// forms); those values must match the label's types.
#include <fmt/format.h>

#include "interp/validate/func_validator.h"

namespace wippy {

const FuncType* FuncValidator::tag_type(uint32_t tag) {
  if (tag >= m_.num_tags()) {
    fail(fmt::format("unknown tag {}", tag));
    return nullptr;
  }
  return &m_.types[m_.tag_type_index(tag)];
}

bool FuncValidator::check_catch(const CatchClause& c) {
  std::vector<ValType> sent;
  if (c.has_tag()) {
    const FuncType* ft = tag_type(c.tag);
    if (!ft) return false;
    sent = ft->params;
  }
  if (c.is_ref()) sent.push_back(make_ref(false, kHeapExn));  // never null
  if (!check_label(c.label)) return false;
  std::span<const ValType> want = label_types(ctrls_[ctrls_.size() - 1 - c.label]);
  bool ok = want.size() == sent.size();
  for (size_t i = 0; ok && i < sent.size(); ++i) ok = sub(sent[i], want[i]);
  if (!ok) {
    fail(fmt::format("type mismatch: catch clause sends {} to a label of {}", functype_to_string(FuncType{sent, {}}),
                     functype_to_string(FuncType{std::vector<ValType>(want.begin(), want.end()), {}})));
    return false;
  }
  return true;
}

bool FuncValidator::step_eh(const Instr& in) {
  switch (in.op) {
    case Op::Throw: {
      const FuncType* ft = tag_type(in.a);
      if (!ft) return false;
      pop(ft->params);
      set_unreachable();
      return true;
    }
    case Op::ThrowRef:
      pop(kExnRef);
      set_unreachable();
      return true;
    case Op::TryTable: {
      if (!check_block_type(in.block)) return false;
      pop_block_params(in.block);
      for (const CatchClause& c : in.catches)
        if (!check_catch(c)) return false;
      push_ctrl(Op::TryTable, in.block);
      return true;
    }
    case Op::Try: {
      if (!check_block_type(in.block)) return false;
      pop_block_params(in.block);
      push_ctrl(Op::Try, in.block);
      return true;
    }
    case Op::Catch:
    case Op::CatchAll: {
      Op cur = ctrls_.back().op;
      if (ctrls_.back().is_func || (cur != Op::Try && cur != Op::Catch)) {
        fail(fmt::format("{} without matching try", op_info(in.op).text));
        return false;
      }
      const FuncType* ft = nullptr;
      if (in.op == Op::Catch && !(ft = tag_type(in.a))) return false;
      Frame f;
      pop_ctrl(f);
      push_ctrl(in.op, f.type);
      vals_.resize(ctrls_.back().height);
      if (ft) push(ft->params);
      return true;
    }
    case Op::Delegate: {
      if (ctrls_.back().is_func || ctrls_.back().op != Op::Try) {
        fail("delegate without matching try");
        return false;
      }
      Frame f;
      pop_ctrl(f);
      if (!check_label(in.a)) return false;
      push(end_types(f));
      return true;
    }
    case Op::Rethrow: {
      if (!check_label(in.a)) return false;
      const Frame& f = ctrls_[ctrls_.size() - 1 - in.a];
      if (f.is_func || (f.op != Op::Catch && f.op != Op::CatchAll)) {
        fail("invalid rethrow label");
        return false;
      }
      set_unreachable();
      return true;
    }
    default:
      fail(fmt::format("unsupported instruction {}", op_info(in.op).text));
      return false;
  }
}

}  // namespace wippy
