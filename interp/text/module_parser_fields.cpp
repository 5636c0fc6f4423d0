// module_parser_fields.cpp — ModuleParser's pass 2: each module field (imports,
// functions, tables, memories, globals, tags, exports, start, element and
// data segments) encoded into its section. See module_parser_impl.h.
#include "interp/text/module_parser_impl.h"

#include "interp/quote.h"

namespace wippy::text::wat_encoder {

bool ModuleParser::field() {
  size_t close = m_[pos_];
  const Token& kw = t_[pos_ + 1];
  bool ok;
  if (kw.is("type") || kw.is("rec")) {  // encoded by scan_fields
    pos_ = close + 1;
    return true;
  }
  if (kw.is("func")) func_fields_.emplace_back(pos_, close);
  pos_ += 2;
  if (kw.is("import")) ok = import_field();
  else if (kw.is("func")) ok = func_field();
  else if (kw.is("table")) ok = table_field();
  else if (kw.is("memory")) ok = memory_field();
  else if (kw.is("global")) ok = global_field();
  else if (kw.is("tag")) ok = tag_field();
  else if (kw.is("export")) ok = export_field();
  else if (kw.is("start")) ok = start_field(kw);
  else if (kw.is("elem")) ok = elem_field();
  else if (kw.is("data")) ok = data_field();
  else return unexpected(kw);
  if (!ok) return false;
  return expect_rparen();
}

bool ModuleParser::inline_exports(ExternKind kind, uint32_t index) {
  while (at_lparen("export")) {
    next();
    next();
    std::string n;
    if (!name(n) || !expect_rparen()) return false;
    add_export(n, kind, index);
  }
  return true;
}

void ModuleParser::add_export(const std::string& n, ExternKind kind, uint32_t index) {
  put_name(exports_, n);
  exports_.push_back(uint8_t(kind));
  put_u32(exports_, index);
  ++export_count_;
}

bool ModuleParser::inline_import(bool& present) {
  present = false;
  if (!at_lparen("import")) return true;
  next();
  next();
  std::string mod, nm;
  if (!name(mod) || !name(nm) || !expect_rparen()) return false;
  put_name(imports_, mod);
  put_name(imports_, nm);
  ++import_count_;
  present = true;
  return true;
}

bool ModuleParser::import_field() {
  std::string mod, nm;
  if (!name(mod) || !name(nm)) return false;
  put_name(imports_, mod);
  put_name(imports_, nm);
  ++import_count_;
  if (!expect_lparen()) return false;
  const Token& kind = next();
  opt_id();
  if (kind.is("func") && !name_annotations(names_.funcs, func_index_, "function")) return false;
  if (kind.is("tag") && !name_annotations(names_.tags, tag_index_, "tag")) return false;
  if (kind.is("func")) {
    TypeUse tu;
    if (!type_use(tu, true)) return false;
    imports_.push_back(0);
    put_u32(imports_, tu.index);
    ++func_index_;
  } else if (kind.is("table")) {
    Limits l;
    ValType rt;
    if (!limits(l) || !reftype(rt)) return false;
    imports_.push_back(1);
    put_valtype(imports_, rt);
    put_limits(imports_, l);
    ++table_index_;
  } else if (kind.is("memory")) {
    Limits l;
    bool shared = false;
    if (!limits(l, &shared)) return false;
    imports_.push_back(2);
    put_limits(imports_, l, shared);
    ++memory_index_;
  } else if (kind.is("global")) {
    imports_.push_back(3);
    if (!global_type(imports_)) return false;
    ++global_index_;
  } else if (kind.is("tag")) {
    TypeUse tu;
    if (!type_use(tu, false)) return false;
    imports_.push_back(4);
    imports_.push_back(0);
    put_u32(imports_, tu.index);
    ++tag_index_;
  } else {
    return unexpected(kind);
  }
  return expect_rparen();
}

bool ModuleParser::func_field() {
  opt_id();
  uint32_t index = func_index_++;
  if (!name_annotations(names_.funcs, index, "function")) return false;
  if (!inline_exports(ExternKind::Func, index)) return false;
  bool imported;
  if (!inline_import(imported)) return false;
  TypeUse tu;
  if (!type_use(tu, true)) return false;
  if (imported) {
    imports_.push_back(0);
    put_u32(imports_, tu.index);
    return true;
  }
  put_u32(funcs_, tu.index);
  ++func_count_;
  // locals
  Space locals{"local", "local", {}, 0};
  for (size_t i = 0; i < tu.type.params.size(); ++i) {
    std::string_view n = i < tu.names.size() ? tu.names[i] : std::string_view{};
    if (!n.empty()) {
      auto [it, inserted] = locals.names.emplace(n, uint32_t(i));
      if (!inserted) return fail(peek(), fmt::format("duplicate local {}", quote_input(n)));
    }
  }
  locals.count = uint32_t(tu.type.params.size());
  std::vector<ValType> local_types;
  while (at_lparen("local")) {
    next();
    next();
    if (peek().is_id()) {
      const Token& id = next();
      ValType v;
      if (!valtype(v)) return false;
      if (!bind(locals, &id, locals.count)) return false;
      locals.count++;
      local_types.push_back(v);
    } else {
      while (!at_rparen()) {
        ValType v;
        if (!valtype(v)) return false;
        locals.count++;
        local_types.push_back(v);
      }
    }
    if (!expect_rparen()) return false;
  }
  Bytes body;
  // run-length encoded local declarations
  Bytes decls;
  uint32_t groups = 0;
  for (size_t i = 0; i < local_types.size();) {
    size_t j = i;
    while (j < local_types.size() && local_types[j] == local_types[i]) ++j;
    put_u32(decls, j - i);
    put_valtype(decls, local_types[i]);
    ++groups;
    i = j;
  }
  put_u32(body, groups);
  put_bytes(body, decls);
  locals_ = &locals;
  labels_.clear();
  body_ = &body;
  body_func_ = index;
  bool ok = instrs(body);
  body_ = nullptr;
  locals_ = nullptr;
  if (!ok) return false;
  if (!at_rparen()) return unexpected(peek());
  body.push_back(0x0B);
  put_u32(code_, body.size());
  put_bytes(code_, body);
  return true;
}

bool ModuleParser::table_field() {
  opt_id();
  uint32_t index = table_index_++;
  if (!inline_exports(ExternKind::Table, index)) return false;
  bool imported;
  if (!inline_import(imported)) return false;
  Bytes& out = imported ? imports_ : tables_;
  if (imported) out.push_back(1);
  bool t64 = !imported && (peek().is("i64") || peek().is("i32")) &&
             (is_reftype_token(peek(1)) || (peek(1).kind == Token::LParen && peek(2).is("ref"))) &&
             address_type();
  if (!imported && at_reftype()) {
    // (table i64? reftype (elem ...)) abbreviation
    ValType rt;
    if (!reftype(rt)) return false;
    if (!expect_lparen() || !expect_keyword("elem")) return false;
    Bytes items;
    uint32_t n = 0;
    bool exprs = peek().kind == Token::LParen || rt != ValType::FuncRef;
    if (!elem_items(exprs, items, n, rt != ValType::FuncRef)) return false;
    if (!expect_rparen()) return false;
    Limits l{n, true, n};
    l.is64 = t64;
    put_valtype(tables_, rt);
    put_limits(tables_, l);
    ++table_count_;
    Bytes offset = t64 ? Bytes{0x42, 0x00, 0x0B} : Bytes{0x41, 0x00, 0x0B};
    encode_active_elem(index, offset, exprs, rt, items, n);
    return true;
  }
  Limits l;
  ValType rt;
  if (!limits(l) || !reftype(rt)) return false;
  const bool has_init = !imported && !at_rparen();
  if (has_init) {  // 0x40 0x00 tabletype expr
    out.push_back(0x40);
    out.push_back(0x00);
  }
  put_valtype(out, rt);
  put_limits(out, l);
  if (has_init && !const_expr(out)) return false;
  if (!imported) ++table_count_;
  return true;
}

bool ModuleParser::memory_field() {
  opt_id();
  uint32_t index = memory_index_++;
  if (!inline_exports(ExternKind::Memory, index)) return false;
  bool imported;
  if (!inline_import(imported)) return false;
  bool m64 = !imported && (peek().is("i64") || peek().is("i32")) && peek(1).kind == Token::LParen &&
             peek(2).is("data") && address_type();
  if (!imported && at_lparen("data")) {
    next();
    next();
    std::string bytes;
    while (peek().kind == Token::String) bytes += next().str;
    if (!expect_rparen()) return false;
    uint64_t pages = (bytes.size() + kPageSize - 1) / kPageSize;
    Limits l{pages, true, pages};
    l.is64 = m64;
    put_limits(memories_, l);
    ++memory_count_;
    if (index == 0) {
      datas_.push_back(0);
    } else {
      datas_.push_back(2);
      put_u32(datas_, index);
    }
    put_bytes(datas_, m64 ? Bytes{0x42, 0x00, 0x0B} : Bytes{0x41, 0x00, 0x0B});
    put_name(datas_, bytes);
    ++data_count_;
    return true;
  }
  Limits l;
  bool shared = false;
  if (!limits(l, &shared)) return false;
  if (imported) {
    imports_.push_back(2);
    put_limits(imports_, l, shared);
  } else {
    put_limits(memories_, l, shared);
    ++memory_count_;
  }
  return true;
}

bool ModuleParser::global_field() {
  opt_id();
  uint32_t index = global_index_++;
  if (!inline_exports(ExternKind::Global, index)) return false;
  bool imported;
  if (!inline_import(imported)) return false;
  if (imported) {
    imports_.push_back(3);
    return global_type(imports_);
  }
  if (!global_type(globals_)) return false;
  if (!const_expr(globals_)) return false;
  ++global_count_;
  return true;
}

bool ModuleParser::tag_field() {
  opt_id();
  uint32_t index = tag_index_++;
  if (!name_annotations(names_.tags, index, "tag")) return false;
  if (!inline_exports(ExternKind::Tag, index)) return false;
  bool imported;
  if (!inline_import(imported)) return false;
  TypeUse tu;
  if (!type_use(tu, false)) return false;
  Bytes& out = imported ? imports_ : tags_;
  if (imported) out.push_back(4);
  out.push_back(0);
  put_u32(out, tu.index);
  if (!imported) ++tag_count_;
  return true;
}

bool ModuleParser::export_field() {
  std::string n;
  if (!name(n) || !expect_lparen()) return false;
  const Token& kind = next();
  uint32_t idx = 0;
  ExternKind k;
  if (kind.is("func")) {
    k = ExternKind::Func;
    if (!index(func_space_, idx)) return false;
  } else if (kind.is("table")) {
    k = ExternKind::Table;
    if (!index(table_space_, idx)) return false;
  } else if (kind.is("memory")) {
    k = ExternKind::Memory;
    if (!index(memory_space_, idx)) return false;
  } else if (kind.is("global")) {
    k = ExternKind::Global;
    if (!index(global_space_, idx)) return false;
  } else if (kind.is("tag")) {
    k = ExternKind::Tag;
    if (!index(tag_space_, idx)) return false;
  } else {
    return unexpected(kind);
  }
  if (!expect_rparen()) return false;
  add_export(n, k, idx);
  return true;
}

bool ModuleParser::start_field(const Token& kw) {
  if (start_) return fail(kw, "multiple start sections");
  uint32_t idx = 0;
  if (!index(func_space_, idx)) return false;
  start_ = idx;
  return true;
}

bool ModuleParser::const_expr(Bytes& out) {
  labels_.clear();
  if (!instrs(out)) return false;
  out.push_back(0x0B);
  return true;
}

bool ModuleParser::offset_expr(Bytes& out) {
  if (at_lparen("offset")) {
    next();
    next();
    if (!const_expr(out)) return false;
    return expect_rparen();
  }
  if (peek().kind != Token::LParen) return unexpected(peek());
  labels_.clear();
  if (!folded(out)) return false;
  out.push_back(0x0B);
  return true;
}

bool ModuleParser::elem_items(bool exprs, Bytes& out, uint32_t& n, bool index_exprs) {
  n = 0;
  while (!at_rparen()) {
    if (exprs && index_exprs && peek().kind != Token::LParen) {
      uint32_t idx = 0;
      if (!index(func_space_, idx)) return false;
      out.push_back(0xD2);
      put_u32(out, idx);
      out.push_back(0x0B);
    } else if (exprs) {
      if (at_lparen("item")) {
        next();
        next();
        if (!const_expr(out) || !expect_rparen()) return false;
      } else {
        if (peek().kind != Token::LParen) return unexpected(peek());
        labels_.clear();
        if (!folded(out)) return false;
        out.push_back(0x0B);
      }
    } else {
      uint32_t idx = 0;
      if (!index(func_space_, idx)) return false;
      put_u32(out, idx);
    }
    ++n;
  }
  return true;
}

void ModuleParser::encode_active_elem(uint32_t table, const Bytes& offset, bool exprs, ValType rt,
                        const Bytes& items, uint32_t n) {
  if (!exprs) {
    if (table == 0) {
      elems_.push_back(0);
      put_bytes(elems_, offset);
    } else {
      elems_.push_back(2);
      put_u32(elems_, table);
      put_bytes(elems_, offset);
      elems_.push_back(0x00);
    }
  } else if (table == 0 && rt == ValType::FuncRef) {
    elems_.push_back(4);
    put_bytes(elems_, offset);
  } else {
    elems_.push_back(6);
    put_u32(elems_, table);
    put_bytes(elems_, offset);
    put_valtype(elems_, rt);
  }
  put_u32(elems_, n);
  put_bytes(elems_, items);
  ++elem_count_;
}

bool ModuleParser::elem_field() {
  opt_id();
  enum { Passive, Active, Declare } mode = Passive;
  uint32_t table = 0;
  Bytes offset;
  if (peek().is("declare")) {
    next();
    mode = Declare;
  } else if (at_lparen("table")) {
    next();
    next();
    if (!index(table_space_, table) || !expect_rparen()) return false;
    mode = Active;
    if (!offset_expr(offset)) return false;
  } else if (peek().kind == Token::LParen && !at_lparen("ref")) {  // `(ref ...)` starts the elemlist
    mode = Active;
    if (!offset_expr(offset)) return false;
  }
  // elemlist
  bool exprs;
  ValType rt = ValType::FuncRef;
  if (peek().is("func")) {
    next();
    exprs = false;
  } else if (at_reftype()) {
    if (!reftype(rt)) return false;
    exprs = true;
  } else if (mode == Active) {
    exprs = false;  // legacy: (elem offset funcidx*)
  } else {
    return unexpected(peek());
  }
  Bytes items;
  uint32_t n = 0;
  if (!elem_items(exprs, items, n)) return false;
  if (mode == Active) {
    encode_active_elem(table, offset, exprs, rt, items, n);
    return true;
  }
  uint8_t base = mode == Passive ? 1 : 3;
  elems_.push_back(exprs ? base + 4 : base);
  if (exprs)
    put_valtype(elems_, rt);
  else
    elems_.push_back(0x00);
  put_u32(elems_, n);
  put_bytes(elems_, items);
  ++elem_count_;
  return true;
}

bool ModuleParser::data_field() {
  opt_id();
  bool active = false;
  uint32_t mem = 0;
  Bytes offset;
  if (at_lparen("memory")) {
    next();
    next();
    if (!index(memory_space_, mem) || !expect_rparen()) return false;
    active = true;
    if (!offset_expr(offset)) return false;
  } else if (peek().kind == Token::LParen) {
    active = true;
    if (!offset_expr(offset)) return false;
  }
  std::string bytes;
  while (peek().kind == Token::String) bytes += next().str;
  if (!active) {
    datas_.push_back(1);
  } else if (mem == 0) {
    datas_.push_back(0);
    put_bytes(datas_, offset);
  } else {
    datas_.push_back(2);
    put_u32(datas_, mem);
    put_bytes(datas_, offset);
  }
  put_name(datas_, bytes);
  ++data_count_;
  return true;
}

}  // namespace wippy::text::wat_encoder
