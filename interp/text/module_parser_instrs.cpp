// module_parser_instrs.cpp — ModuleParser's instructions: flat and folded forms,
// blocks, try/try_table, labels, and every immediate. See module_parser_impl.h.
#include "interp/text/module_parser_impl.h"

#include "interp/quote.h"

namespace wippy::text::wat_encoder {

bool ModuleParser::instrs(Bytes& out) {
  while (true) {
    const Token& t = peek();
    if (t.kind == Token::RParen || t.kind == Token::Eof || pos_ >= end_) return true;
    if (t.kind == Token::LParen) {
      if (!folded(out)) return false;
      continue;
    }
    if (t.is("end") || t.is("else")) return true;
    if (in_try_ > 0 && (t.is("catch") || t.is("catch_all") || t.is("delegate"))) return true;
    if (!plain(out)) return false;
  }
}

std::string_view ModuleParser::opt_label() {
  if (peek().is_id()) return next().text;
  return {};
}

bool ModuleParser::end_label(std::string_view label) {
  if (peek().is_id()) {
    const Token& t = next();
    if (t.text != label) return fail(t, fmt::format("mismatching label {}", quote_input(t.text)));
  }
  return true;
}

bool ModuleParser::block_type(Bytes& out) {
  std::optional<uint32_t> explicit_idx;
  const Token& at = peek();
  if (!type_ref(explicit_idx)) return false;
  FuncType ft;
  bool any = false;
  if (!params_results(ft, nullptr, false, any)) return false;
  if (!explicit_idx && ft.params.empty() && ft.results.size() <= 1) {
    if (ft.results.empty())
      out.push_back(0x40);
    else
      put_valtype(out, ft.results[0]);
    return true;
  }
  uint32_t idx = 0;
  if (explicit_idx) {
    idx = *explicit_idx;
    if (idx < types_.size()) {
      if (any && !(types_[idx] == ft)) return fail(at, "inline function type does not match (type)");
    } else if (any) {
      return fail(at, "unknown type");
    }
  } else {
    idx = intern_type(ft);
  }
  put_s64(out, int64_t(idx));
  return true;
}

bool ModuleParser::flat_end(Bytes& out, std::string_view label) {
  if (!peek().is("end")) return unexpected(peek());
  next();
  if (!end_label(label)) return false;
  labels_.pop_back();
  out.push_back(0x0B);
  return true;
}

bool ModuleParser::flat_block(Bytes& out) {
  Nest nest(nesting_);
  if (nest.too_deep()) return fail(peek(), "nesting too deep");
  const Token& kw = next();
  std::string_view label = opt_label();
  out.push_back(kw.is("block") ? 0x02 : kw.is("loop") ? 0x03 : 0x04);
  if (!block_type(out)) return false;
  labels_.push_back(label);
  if (!instrs(out)) return false;
  if (kw.is("if") && peek().is("else")) {
    next();
    if (!end_label(label)) return false;
    out.push_back(0x05);
    if (!instrs(out)) return false;
  }
  return flat_end(out, label);
}

bool ModuleParser::catch_clauses(Bytes& out) {
  Bytes body;
  uint32_t n = 0;
  while (at_lparen("catch") || at_lparen("catch_ref") || at_lparen("catch_all") || at_lparen("catch_all_ref")) {
    next();
    const Token& k = next();
    uint8_t kind = k.is("catch") ? 0 : k.is("catch_ref") ? 1 : k.is("catch_all") ? 2 : 3;
    body.push_back(kind);
    if (kind < 2 && !put_index(tag_space_, body)) return false;
    uint32_t idx = 0;
    if (!label_index(idx) || !expect_rparen()) return false;
    put_u32(body, idx);
    ++n;
  }
  put_u32(out, n);
  put_bytes(out, body);
  return true;
}

bool ModuleParser::legacy_arms(Bytes& out, bool folded_form, std::string_view label) {
  auto at_arm = [&](std::string_view k) { return folded_form ? at_lparen(k) : peek().is(k); };
  bool seen_all = false;
  while (!seen_all && (at_arm("catch") || at_arm("catch_all"))) {
    if (folded_form) next();
    const Token& k = next();
    seen_all = k.is("catch_all");
    // flat `catch $label? $tag`: an id is the label only when an index follows
    bool labelled = !folded_form && peek().is_id() && (seen_all || is_index_token(peek(1)));
    if (labelled && !end_label(label)) return false;
    if (seen_all) {
      out.push_back(0x19);
    } else {
      out.push_back(0x07);
      if (!put_index(tag_space_, out)) return false;
    }
    if (!folded_form) ++in_try_;
    bool ok = instrs(out);
    if (!folded_form) --in_try_;
    if (!ok || (folded_form && !expect_rparen())) return false;
  }
  return true;
}

bool ModuleParser::try_head(Bytes& out, bool& table, std::string_view& label) {
  table = next().is("try_table");
  label = opt_label();
  out.push_back(table ? 0x1F : 0x06);
  if (!block_type(out)) return false;
  if (table && !catch_clauses(out)) return false;
  labels_.push_back(label);
  return true;
}

bool ModuleParser::delegate_tail(Bytes& out) {
  labels_.pop_back();
  uint32_t idx = 0;
  if (!label_index(idx)) return false;
  out.push_back(0x18);
  put_u32(out, idx);
  return true;
}

bool ModuleParser::flat_try(Bytes& out) {
  Nest nest(nesting_);
  if (nest.too_deep()) return fail(peek(), "nesting too deep");
  bool table = false;
  std::string_view label;
  if (!try_head(out, table, label)) return false;
  if (!table) ++in_try_;
  bool ok = instrs(out);
  if (!table) --in_try_;
  if (!ok) return false;
  if (!table) {
    if (peek().is("delegate")) {
      next();
      return delegate_tail(out);
    }
    if (!legacy_arms(out, false, label)) return false;
  }
  return flat_end(out, label);
}

bool ModuleParser::folded_try(Bytes& out) {
  bool table = false;
  std::string_view label;
  if (!try_head(out, table, label)) return false;
  if (table) {
    if (!instrs(out)) return false;
  } else {
    if (!expect_lparen() || !expect_keyword("do") || !instrs(out) || !expect_rparen()) return false;
    if (at_lparen("delegate")) {
      next();
      next();
      return delegate_tail(out) && expect_rparen() && expect_rparen();
    }
    if (!legacy_arms(out, true, label)) return false;
  }
  labels_.pop_back();
  out.push_back(0x0B);
  return expect_rparen();
}

bool ModuleParser::folded(Bytes& out) {
  Nest nest(nesting_);
  if (nest.too_deep()) return fail(peek(), "nesting too deep");
  std::optional<uint8_t> hint = take_branch_hint(out);
  next();  // '('
  const Token& kw = peek();
  if (kw.is("block") || kw.is("loop")) {
    next();
    std::string_view label = opt_label();
    note_branch_hint(out, hint);
    out.push_back(kw.is("block") ? 0x02 : 0x03);
    if (!block_type(out)) return false;
    labels_.push_back(label);
    if (!instrs(out)) return false;
    labels_.pop_back();
    out.push_back(0x0B);
    return expect_rparen();
  }
  if (kw.is("if")) {
    next();
    std::string_view label = opt_label();
    Bytes head{0x04};
    if (!block_type(head)) return false;
    while (peek().kind == Token::LParen && !peek(1).is("then")) {
      if (!folded(out)) return false;
    }
    note_branch_hint(out, hint);
    put_bytes(out, head);
    labels_.push_back(label);
    if (!expect_lparen() || !expect_keyword("then")) return false;
    if (!instrs(out) || !expect_rparen()) return false;
    if (at_lparen("else")) {
      next();
      next();
      out.push_back(0x05);
      if (!instrs(out) || !expect_rparen()) return false;
    }
    labels_.pop_back();
    out.push_back(0x0B);
    return expect_rparen();
  }
  if (kw.is("try_table") || kw.is("try")) {
    note_branch_hint(out, hint);
    return folded_try(out);
  }
  if (kw.kind != Token::Atom) return unexpected(kw);
  Bytes head;
  if (!plain(head)) return false;
  while (peek().kind == Token::LParen) {
    if (!folded(out)) return false;
  }
  note_branch_hint(out, hint);
  put_bytes(out, head);
  return expect_rparen();
}

bool ModuleParser::plain(Bytes& out) {
  note_branch_hint(out, take_branch_hint(out));
  const Token& kw = peek();
  if (kw.is("block") || kw.is("loop") || kw.is("if")) return flat_block(out);
  if (kw.is("try_table") || kw.is("try")) return flat_try(out);
  if (kw.kind != Token::Atom || kw.is_id()) return unexpected(kw);
  std::optional<Op> op = op_from_text(kw.text);
  if (!op) return unexpected(kw);
  if (*op == Op::Else || *op == Op::End || *op == Op::Catch || *op == Op::CatchAll || *op == Op::Delegate)
    return unexpected(kw);
  next();
  if (*op == Op::Select) {
    if (at_lparen("result")) {
      Bytes types;
      uint32_t n = 0;
      while (at_lparen("result")) {
        next();
        next();
        while (!at_rparen()) {
          ValType v;
          if (!valtype(v)) return false;
          put_valtype(types, v);
          ++n;
        }
        next();
      }
      out.push_back(0x1C);
      put_u32(out, n);
      put_bytes(out, types);
    } else {
      out.push_back(0x1B);
    }
    return true;
  }
  if (*op == Op::RefTest || *op == Op::RefCast) {  // ref.test / ref.cast (ref null? ht)
    ValType t;
    if (!reftype(t)) return false;
    const OpInfo& info = op_info(Op(uint16_t(*op) + (ref_nullable(t) ? 1 : 0)));
    out.push_back(info.prefix);
    put_u32(out, info.code);
    put_heap_type(out, ref_heap(t));
    return true;
  }
  const OpInfo& info = op_info(*op);
  if (info.prefix) {
    out.push_back(info.prefix);
    put_u32(out, info.code);
  } else {
    out.push_back(uint8_t(info.code));
  }
  return immediates(*op, info, kw, out);
}

bool ModuleParser::label_index(uint32_t& out) {
  const Token& t = peek();
  if (t.is_id()) {
    for (size_t i = labels_.size(); i-- > 0;) {
      if (labels_[i] == t.text) {
        out = uint32_t(labels_.size() - 1 - i);
        next();
        return true;
      }
    }
    return fail(t, fmt::format("unknown label {}", quote_input(t.text)));
  }
  return u32(out);
}

bool ModuleParser::opt_index(Space& s, uint32_t& out, bool& present) {
  present = is_index_token(peek());
  if (!present) return true;
  return index(s, out);
}

bool ModuleParser::memarg(const OpInfo& info, Bytes& out) {
  uint64_t offset = 0, align = uint64_t(1) << info.align;
  // A memory index immediate is the multi-memory proposal (WebAssembly 3.0).
  // A lone number before a lane operation's operands is its lane index.
  bool lane_next = info.imm == ImmKind::MemArgLane && !is_index_token(peek(1)) &&
                   !(peek(1).kind == Token::Atom &&
                     (peek(1).text.starts_with("offset=") || peek(1).text.starts_with("align=")));
  uint32_t mem = 0;
  if (is_index_token(peek()) && !lane_next && !index(memory_space_, mem)) return false;
  if (peek().kind == Token::Atom && peek().text.starts_with("offset=")) {
    const Token& t = next();
    NumStatus st = parse_uint(t.text.substr(7), UINT64_MAX, offset);
    if (st == NumStatus::Syntax) return fail(t, fmt::format("unknown operator {}", quote_input(t.text)));
    if (st == NumStatus::Range) return fail(t, "offset out of range");  // beyond u64; the validator checks i32 memories
  }
  if (peek().kind == Token::Atom && peek().text.starts_with("align=")) {
    const Token& t = next();
    NumStatus st = parse_uint(t.text.substr(6), UINT64_MAX, align);
    if (st == NumStatus::Syntax) return fail(t, fmt::format("unknown operator {}", quote_input(t.text)));
    if (st == NumStatus::Range) return fail(t, "i32 constant out of range");
    if (align == 0 || (align & (align - 1)) != 0)
      return fail(t, "alignment must be a power of two");
  }
  uint32_t log2 = 0;
  while ((uint64_t(1) << log2) < align) ++log2;
  put_u32(out, mem != 0 ? log2 | 0x40 : log2);  // bit 6: a memory index follows
  if (mem != 0) put_u32(out, mem);
  put_u32(out, offset);  // LEB128 of the whole u64
  return true;
}

bool ModuleParser::is_lane_literal(const Token& t) {
  if (t.kind == Token::Reserved) return true;
  return t.kind == Token::Atom && !t.is_id() && !op_from_text(t.text) && !t.is("block") &&
         !t.is("loop") && !t.is("if") && !t.is("end") && !t.is("else");
}

bool ModuleParser::lane_index(Bytes& out, bool shuffle) {
  const Token& t = peek();
  if (t.kind != Token::Atom || t.is_id()) return unexpected(t);
  uint64_t v = 0;
  NumStatus st = parse_uint(t.text, 255, v);
  if (st == NumStatus::Syntax && !shuffle) return fail(t, fmt::format("unexpected token {}", quote_input(t.text)));
  // 2.0 named a lane index past 255 "malformed lane index", 3.0 "i8
  // constant out of range": the message carries both.
  if (st == NumStatus::Range || (shuffle && st != NumStatus::Ok))
    return fail(t, "malformed lane index: i8 constant out of range");
  if (st != NumStatus::Ok) return fail(t, "malformed lane index");
  next();
  out.push_back(uint8_t(v));
  return true;
}

bool ModuleParser::number_error(const Token& t, NumStatus st, std::string_view type) {
  if (st == NumStatus::Range) return fail(t, fmt::format("{} constant out of range", type));
  if (t.kind == Token::Atom && !t.is_id() && !op_from_text(t.text) &&
      t.text != "nan:canonical" && t.text != "nan:arithmetic")
    return fail(t, fmt::format("unknown operator {} (malformed {} constant)", quote_input(t.text), type));
  return unexpected(t);
}

bool ModuleParser::immediates(Op op, const OpInfo& info, const Token& kw, Bytes& out) {
  uint32_t idx = 0;
  bool present = false;
  // Reads the constant at the cursor into v with parse(text, v); a bad one fails as a `type` constant.
  auto constant = [&](auto& v, std::string_view type, auto parse) {
    const Token& t = peek();
    NumStatus st = t.kind == Token::Atom ? parse(t.text, v) : NumStatus::Syntax;
    if (st != NumStatus::Ok) return number_error(t, st, type);
    next();
    return true;
  };
  auto int32 = [](std::string_view s, uint64_t& v) { return parse_int(s, 32, v); };
  auto int64 = [](std::string_view s, uint64_t& v) { return parse_int(s, 64, v); };
  // memory.init / table.init: an optional memory or table index, then a segment index; the segment's goes first.
  auto init_indices = [&](Space& outer, Space& segments) {
    uint32_t a = 0, b = 0;
    bool two = is_index_token(peek()) && is_index_token(peek(1));
    if (two) {
      if (!index(outer, a) || !index(segments, b)) return false;
    } else if (!index(segments, b)) {
      return false;
    }
    put_u32(out, b);
    put_u32(out, a);
    return true;
  };
  // memory.copy / table.copy: a destination and a source index of `space`, both optional (then 0).
  auto copy_indices = [&](Space& space) {
    uint32_t a = 0, b = 0;
    if (is_index_token(peek())) {
      if (!index(space, a) || !index(space, b)) return false;
    }
    put_u32(out, a);
    put_u32(out, b);
    return true;
  };
  switch (info.imm) {
    case ImmKind::None:
      return true;
    case ImmKind::BlockType:
      return block_type(out);  // not reached: blocks are handled by flat_block
    case ImmKind::Label:
      if (!label_index(idx)) return false;
      put_u32(out, idx);
      return true;
    case ImmKind::BrOnCast: {  // br_on_cast(_fail) label rt1 rt2
      ValType from, to;
      if (!label_index(idx) || !reftype(from) || !reftype(to)) return false;
      out.push_back(uint8_t((ref_nullable(from) ? 1 : 0) | (ref_nullable(to) ? 2 : 0)));
      put_u32(out, idx);
      put_heap_type(out, ref_heap(from));
      put_heap_type(out, ref_heap(to));
      return true;
    }
    case ImmKind::BrTable: {
      std::vector<uint32_t> targets;
      while (is_index_token(peek()) || peek().kind == Token::Atom) {
        if (!is_index_token(peek())) break;
        if (!label_index(idx)) return false;
        targets.push_back(idx);
      }
      if (targets.empty()) return unexpected(peek());
      put_u32(out, targets.size() - 1);
      for (uint32_t x : targets) put_u32(out, x);
      return true;
    }
    case ImmKind::Func:
      return put_index(func_space_, out);
    case ImmKind::CallIndirect: {
      uint32_t table = 0;
      if (!opt_index(table_space_, table, present)) return false;
      TypeUse tu;
      if (!type_use(tu, false)) return false;
      put_u32(out, tu.index);
      put_u32(out, table);
      return true;
    }
    case ImmKind::SelectT:
      return true;  // handled with Select
    case ImmKind::Local: {
      const Token& t = peek();
      if (t.is_id()) {
        auto it = locals_ ? locals_->names.find(t.text) : decltype(locals_->names.end()){};
        if (!locals_ || it == locals_->names.end())
          return fail(t, fmt::format("unknown local {}", quote_input(t.text)));
        next();
        idx = it->second;
      } else if (!u32(idx)) {
        return false;
      }
      put_u32(out, idx);
      return true;
    }
    case ImmKind::Global:
      return put_index(global_space_, out);
    case ImmKind::Table:
    case ImmKind::Memory:
      if (!opt_index(info.imm == ImmKind::Table ? table_space_ : memory_space_, idx, present)) return false;
      put_u32(out, idx);
      return true;
    case ImmKind::MemArg:
      return memarg(info, out);
    case ImmKind::I32: {
      uint64_t v = 0;
      if (!constant(v, "i32", int32)) return false;
      put_s64(out, int64_t(int32_t(uint32_t(v))));
      return true;
    }
    case ImmKind::I64: {
      uint64_t v = 0;
      if (!constant(v, "i64", int64)) return false;
      put_s64(out, int64_t(v));
      return true;
    }
    case ImmKind::F32: {
      uint32_t v = 0;
      if (!constant(v, "f32", parse_f32)) return false;
      put_fixed(out, v, 4);
      return true;
    }
    case ImmKind::F64: {
      uint64_t v = 0;
      if (!constant(v, "f64", parse_f64)) return false;
      put_fixed(out, v, 8);
      return true;
    }
    case ImmKind::RefType: {
      uint32_t heap = 0;
      if (!heap_type(heap)) return false;
      put_heap_type(out, heap);
      return true;
    }
    case ImmKind::Tag:
      return put_index(tag_space_, out);
    case ImmKind::TryTable:
      return block_type(out);  // not reached: try_table is handled by flat_try
    case ImmKind::TypeIdx:
      return put_index(type_space_, out);
    case ImmKind::TypeField:
    case ImmKind::TypeCount: {  // typeidx, then a field (by name or index) or a count
      uint32_t f = 0;
      if (!index(type_space_, idx)) return false;
      if (info.imm == ImmKind::TypeField && peek().is_id()) {
        const Token& t = peek();
        const std::string name(t.text);
        if (idx >= field_names_.size() || !field_names_[idx].count(name))
          return fail(t, fmt::format("unknown field {}", quote_input(t.text)));
        f = field_names_[idx].at(name);
        next();
      } else if (!u32(f)) {
        return false;
      }
      put_u32(out, idx);
      put_u32(out, f);
      return true;
    }
    case ImmKind::TypeData:
    case ImmKind::TypeElem:
    case ImmKind::TypeType: {  // typeidx, then a data, elem or (source) type index
      uint32_t second = 0;
      Space& space = info.imm == ImmKind::TypeData   ? data_space_
                     : info.imm == ImmKind::TypeElem ? elem_space_
                                                     : type_space_;
      if (!index(type_space_, idx) || !index(space, second)) return false;
      put_u32(out, idx);
      put_u32(out, second);
      if (info.imm == ImmKind::TypeData) uses_data_ops_ = true;
      return true;
    }
    case ImmKind::MemoryInit:
      if (!init_indices(memory_space_, data_space_)) return false;
      uses_data_ops_ = true;
      return true;
    case ImmKind::Data:
      if (!put_index(data_space_, out)) return false;
      uses_data_ops_ = true;
      return true;
    case ImmKind::MemoryCopy:
      return copy_indices(memory_space_);
    case ImmKind::TableInit:
      return init_indices(table_space_, elem_space_);
    case ImmKind::Elem:
      return put_index(elem_space_, out);
    case ImmKind::TableCopy:
      return copy_indices(table_space_);
    case ImmKind::V128: {
      const Token& st = peek();
      LaneShape shape;
      if (st.kind != Token::Atom || !lane_shape(st.text, shape)) return unexpected(st);
      next();
      size_t given = 0;
      while (is_lane_literal(peek(given))) ++given;
      if (given != shape.lanes) return fail(st, "wrong number of lane literals");
      for (unsigned i = 0; i < shape.lanes; ++i) {
        const Token& t = peek();
        uint64_t bits = 0;
        NumStatus s = parse_lane(t.text, shape, bits);
        if (s != NumStatus::Ok) return number_error(t, s, "v128 lane");
        next();
        put_fixed(out, bits, int(shape.lane_bits / 8));
      }
      return true;
    }
    case ImmKind::Shuffle: {
      const Token& at = peek();
      int n = 0;
      for (; is_lane_literal(peek()); ++n)
        if (!lane_index(out, true)) return false;
      if (n != 16) return fail(at, "invalid lane length");
      return true;
    }
    case ImmKind::Lane:
      return lane_index(out);
    case ImmKind::MemArgLane:
      if (!memarg(info, out)) return false;
      return lane_index(out);
  }
  (void)op;
  return unexpected(kw);
}

}  // namespace wippy::text::wat_encoder
