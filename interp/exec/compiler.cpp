// compiler.cpp — entry point of the threaded-code compiler: compile_function
// (narrow first, over again wide when a v128 turns up), the per-function
// setup and finish (Compiler::run), GC stack maps, the per-instruction
// dispatch (step, step_plain) and the WIPPY_DUMP_CODE listing. The model of
// the operand stack is described in compiler_impl.h.
#include <algorithm>

#include "compiler_impl.h"

namespace wippy::exec::compile_detail {

Result<std::unique_ptr<CompiledFunc>> Compiler::run() {
  nparams_ = uint32_t(type_.params.size());
  nlocals_ = nparams_ + body_.num_locals;
  if (wide_) unpack(type_.params, 0);
  Ctrl f;
  f.kind = CtrlKind::Func;
  f.nresults = uint32_t(type_.results.size());
  ctl_.push_back(std::move(f));
  if (gc_maps_)
    if (auto b = begin_gc_map(); !b) return b.error();
  Reader r(m_.span(body_.code_begin, body_.code_end), body_.code_begin);
  Instr in;
  while (!ctl_.empty()) {
    if (!read_instr(r, in)) return make_error(ErrorKind::Malformed, r.error());
    if (types_ && !unreachable_ && types_->operands().size() != stack_height()) return gc_map_error();
    if (auto e = step(in); !e.ok()) return e.error();
    if (need_wide_) return std::unique_ptr<CompiledFunc>();
    if (types_ && !types_->next(in)) return gc_map_error();
  }
  for (uint32_t pos : label_refs_) code_[pos].target = code_.data() + code_[pos].u64;
  auto out = std::make_unique<CompiledFunc>();
  // wide: params arrive packed (packed_slots), locals live at 2 * index
  uint32_t np_slots = wide_ ? packed_slots(type_.params) : nparams_;
  out->nparams = np_slots;
  out->nlocals = wide_ ? 2 * nlocals_ - np_slots : body_.num_locals;
  out->nresults = uint32_t(type_.results.size());
  out->frame_size = slots_per_value() * (nlocals_ + max_height_ + 2);
  // room to zero up to kZeroFast locals with fixed-size stores on entry
  out->frame_size = std::max(out->frame_size, np_slots + kZeroFast);
  out->own = std::move(code_);
  out->code = out->own;
  out->starts = std::move(starts_);
  out->targets = std::move(label_refs_);
  out->handlers = std::move(handlers_);
  if (gc_map_) {
    gc_map_->starts.push_back(uint32_t(gc_map_->slots.size()));
    if (!std::is_sorted(gc_map_->keys.begin(), gc_map_->keys.end()) ||
        std::adjacent_find(gc_map_->keys.begin(), gc_map_->keys.end()) != gc_map_->keys.end())
      return gc_map_error();
    out->gc_map = std::move(gc_map_);
  }
  if (dump_enabled()) dump(*out);
  return out;
}

Result<void> Compiler::begin_gc_map() {
  all_declared_.assign(m_.num_funcs(), 1);
  types_ = std::make_unique<FuncValidator>(m_, all_declared_);
  if (auto b = types_->begin(m_.num_imported_funcs() + def_index_, body_); !b) return b.error();
  gc_map_ = std::make_unique<GcStackMap>();
  uint32_t i = 0;
  for (ValType t : type_.params) {
    if (holds_gc_refs(m_, t)) gc_map_->locals.push_back(local_slot(i));
    ++i;
  }
  for (const LocalDecl& d : body_.locals) {
    const bool gc = holds_gc_refs(m_, d.type);
    for (uint32_t k = 0; k < d.count; ++k, ++i)
      if (gc) gc_map_->locals.push_back(local_slot(i));
  }
  return {};
}

// A safepoint at code index `key` (gc_roots.h): the operand stack
// positions below `height` that hold a GC-capable reference in their home
// slot (an entry naming a local is covered by the local's slot, and a
// constant is never an object). Called before the instruction's operands
// are popped, while the validator still holds their types.
void Compiler::gc_safepoint(uint32_t key, uint32_t height) {
  if (!gc_map_) return;
  std::span<const ValType> types = types_->operands();
  gc_map_->keys.push_back(key);
  gc_map_->starts.push_back(uint32_t(gc_map_->slots.size()));
  for (uint32_t p = 0; p < height && p < types.size(); ++p)
    if (stk_[p].kind == EntryKind::Home && holds_gc_refs(m_, types[p])) gc_map_->slots.push_back(stk_[p].slot);
}

void Compiler::end_call(const FuncType& ft, uint32_t base) {
  gc_safepoint(here(), base);
  pop(uint32_t(ft.params.size()));
  for (size_t i = 0; i < ft.results.size(); ++i) push_home();
  if (wide_) unpack(ft.results, home(base));
  last_.end = SIZE_MAX;
}

Result<void> Compiler::step(const Instr& in) {
  if (unreachable_) {
    switch (in.op) {
      case Op::Block: case Op::Loop: case Op::If: case Op::TryTable: case Op::Try:
        ++skip_depth_;
        return {};
      case Op::Delegate:  // ends a try
        if (skip_depth_ > 0) {
          --skip_depth_;
          return {};
        }
        break;
      case Op::End:
        if (skip_depth_ > 0) {
          --skip_depth_;
          return {};
        }
        break;
      case Op::Else: case Op::Catch: case Op::CatchAll:
        if (skip_depth_ > 0) return {};
        break;
      default:
        return {};
    }
  }
  const OpInfo& info = op_info(in.op);
  if (needs_mem_x(in, info)) return info.prefix == 0xFD && !wide_ ? go_wide() : emit_mem_x(in, info);
  if (m_.num_tables() && table_x_operands(in)) {  // table64 table.grow: i64 result
    if (auto r = step_plain(in, info); !r) return r;
    uint32_t d = slot(stack_height() - 1);
    emit_handler(H::I64ExtendI32S_r);
    emit_slots(d, d);
    last_.end = SIZE_MAX;
    return {};
  }
  return step_plain(in, info);
}

Result<void> Compiler::step_plain(const Instr& in, const OpInfo& info) {
  if (info.prefix == 0xFD) return wide_ ? simd(in, info) : go_wide();
  if (info.sig != Sig::special && info.imm == ImmKind::None) return plain(in.op, info);
  if (info.imm == ImmKind::MemArg) return memop(in, info);
  switch (in.op) {
    case Op::Unreachable:
      emit_handler(H::Unreachable);
      unreachable_ = true;
      return {};
    case Op::Nop:
      return {};
    case Op::Block:
    case Op::Loop:
    case Op::If: {
      uint32_t np, nr;
      block_type(in.block, np, nr);
      Ctrl c;
      c.kind = in.op == Op::Block ? CtrlKind::Block : in.op == Op::Loop ? CtrlKind::Loop : CtrlKind::If;
      c.nparams = np;
      c.nresults = nr;
      if (in.op == Op::If) {
        uint32_t p = stack_height() - 1;
        Entry cond = stk_.back();
        pop();
        enter_block(np);
        c.else_fixup = emit_cond_jump(cond, p, false, kNone);
      } else {
        enter_block(np);
      }
      c.height = stack_height() - np;
      c.loop_pc = here();
      if (in.op == Op::Loop) last_label_ = std::max(last_label_, here());
      last_.end = SIZE_MAX;
      ctl_.push_back(std::move(c));
      return {};
    }
    case Op::Else: {
      Ctrl& c = ctl_.back();
      if (!unreachable_) {
        move_top_to(c.nresults, dest(c));
        emit_handler(H::Br);
        c.fixups.push_back(target(0));
      }
      patch(c.else_fixup, here());
      c.else_fixup = kNone;
      stk_.resize(c.height);
      for (uint32_t i = 0; i < c.nparams; ++i) push_home();
      unreachable_ = false;
      last_.end = SIZE_MAX;
      return {};
    }
    case Op::End: {
      Ctrl& c = ctl_.back();
      if (c.eh) end_try(c);
      if (c.kind == CtrlKind::Func) {
        if (!unreachable_) emit_return();
        ctl_.pop_back();
        return {};
      }
      bool reachable = !unreachable_;
      if (!unreachable_) move_top_to(c.nresults, dest(c));
      if (c.else_fixup != kNone) {
        patch(c.else_fixup, here());
        reachable = true;
      }
      for (uint32_t pos : c.fixups) patch(pos, here());
      if (!c.fixups.empty()) reachable = true;
      if (!c.clause_fixups.empty()) {
        patch_clauses(c);
        reachable = true;
      }
      uint32_t height = c.height, nr = c.nresults;
      ctl_.pop_back();
      stk_.resize(height);
      for (uint32_t i = 0; i < nr; ++i) push_home();
      unreachable_ = !reachable;
      last_.end = SIZE_MAX;
      return {};
    }
    case Op::Br:
      emit_branch(in.a);
      unreachable_ = true;
      return {};
    case Op::BrIf: {
      uint32_t p = stack_height() - 1;
      Entry cond = stk_.back();
      pop();
      Ctrl& c = ctl_[ctl_.size() - 1 - in.a];
      if (c.kind != CtrlKind::Func && top_in_place(arity(c), dest(c))) {
        if (c.kind == CtrlKind::Loop) {
          emit_cond_jump(cond, p, true, c.loop_pc);
        } else {
          c.fixups.push_back(emit_cond_jump(cond, p, true, kNone));
        }
      } else {
        uint32_t skip = emit_cond_jump(cond, p, false, kNone);
        emit_branch(in.a);
        patch(skip, here());
      }
      last_.end = SIZE_MAX;
      return {};
    }
    case Op::BrTable: {
      uint32_t idx = slot(stack_height() - 1);
      pop();
      uint32_t n = uint32_t(in.targets.size());
      emit_handler(H::BrTable);
      emit_slots(idx, n - 1);
      uint32_t table = here();
      for (uint32_t i = 0; i < n; ++i) target(0);
      for (uint32_t i = 0; i < n; ++i) {
        Ctrl& c = ctl_[ctl_.size() - 1 - in.targets[i]];
        if (c.kind != CtrlKind::Func && top_in_place(arity(c), dest(c))) {
          if (c.kind == CtrlKind::Loop)
            patch(table + i, c.loop_pc);
          else
            c.fixups.push_back(table + i);
        } else {
          patch(table + i, here());
          emit_branch(in.targets[i]);
        }
      }
      unreachable_ = true;
      return {};
    }
    case Op::Return:
      emit_return();
      unreachable_ = true;
      return {};
    case Op::Call: {
      const FuncType& ft = m_.func_type(in.a);
      uint32_t np = uint32_t(ft.params.size());
      uint32_t base = stack_height() - np;
      if (!wide_ && (has_v128(ft.params) || has_v128(ft.results))) return go_wide();
      for (uint32_t p = base; p < stack_height(); ++p) materialize(p);
      if (wide_) pack(ft.params, home(base));
      // a defined function by its def index (its code, no FuncInst); an
      // imported one by its function index
      const uint32_t nimp = m_.num_imported_funcs();
      emit_handler(in.a < nimp ? H::CallImport : H::Call);
      emit_slots(in.a < nimp ? in.a : in.a - nimp, home(base));
      end_call(ft, base);
      return {};
    }
    case Op::CallIndirect: {
      const FuncType& ft = m_.types[in.a];
      uint32_t np = uint32_t(ft.params.size());
      if (!wide_ && (has_v128(ft.params) || has_v128(ft.results))) return go_wide();
      uint32_t e = slot(stack_height() - 1);
      pop();
      uint32_t base = stack_height() - np;
      for (uint32_t p = base; p < stack_height(); ++p) materialize(p);
      // packing writes below home(base + np), where the index may sit
      if (wide_) pack(ft.params, home(base));
      emit_handler(H::CallIndirect);
      emit_slots(in.a, home(base));
      emit_slots(in.b, e);
      end_call(ft, base);
      return {};
    }
    case Op::ReturnCall:
    case Op::ReturnCallIndirect:
    case Op::ReturnCallRef:
      emit_tail_call(in);
      return {};
    case Op::CallRef:
    case Op::RefAsNonNull:
    case Op::BrOnNull:
    case Op::BrOnNonNull:
    case Op::BrOnCast:
    case Op::BrOnCastFail:
      emit_typed_ref(in);
      return {};
    case Op::Throw: case Op::ThrowRef: case Op::TryTable: case Op::Try:
    case Op::Catch: case Op::CatchAll: case Op::Delegate: case Op::Rethrow:
      return emit_eh(in);
    case Op::Drop:
      pop();
      return {};
    case Op::Select:
    case Op::SelectT: {
      uint32_t p = stack_height() - 3;
      uint32_t c = slot(p + 2), b = slot(p + 1), a = slot(p);
      size_t start = code_.size();
      emit_handler(wide_ ? H::SelectW : H::Select);
      emit_slots(home(p), a);
      emit_slots(b, c);
      pop(3);
      push_home();
      produced(start, uint32_t(start + 1));
      return {};
    }
    case Op::LocalGet:
      stk_.push_back(Entry{EntryKind::Local, local_slot(in.a), 0});
      note_height(stack_height());
      return {};
    case Op::LocalSet:
    case Op::LocalTee: {
      uint32_t L = local_slot(in.a);
      Entry top = stk_.back();
      bool others = false;
      for (uint32_t p = 0; p + 1 < stack_height(); ++p)
        if (refers(stk_[p], L)) others = true;
      if (!others && is_last(top)) {
        code_[last_.dst_word].s.a = L;
        last_.retargeted = true;  // still adjacent (I32Add2), not a producer
        pop();
        if (in.op == Op::LocalTee) {
          stk_.push_back(Entry{EntryKind::Local, L, 0});
        }
        return {};
      }
      for (uint32_t p = 0; p + 1 < stack_height(); ++p)
        if (refers(stk_[p], L)) materialize(p);
      if (top.kind == EntryKind::Const && top.imm == 0 && in.a >= nparams_ && code_.empty() && ctl_.size() == 1) {
        // a declared local is still zero at the very start of the body
      } else if (top.kind == EntryKind::Const) {
        emit_handler(H::Const);
        emit_slots(L, 0);
        emit_word(top.imm);
      } else if (top.kind == EntryKind::AddImm) {
        emit_addi(L, top.slot, uint32_t(top.imm));
        if (in.op == Op::LocalTee) stk_.back() = Entry{EntryKind::Local, L, 0};
      } else if (top.slot != L) {
        emit_mov(L, top.slot);
      }
      if (in.op == Op::LocalSet) pop();
      last_.end = SIZE_MAX;
      return {};
    }
    case Op::GlobalGet: {
      size_t start = code_.size();
      bool v = m_.global_type(in.a).type == ValType::V128;
      if (v && !wide_) return go_wide();
      uint32_t d = push_home();
      emit_handler(v ? H::GlobalGetW : H::GlobalGet);
      emit_slots(d, in.a);
      produced(start, uint32_t(start + 1));
      return {};
    }
    case Op::GlobalSet: {
      uint32_t v = slot(stack_height() - 1);
      pop();
      emit_handler(m_.global_type(in.a).type == ValType::V128 ? H::GlobalSetW : H::GlobalSet);
      emit_slots(in.a, v);
      return {};
    }
    case Op::TableGet: {
      uint32_t p = stack_height() - 1;
      uint32_t i = slot(p);
      pop();
      size_t start = code_.size();
      uint32_t d = push_home();
      emit_handler(H::TableGet);
      emit_slots(d, i);
      emit_slots(in.a, 0);
      produced(start, uint32_t(start + 1));
      return {};
    }
    case Op::TableSet: {
      uint32_t p = stack_height() - 2;
      uint32_t i = slot(p), v = slot(p + 1);
      pop(2);
      emit_handler(H::TableSet);
      emit_slots(i, v);
      emit_slots(in.a, 0);
      return {};
    }
    case Op::MemorySize: {
      uint32_t d = push_home();
      emit_handler(H::MemorySize);
      emit_slots(d, 0);
      return {};
    }
    case Op::MemoryGrow: {
      uint32_t p = stack_height() - 1;
      uint32_t n = slot(p);
      pop();
      uint32_t d = push_home();
      emit_handler(H::MemoryGrow);
      emit_slots(d, n);
      return {};
    }
    case Op::I32Const:
      push_const(uint32_t(in.imm64));
      return {};
    case Op::I64Const:
    case Op::F32Const:
    case Op::F64Const:
      push_const(in.imm64);
      return {};
    case Op::RefNull:
      push_const(0);
      return {};
    case Op::RefIsNull:
    case Op::RefTest:
    case Op::RefTestNull:
    case Op::RefI31:
    case Op::I31GetS:
    case Op::I31GetU: {  // one reference (or i32) in, one value out
      const bool test = in.op == Op::RefTest || in.op == Op::RefTestNull;
      const H handler = test                        ? H::RefTest
                        : in.op == Op::RefIsNull    ? H::RefIsNull
                        : in.op == Op::RefI31       ? H::RefI31
                        : in.op == Op::I31GetS      ? H::I31GetS
                                                    : H::I31GetU;
      uint32_t a = slot(stack_height() - 1);
      pop();
      size_t start = code_.size();
      uint32_t d = push_home();
      emit_handler(handler);
      emit_slots(d, a);
      if (test) emit_slots(cast_heap(in.a), in.op == Op::RefTestNull);
      produced(start, uint32_t(start + 1));
      return {};
    }
    case Op::StructNew: case Op::StructNewDefault: case Op::StructGet: case Op::StructGetS:
    case Op::StructGetU: case Op::StructSet: case Op::ArrayNew: case Op::ArrayNewDefault:
    case Op::ArrayNewFixed: case Op::ArrayGet: case Op::ArrayGetS: case Op::ArrayGetU:
    case Op::ArraySet: case Op::ArrayLen: case Op::ArrayNewData: case Op::ArrayNewElem:
    case Op::ArrayFill: case Op::ArrayCopy: case Op::ArrayInitData: case Op::ArrayInitElem:
      return emit_gc_object(in);
    case Op::RefEq:  // i31s are canonical and objects unique: equal bits, equal references
      return plain(Op::I64Eq, op_info(Op::I64Eq));
    case Op::AnyConvertExtern:
    case Op::ExternConvertAny:  // the same bits in the other hierarchy (ref_bits.h)
      return {};
    case Op::RefCast:
    case Op::RefCastNull: {
      uint32_t r = slot(stack_height() - 1);  // before emit_handler(): it may emit a move
      emit_handler(H::RefCast);
      emit_slots(r, 0);
      emit_slots(cast_heap(in.a), in.op == Op::RefCastNull);
      return {};
    }
    case Op::RefFunc: {
      size_t start = code_.size();
      uint32_t d = push_home();
      emit_handler(H::RefFunc);
      emit_slots(d, in.a);
      produced(start, uint32_t(start + 1));
      return {};
    }
    case Op::MemoryInit:
    case Op::MemoryCopy:
    case Op::MemoryFill:
    case Op::TableInit:
    case Op::TableCopy:
    case Op::TableFill: {
      uint32_t p = stack_height() - 3;
      uint32_t a = slot(p), b = slot(p + 1), n = slot(p + 2);
      pop(3);
      switch (in.op) {
        case Op::MemoryInit: emit_handler(H::MemoryInit); emit_slots(a, b); emit_slots(n, in.a); break;
        case Op::MemoryCopy: emit_handler(H::MemoryCopy); emit_slots(a, b); emit_slots(n, 0); break;
        case Op::MemoryFill: emit_handler(H::MemoryFill); emit_slots(a, b); emit_slots(n, 0); break;
        case Op::TableInit:
          emit_handler(H::TableInit); emit_slots(a, b); emit_slots(n, in.a); emit_slots(in.b, 0);
          break;
        case Op::TableCopy:
          emit_handler(H::TableCopy); emit_slots(a, b); emit_slots(n, 0); emit_slots(in.a, in.b);
          break;
        default: emit_handler(H::TableFill); emit_slots(a, b); emit_slots(n, in.a); break;
      }
      return {};
    }
    case Op::DataDrop:
      emit_handler(H::DataDrop);
      emit_slots(in.a, 0);
      return {};
    case Op::ElemDrop:
      emit_handler(H::ElemDrop);
      emit_slots(in.a, 0);
      return {};
    case Op::TableGrow: {
      uint32_t p = stack_height() - 2;
      uint32_t init = slot(p), n = slot(p + 1);
      pop(2);
      uint32_t d = push_home();
      emit_handler(H::TableGrow);
      emit_slots(d, init);
      emit_slots(n, in.a);
      return {};
    }
    case Op::TableSize: {
      uint32_t d = push_home();
      emit_handler(H::TableSize);
      emit_slots(d, in.a);
      return {};
    }
    default:
      return make_error(ErrorKind::Trap,
                        std::string("unsupported instruction ") + info.text);
  }
}

// Debug listing of compiled code (WIPPY_DUMP_CODE=1): one line per word; a
// word equal to a handler label starts an instruction and shows its name,
// operand words show both 32-bit halves, jump targets show word indices.
bool dump_enabled() {
  static const bool on = std::getenv("WIPPY_DUMP_CODE") != nullptr;
  return on;
}

void dump(const CompiledFunc& f) {
  // Names in place (no pointers): nothing here for the loader to relocate
  // at every process start.
  static constexpr size_t kNameSize = std::max({size_t(1)
#define HANDLER(n) , sizeof(#n)
#include "handlers.def"
#undef HANDLER
  });
  static constexpr char kNames[][kNameSize] = {
#define HANDLER(n) #n,
#include "handlers.def"
#undef HANDLER
  };
  const void* const* labels = handler_labels();
  std::fprintf(stderr, "== function: %u params, %u locals, frame %u slots, %zu words\n", f.nparams,
               f.nlocals, f.frame_size, f.code.size());
  const Word* b = f.code.data();
  const Word* e = b + f.code.size();
  for (const Word* w = b; w != e; ++w) {
    const char* name = nullptr;
    for (size_t i = 0; i < size_t(H::Count_); ++i)
      if (labels[i] == w->h) name = kNames[i];
    if (name)
      std::fprintf(stderr, "%5td  %s\n", w - b, name);
    else if (w->target >= b && w->target <= e)
      std::fprintf(stderr, "%5td      [%u, %u] / ->%td\n", w - b, w->s.a, w->s.b, w->target - b);
    else
      std::fprintf(stderr, "%5td      [%u, %u]\n", w - b, w->s.a, w->s.b);
  }
}

}  // namespace wippy::exec::compile_detail

namespace wippy::exec {

using compile_detail::Compiler;

Result<std::unique_ptr<CompiledFunc>> compile_function(const Module& m, uint32_t def_index, bool gc_maps) {
  {
    Compiler c(m, def_index, false, gc_maps);
    if (!c.needs_wide()) {
      auto r = c.run();
      if (!r || *r) return r;
    }
  }
  Compiler w(m, def_index, true, gc_maps);
  return w.run();
}
}  // namespace wippy::exec
