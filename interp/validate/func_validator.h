// func_validator.h — validates one function body with the spec appendix's
// algorithm: an operand stack of value types (Unknown for the polymorphic
// stack after unreachable/br/return) and a stack of control frames
// {opcode, start types, end types, height, unreachable}. One FuncValidator
// is reused for all bodies of a module so its stacks are allocated once.
// Errors are ErrorKind::Invalid, "<spec message> in function N at offset M".
#pragma once
#include <unordered_set>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "interp/module.h"
#include "interp/reader.h"

namespace wippy {

class FuncValidator {
 public:
  // The operand type of the polymorphic stack (never a real encoding).
  static constexpr ValType kUnknown = ValType(0);

  // `declared_refs[i]` is non-zero when function i may be named by ref.func
  // inside bodies (C.refs). Both references must outlive the validator.
  FuncValidator(const Module& module, const std::vector<uint8_t>& declared_refs)
      : m_(module), declared_(declared_refs), g_(module.type_graph()) {
    for (uint32_t i = 0; i < module.num_memories(); ++i) mem_addrs_.push_back(addr_type(module.memory_type(i).limits));
  }

  // `func_index` is the index in the function index space (imports first);
  // `body` is the matching entry of module.codes.
  Result<void> validate(uint32_t func_index, const FuncBody& body);

  // Stepping through a body that validate() accepted (the compiler's GC
  // stack maps): begin() sets up its locals and function frame, next()
  // takes each instruction in order, and operands() is the operand type
  // stack before the instruction next() is given next (it is only exact in
  // reachable code).
  Result<void> begin(uint32_t func_index, const FuncBody& body);
  bool next(const Instr& in) { return step(in); }
  std::span<const ValType> operands() const { return vals_; }

 private:
  struct Frame {
    Op op = Op::Block;
    BlockType type;  // Empty / Value / TypeIndex (already checked)
    bool is_func = false;
    bool unreachable = false;
    uint32_t height = 0;
    uint32_t init_height = 0;  // init_log_ size at entry: locals set inside are reset at its end
  };

  // Block signatures as spans; never dangle (they point into Module::types,
  // the function type or a constant table).
  std::span<const ValType> start_types(const Frame& f) const;
  std::span<const ValType> end_types(const Frame& f) const;
  std::span<const ValType> label_types(const Frame& f) const {
    return f.op == Op::Loop ? start_types(f) : end_types(f);
  }

  void push(ValType t) { vals_.push_back(t); }
  void push(std::span<const ValType> ts) { vals_.insert(vals_.end(), ts.begin(), ts.end()); }
  ValType pop();
  // Inline: most instructions pop through here (pop_at_height: the frame's
  // stack is empty, an error unless unreachable).
  ValType pop(ValType expect) {
    if (vals_.size() == ctrls_.back().height) return pop_at_height(expect);
    ValType t = vals_.back();
    vals_.pop_back();
    if (t != expect && t != kUnknown && expect != kUnknown && !sub(t, expect)) type_mismatch(expect, t);
    return t;
  }
  ValType pop_at_height(ValType expect);
  void pop(std::span<const ValType> ts);
  void push_ctrl(Op op, BlockType type);
  void pop_ctrl(Frame& out);
  void set_unreachable();
  // return_call*: the callee's results must be the caller's; then unreachable.
  bool tail_results(const FuncType& callee);
  bool check_block_type(const BlockType& bt);
  // Pops the parameters of a block of type bt (already checked) on entry.
  void pop_block_params(const BlockType& bt) {
    Frame probe;
    probe.type = bt;
    pop(start_types(probe));
  }
  bool check_label(uint32_t depth);
  ValType local_type(uint32_t index);  // records "unknown local" on failure
  bool check_memory(uint32_t index);
  // The address type (i32 or i64) of a valid memory / table index.
  ValType mem_addr(uint32_t index) const { return index < mem_addrs_.size() ? mem_addrs_[index] : ValType::I32; }
  ValType table_addr(uint32_t index) const;
  bool check_table(uint32_t index);
  // memory.init, data.drop, array.new_data and array.init_data need a data
  // count section. The decoder's scan reports that (Malformed); this makes
  // validation fail too when the decoder did not scan (DecodeOptions), and
  // checks nothing otherwise.
  bool check_data_count();
  bool check_memarg(const Instr& in);
  bool check_plain_imm(const Instr& in);  // memarg, lane, shuffle
  void fail(std::string msg);
  void type_mismatch(ValType expect, ValType got);

  bool step(const Instr& in);  // validates one instruction; false on error
  // call_ref, return_call_ref, ref.as_non_null, br_on_null, br_on_non_null
  // (func_validator_refs.cpp).
  bool step_typed_ref(const Instr& in);
  // throw, throw_ref, try_table, try, catch, catch_all, delegate, rethrow
  // (func_validator_eh.cpp).
  bool step_eh(const Instr& in);
  // ref.eq, ref.i31, i31.get_s/_u, any.convert_extern, extern.convert_any,
  // struct.* and array.* (func_validator_gc.cpp).
  bool step_gc(const Instr& in);
  // The struct or array type `type_index` (records "unknown type" or a type mismatch).
  const SubType* gc_type(uint32_t type_index, CompKind kind);
  // struct.get/set (field `f`) and array.get/set (element `f`, array: an
  // i32 index too) of type in.a: mutability for a set, packedness against
  // the plain or _s/_u get, then the operands and the result.
  bool gc_access(const Instr& in, const FieldType& f, bool set, bool plain_get, bool array);
  // array.new_data/_elem, array.fill, array.copy, array.init_data/_elem.
  bool array_bulk(const Instr& in);
  const FuncType* tag_type(uint32_t tag);  // records "unknown tag" on failure
  bool check_catch(const CatchClause& c);
  // A value type naming a type index must name one of the module ("unknown type").
  bool check_valtype(ValType t);
  // A type index naming a function type ("unknown type", else "type mismatch").
  bool check_func_type(uint32_t type_index);
  bool sub(ValType a, ValType b) const { return val_subtype(g_, a, b); }
  // Non-defaultable locals (non-null references): set ones are recorded
  // until the end of the block that set them.
  bool local_initialized(uint32_t index) const {
    return index < func_type_->params.size() || inited_.count(index) != 0;
  }
  void set_initialized(uint32_t index) {
    if (inited_.insert(index).second) init_log_.push_back(index);
  }
  void reset_inits(uint32_t height) {
    while (init_log_.size() > height) {
      inited_.erase(init_log_.back());
      init_log_.pop_back();
    }
  }

  const Module& m_;
  const std::vector<uint8_t>& declared_;
  TypeGraph g_;
  const FuncType* func_type_ = nullptr;
  std::vector<ValType> mem_addrs_;  // per memory index, its address type (looked up per memarg)
  std::vector<ValType> vals_;
  std::vector<ValType> scratch_;       // br_table: values popped per target
  std::vector<Frame> ctrls_;
  std::vector<uint64_t> local_ends_;   // cumulative end index per run of locals
  std::vector<ValType> local_types_;   // type of each run
  uint64_t num_locals_ = 0;            // params + declared locals
  std::unordered_set<uint32_t> inited_;  // non-defaultable locals set so far
  std::vector<uint32_t> init_log_;       // the same, in the order they were set
  std::string err_;
  Instr in_;  // reused decoding buffer
};

}  // namespace wippy
