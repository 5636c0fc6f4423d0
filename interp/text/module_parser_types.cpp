// module_parser_types.cpp — ModuleParser's types (value, heap, reference and
// function types, type uses, limits) and pass 1: binding every identifier
// and reading the type definitions. See module_parser_impl.h.
#include "interp/text/module_parser_impl.h"

#include "interp/quote.h"

namespace wippy::text::wat_encoder {

bool ModuleParser::valtype(ValType& out) {
  if (at_lparen("ref")) return ref_valtype(out);
  const Token& t = peek();
  std::string_view s = t.text;
  if (t.kind != Token::Atom) return unexpected(t);
  if (s == "i32") out = ValType::I32;
  else if (s == "i64") out = ValType::I64;
  else if (s == "f32") out = ValType::F32;
  else if (s == "f64") out = ValType::F64;
  else if (s == "v128") out = ValType::V128;
  else if (s == "funcref") out = ValType::FuncRef;
  else if (s == "externref") out = ValType::ExternRef;
  else if (auto h = abstract_heap_named(s, "ref")) out = make_ref(true, *h);
  else return unexpected(t);
  next();
  return true;
}

bool ModuleParser::heap_type(uint32_t& heap) {
  const Token& t = peek();
  if (t.kind == Token::Atom) {
    if (auto h = abstract_heap_named(t.text, "")) {
      heap = *h;
      next();
      return true;
    }
  }
  uint32_t idx = 0;
  if (!index(type_space_, idx)) return false;
  if (idx >= kMaxTypeIndexInRef) return fail(t, "type index too large");
  heap = kHeapTypeBase + idx;
  return true;
}

bool ModuleParser::ref_valtype(ValType& out) {
  next();  // (
  next();  // ref
  bool nullable = false;
  if (peek().is("null")) {
    nullable = true;
    next();
  }
  uint32_t heap = 0;
  if (!heap_type(heap)) return false;
  out = make_ref(nullable, heap);
  return expect_rparen();
}

bool ModuleParser::reftype(ValType& out) {
  const Token& t = peek();
  if (!valtype(out)) return false;
  if (!is_ref(out)) return unexpected(t);
  return true;
}

bool ModuleParser::is_reftype_token(const Token& t) {
  return t.kind == Token::Atom && abstract_heap_named(t.text, "ref").has_value();
}

bool ModuleParser::params_results(FuncType& ft, std::vector<std::string_view>* names, bool allow_names,
                    bool& any) {
  while (at_lparen("param")) {
    any = true;
    next();
    next();
    if (peek().is_id()) {
      const Token& id = next();
      if (!allow_names) return unexpected(id);
      ValType v;
      if (!valtype(v)) return false;
      ft.params.push_back(v);
      if (names) names->push_back(id.text);
    } else {
      while (!at_rparen()) {
        ValType v;
        if (!valtype(v)) return false;
        ft.params.push_back(v);
        if (names) names->push_back({});
      }
    }
    if (!expect_rparen()) return false;
  }
  while (at_lparen("result")) {
    any = true;
    next();
    next();
    while (!at_rparen()) {
      ValType v;
      if (!valtype(v)) return false;
      ft.results.push_back(v);
    }
    if (!expect_rparen()) return false;
  }
  if (at_lparen("param")) return unexpected(peek(1));
  return true;
}

uint32_t ModuleParser::intern_type(const FuncType& ft) {
  for (size_t i = 0; i < types_.size(); ++i)
    if (is_plain_func(uint32_t(i)) && types_[i] == ft) return uint32_t(i);
  types_.push_back(ft);
  subs_.push_back({});
  supers_.emplace_back();
  groups_.push_back({uint32_t(types_.size() - 1), 1});
  type_space_.count = uint32_t(types_.size());
  return uint32_t(types_.size() - 1);
}

bool ModuleParser::type_ref(std::optional<uint32_t>& out) {
  if (!at_lparen("type")) return true;
  next();
  next();
  uint32_t idx = 0;
  if (!index(type_space_, idx) || !expect_rparen()) return false;
  out = idx;
  return true;
}

bool ModuleParser::type_use(TypeUse& tu, bool allow_names) {
  std::optional<uint32_t> explicit_idx;
  const Token& at = peek();
  if (!type_ref(explicit_idx)) return false;
  FuncType ft;
  bool any = false;
  if (!params_results(ft, &tu.names, allow_names, any)) return false;
  if (explicit_idx) {
    tu.index = *explicit_idx;
    if (*explicit_idx < types_.size()) {
      const FuncType& def = types_[*explicit_idx];
      if (any && !(def == ft)) return fail(at, "inline function type does not match (type)");
      tu.type = def;
      if (!any) tu.names.assign(def.params.size(), {});
    } else {
      if (any) return fail(at, "unknown type");
      tu.type = ft;
    }
    return true;
  }
  tu.type = ft;
  tu.index = intern_type(ft);
  return true;
}

bool ModuleParser::limits(Limits& l, bool* shared) {
  l.is64 = address_type();
  if (!u64(l.min)) return false;  // sizes are u64 (validation checks the ranges)
  if (peek().kind == Token::Atom && peek().text[0] >= '0' && peek().text[0] <= '9') {
    if (!u64(l.max)) return false;
    l.has_max = true;
  }
  if (shared && peek().is("shared")) {
    next();
    if (!l.has_max) return fail(peek(), "shared memory must have maximum");
    *shared = true;
  }
  return true;
}

bool ModuleParser::address_type() {
  if (peek().is("i64")) {
    next();
    return true;
  }
  if (peek().is("i32")) next();
  return false;
}

void ModuleParser::put_limits(Bytes& out, const Limits& l, bool shared) {
  out.push_back(uint8_t((shared ? 3 : l.has_max ? 1 : 0) | (l.is64 ? 4 : 0)));
  put_u32(out, l.min);
  if (l.has_max) put_u32(out, l.max);
}

bool ModuleParser::global_type(Bytes& out) {
  ValType v;
  if (at_lparen("mut")) {
    next();
    next();
    if (!valtype(v) || !expect_rparen()) return false;
    put_valtype(out, v);
    out.push_back(1);
  } else {
    if (!valtype(v)) return false;
    put_valtype(out, v);
    out.push_back(0);
  }
  return true;
}

bool ModuleParser::note_import(const Token& at) {
  if (first_definition_) return fail(at, fmt::format("import after {}", first_definition_));
  return true;
}

bool ModuleParser::bind_type_names() {
  uint32_t count = 0;
  auto one = [&](size_t at) {  // at: a `(type` field's '('
    const Token& id = tok(at + 2);
    return bind(type_space_, id.is_id() ? &id : nullptr, count++);
  };
  for (size_t p = begin_; p < end_ && tok(p).kind == Token::LParen; p = m_[p] + 1) {
    if (tok(p + 1).is("type") && !one(p)) return false;
    if (tok(p + 1).is("rec"))
      for (size_t q = p + 2; q < m_[p] && tok(q).kind == Token::LParen && tok(q + 1).is("type"); q = m_[q] + 1)
        if (!one(q)) return false;
  }
  type_space_.count = count;
  return true;
}

bool ModuleParser::type_group(bool rec) {
  const uint32_t begin = uint32_t(types_.size());
  if (!rec) {
    if (!type_def()) return false;
  } else {
    while (at_lparen("type")) {
      next(), next();
      if (peek().is_id()) next();
      if (!type_def() || !expect_rparen()) return false;
    }
  }
  if (!expect_rparen()) return false;
  const uint32_t size = uint32_t(types_.size()) - begin;
  for (uint32_t i = begin; i < begin + size; ++i) subs_[i].rec_begin = begin, subs_[i].rec_size = size;
  groups_.push_back({begin, size});
  return true;
}

bool ModuleParser::type_def() {
  SubType st;
  std::vector<uint32_t> supers;
  std::unordered_map<std::string, uint32_t> names;  // struct field names
  bool sub = at_lparen("sub");
  if (sub) {
    next(), next();
    st.final = peek().is("final");
    if (st.final) next();
    while (peek().kind != Token::LParen && !at_rparen()) {
      uint32_t idx = 0;
      if (!index(type_space_, idx)) return false;
      supers.push_back(idx);
    }
    st.num_supers = uint32_t(supers.size());
    if (!supers.empty()) st.super = supers[0];
  }
  FuncType ft;
  if (!expect_lparen()) return false;
  const Token& kw = next();
  if (kw.is("func")) {
    bool any = false;
    if (!params_results(ft, nullptr, true, any)) return false;
  } else if (kw.is("struct")) {
    st.kind = CompKind::Struct;
    while (at_lparen("field")) {
      next(), next();
      if (peek().is_id()) {
        const Token& id = next();
        if (!names.emplace(std::string(id.text), uint32_t(st.fields.size())).second)
          return fail(id, fmt::format("duplicate field {}", quote_input(id.text)));
        if (!field_type(st.fields.emplace_back())) return false;
      } else {
        while (!at_rparen())
          if (!field_type(st.fields.emplace_back())) return false;
      }
      if (!expect_rparen()) return false;
    }
  } else if (kw.is("array")) {
    st.kind = CompKind::Array;
    if (!field_type(st.fields.emplace_back())) return false;
  } else {
    return unexpected(kw);
  }
  if (!expect_rparen() || (sub && !expect_rparen())) return false;
  types_.push_back(std::move(ft));
  subs_.push_back(std::move(st));
  supers_.push_back(std::move(supers));
  field_names_.resize(subs_.size());
  field_names_.back() = std::move(names);
  return true;
}

bool ModuleParser::field_type(FieldType& f) {
  f.mut = at_lparen("mut");
  if (f.mut) next(), next();
  if (peek().is("i8") || peek().is("i16")) {
    f.type = next().is("i8") ? kPackedI8 : kPackedI16;
  } else if (!valtype(f.type)) {
    return false;
  }
  return !f.mut || expect_rparen();
}

bool ModuleParser::is_plain_func(uint32_t i) const {
  const SubType& s = subs_[i];
  return s.kind == CompKind::Func && s.final && s.num_supers == 0 && s.rec_size == 1;
}

bool ModuleParser::scan_fields() {
  if (!bind_type_names()) return false;
  size_t p = begin_;
  while (p < end_) {
    const Token& open = tok(p);
    if (open.kind != Token::LParen) return unexpected(open);
    size_t close = m_[p];
    const Token& kw = tok(p + 1);
    size_t q = p + 2;
    const Token* id = tok(q).is_id() ? &tok(q++) : nullptr;
    if (kw.is("type")) {
      pos_ = q;
      if (!type_group(false)) return false;
    } else if (kw.is("rec")) {
      pos_ = p + 2;
      if (!type_group(true)) return false;      } else if (kw.is("import")) {
      if (!note_import(kw)) return false;
      if (tok(p + 2).kind != Token::String) return unexpected(tok(p + 2));
      if (tok(p + 3).kind != Token::String) return unexpected(tok(p + 3));
      if (tok(p + 4).kind != Token::LParen) return unexpected(tok(p + 4));
      const Token& dk = tok(p + 5);
      const Token* did = tok(p + 6).is_id() ? &tok(p + 6) : nullptr;
      Space* s = space_for(dk);
      if (!s) return unexpected(dk);
      if (!bind(*s, did, s->count++)) return false;
    } else if (kw.is("func") || kw.is("table") || kw.is("memory") || kw.is("global") || kw.is("tag")) {
      Space* s = space_for(kw);
      if (!bind(*s, id, s->count++)) return false;
      while (tok(q).kind == Token::LParen && tok(q + 1).is("export")) q = m_[q] + 1;
      if (tok(q).kind == Token::LParen && tok(q + 1).is("import")) {
        if (!note_import(tok(q + 1))) return false;
      } else {
        if ((kw.is("memory") || kw.is("table")) && (tok(q).is("i64") || tok(q).is("i32"))) ++q;
        if (!first_definition_) first_definition_ = kw.is("func") ? "function" : definition_name(kw);
        if (kw.is("table") && is_reftype_token(tok(q)) && tok(q + 1).kind == Token::LParen &&
            tok(q + 2).is("elem"))
          elem_space_.count++;
        if (kw.is("memory") && tok(q).kind == Token::LParen && tok(q + 1).is("data"))
          data_space_.count++;
      }
    } else if (kw.is("elem")) {
      if (!bind(elem_space_, id, elem_space_.count++)) return false;
    } else if (kw.is("data")) {
      if (!bind(data_space_, id, data_space_.count++)) return false;
    } else if (kw.is("export") || kw.is("start")) {
      // nothing to bind
    } else {
      return unexpected(kw);
    }
    p = close + 1;
  }
  explicit_types_ = types_.size();
  return true;
}

const char* ModuleParser::definition_name(const Token& kw) {
  if (kw.is("table")) return "table";
  if (kw.is("tag")) return "tag";
  if (kw.is("memory")) return "memory";
  return "global";
}

Space* ModuleParser::space_for(const Token& kw) {
  if (kw.is("func")) return &func_space_;
  if (kw.is("table")) return &table_space_;
  if (kw.is("memory")) return &memory_space_;
  if (kw.is("global")) return &global_space_;
  if (kw.is("tag")) return &tag_space_;
  return nullptr;
}

}  // namespace wippy::text::wat_encoder
