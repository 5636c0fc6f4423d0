// module_parser.cpp — parses WAT module fields and encodes the binary format.
// Two passes over the fields: the first binds every identifier of every
// module-level index space (type names first, as a recursion group's types
// refer to each other) and parses explicit type definitions (`type`, `rec`,
// `sub`, struct/array/func), so that inline type uses can match them (only
// plain final function types alone in their group); the second parses each field fully and
// appends its encoding to the section it belongs to. Imports must precede
// all definitions, so indices in textual order equal binary indices.
#include "interp/text/module_parser.h"

#include <fmt/format.h>

#include <optional>
#include <string_view>
#include <unordered_map>

#include "interp/opcodes.h"
#include "interp/text/annotations.h"
#include "interp/text/binary_writer.h"
#include "interp/text/numbers.h"
#include "interp/types.h"
#include "interp/quote.h"

namespace wippy::text {
namespace {

// One index space: identifiers bound to indices, and how many entries exist.
struct Space {
  const char* dup_name;      // "duplicate func $x"
  const char* unknown_name;  // "unknown function $x"
  std::unordered_map<std::string_view, uint32_t> names;
  uint32_t count = 0;
};

bool is_syntax_keyword(std::string_view s) {
  static constexpr std::string_view kWords[] = {
      "module", "type", "func", "param", "result", "import", "export", "table", "memory",
      "global", "elem", "data", "start", "local", "mut", "offset", "item", "declare",
      "then", "else", "end", "block", "loop", "if", "funcref", "externref", "extern", "tag", "do",
      "exnref", "exn", "rec", "sub", "final", "struct", "array", "field", "i8", "i16",
      "i32", "i64", "f32", "f64", "v128", "binary", "quote", "register", "invoke", "get",
      "i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2", "ref", "inf", "nan"};
  for (auto w : kWords)
    if (s == w) return true;
  return s.starts_with("offset=") || s.starts_with("align=") || s.starts_with("nan:");
}

class ModuleParser {
 public:
  ModuleParser(const TokenList& tl, size_t begin, size_t end)
      : t_(tl.tokens), m_(tl.match), pos_(begin), begin_(begin), end_(end), annots_(tl.annotations) {
    while (annot_begin_ < annots_.size() && annots_[annot_begin_].anchor < begin_) ++annot_begin_;
    annot_end_ = annot_begin_;
    while (annot_end_ < annots_.size() && annots_[annot_end_].anchor <= end_) ++annot_end_;
    annot_placed_.assign(annot_end_ - annot_begin_, false);
  }

  Result<Bytes> run() {
    if (!check_annotations() || !scan_fields()) return err_;
    pos_ = begin_;
    while (pos_ < end_) {
      if (!module_annotations() || !field()) return err_;
    }
    if (!module_annotations() || !unplaced_annotations()) return err_;
    return assemble();
  }

 private:
  // ---- token cursor ----------------------------------------------------
  const Token& peek(size_t k = 0) const { return t_[std::min(pos_ + k, end_)]; }
  const Token& next() {
    const Token& t = peek();
    if (pos_ < end_) ++pos_;
    return t;
  }
  bool at_rparen() const { return peek().kind == Token::RParen; }
  bool at_lparen(std::string_view kw) const {
    return peek().kind == Token::LParen && peek(1).is(kw);
  }
  bool fail(const Token& t, std::string_view msg) { return fail(error_at(t, msg)); }
  bool fail(Error e) {
    if (!failed_) err_ = std::move(e);
    failed_ = true;
    return false;
  }
  bool unexpected(const Token& t) {
    if (t.kind == Token::Reserved) return fail(t, fmt::format("unknown operator {}", quote_input(t.text)));
    if (t.kind == Token::Eof) return fail(t, "unexpected end of input");
    if (t.kind == Token::Atom && !t.is_id() && t.text[0] >= 'a' && t.text[0] <= 'z' &&
        !op_from_text(t.text) && !is_syntax_keyword(t.text)) {
      return fail(t, fmt::format("unknown operator {}", quote_input(t.text)));
    }
    if (t.kind == Token::Atom && !t.text.empty() && (t.text[0] >= '0' && t.text[0] <= '9')) {
      uint64_t v;
      if (parse_uint(t.text, UINT64_MAX, v) == NumStatus::Syntax)
        return fail(t, fmt::format("unknown operator {}", quote_input(t.text)));
    }
    return fail(t, fmt::format("unexpected token {}", quote_input(t.text)));
  }
  bool expect_lparen() {
    if (peek().kind != Token::LParen) return unexpected(peek());
    next();
    return true;
  }
  bool expect_rparen() {
    if (!at_rparen()) return unexpected(peek());
    next();
    return true;
  }
  bool expect_keyword(std::string_view kw) {
    if (!peek().is(kw)) return unexpected(peek());
    next();
    return true;
  }
  bool string(std::string& out) {
    if (peek().kind != Token::String) return unexpected(peek());
    out = next().str;
    return true;
  }
  bool name(std::string& out) {
    const Token& t = peek();
    if (!string(out)) return false;
    if (!valid_utf8(out)) return fail(t, "malformed UTF-8 encoding");
    return true;
  }
  static bool is_index_token(const Token& t) {
    return t.kind == Token::Atom && (t.is_id() || (t.text[0] >= '0' && t.text[0] <= '9'));
  }

  // ---- numbers -----------------------------------------------------------
  bool u32(uint32_t& out) {
    const Token& t = peek();
    if (t.kind != Token::Atom) return unexpected(t);
    uint64_t v = 0;
    NumStatus st = parse_uint(t.text, UINT32_MAX, v);
    if (st == NumStatus::Syntax) return unexpected(t);
    if (st == NumStatus::Range) return fail(t, "i32 constant out of range");
    next();
    out = uint32_t(v);
    return true;
  }

  bool u64(uint64_t& out) {
    const Token& t = peek();
    if (t.kind != Token::Atom) return unexpected(t);
    NumStatus st = parse_uint(t.text, UINT64_MAX, out);
    if (st == NumStatus::Syntax) return unexpected(t);
    if (st == NumStatus::Range) return fail(t, "i64 constant out of range");
    next();
    return true;
  }

  // ---- identifiers -------------------------------------------------------
  bool bind(Space& s, const Token* id, uint32_t index) {
    if (!id) return true;
    auto [it, inserted] = s.names.emplace(id->text, index);
    if (!inserted) return fail(*id, fmt::format("duplicate {} {}", s.dup_name, id->text));
    return true;
  }
  const Token* opt_id() {
    if (peek().is_id()) return &next();
    return nullptr;
  }
  bool index(Space& s, uint32_t& out) {
    const Token& t = peek();
    if (t.is_id()) {
      auto it = s.names.find(t.text);
      if (it == s.names.end()) return fail(t, fmt::format("unknown {} {}", s.unknown_name, quote_input(t.text)));
      next();
      out = it->second;
      return true;
    }
    return u32(out);
  }

  // ---- types -------------------------------------------------------------
  bool valtype(ValType& out) {
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
  // an abstract heap type (func, any, none, ...) or a type index ($name or number)
  bool heap_type(uint32_t& heap) {
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
  // (ref null? heaptype)
  bool ref_valtype(ValType& out) {
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
  bool reftype(ValType& out) {
    const Token& t = peek();
    if (!valtype(out)) return false;
    if (!is_ref(out)) return unexpected(t);
    return true;
  }
  static bool is_reftype_token(const Token& t) {
    return t.kind == Token::Atom && abstract_heap_named(t.text, "ref").has_value();
  }
  bool at_reftype() { return is_reftype_token(peek()) || at_lparen("ref"); }

  // (param $x? t*)* (result t*)* — appends to ft; names (one per param) if wanted.
  bool params_results(FuncType& ft, std::vector<std::string_view>* names, bool allow_names,
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

  uint32_t intern_type(const FuncType& ft) {
    for (size_t i = 0; i < types_.size(); ++i)
      if (is_plain_func(uint32_t(i)) && types_[i] == ft) return uint32_t(i);
    types_.push_back(ft);
    subs_.push_back({});
    supers_.emplace_back();
    groups_.push_back({uint32_t(types_.size() - 1), 1});
    type_space_.count = uint32_t(types_.size());
    return uint32_t(types_.size() - 1);
  }

  struct TypeUse {
    uint32_t index = 0;
    FuncType type;                         // the resolved type (params give locals)
    std::vector<std::string_view> names;   // param names, empty view when unnamed
  };

  // typeuse ::= (type x)? (param ...)* (result ...)*
  bool type_use(TypeUse& tu, bool allow_names) {
    std::optional<uint32_t> explicit_idx;
    const Token& at = peek();
    if (at_lparen("type")) {
      next();
      next();
      uint32_t idx = 0;
      if (!index(type_space_, idx) || !expect_rparen()) return false;
      explicit_idx = idx;
    }
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

  // `min max?`, and for memories (shared != nullptr) an optional `shared`.
  // An `i64` address type first (memory64, table64) reads u64 sizes.
  bool limits(Limits& l, bool* shared = nullptr) {
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
  // An optional `i32` / `i64` address type; true for i64.
  bool address_type() {
    if (peek().is("i64")) {
      next();
      return true;
    }
    if (peek().is("i32")) next();
    return false;
  }
  static void put_limits(Bytes& out, const Limits& l, bool shared = false) {
    out.push_back(uint8_t((shared ? 3 : l.has_max ? 1 : 0) | (l.is64 ? 4 : 0)));
    put_u32(out, l.min);
    if (l.has_max) put_u32(out, l.max);
  }
  bool global_type(Bytes& out) {
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

  // ---- pass 1: bind identifiers -----------------------------------------
  bool note_import(const Token& at) {
    if (first_definition_) return fail(at, fmt::format("import after {}", first_definition_));
    return true;
  }
  // Token i of the fields, clamped to end_ (the module's ')' or the Eof of
  // an unclosed one) so that looking ahead never leaves the list.
  const Token& tok(size_t i) const { return t_[std::min(i, end_)]; }
  // Binds every type name first: types of a recursion group refer to each
  // other (and a reference past the group is the validator's "unknown type").
  bool bind_type_names() {
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
  // One `(type ...)` field (pos_ after its id) or a `(rec (type $id? ...)*)`
  // (pos_ after `rec`), through its ')'.
  bool type_group(bool rec) {
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
  // (sub final? typeidx* comptype) | comptype
  bool type_def() {
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
  // storagetype | (mut storagetype); storagetype: a value type, i8 or i16
  bool field_type(FieldType& f) {
    f.mut = at_lparen("mut");
    if (f.mut) next(), next();
    if (peek().is("i8") || peek().is("i16")) {
      f.type = next().is("i8") ? kPackedI8 : kPackedI16;
    } else if (!valtype(f.type)) {
      return false;
    }
    return !f.mut || expect_rparen();
  }
  bool is_plain_func(uint32_t i) const {
    const SubType& s = subs_[i];
    return s.kind == CompKind::Func && s.final && s.num_supers == 0 && s.rec_size == 1;
  }

  bool scan_fields() {
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
  static const char* definition_name(const Token& kw) {
    if (kw.is("table")) return "table";
    if (kw.is("tag")) return "tag";
    if (kw.is("memory")) return "memory";
    return "global";
  }
  Space* space_for(const Token& kw) {
    if (kw.is("func")) return &func_space_;
    if (kw.is("table")) return &table_space_;
    if (kw.is("memory")) return &memory_space_;
    if (kw.is("global")) return &global_space_;
    if (kw.is("tag")) return &tag_space_;
    return nullptr;
  }

  // ---- pass 2: fields ----------------------------------------------------
  bool field() {
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

  // (export "n")* — records exports of entity `index` of `kind`.
  bool inline_exports(ExternKind kind, uint32_t index) {
    while (at_lparen("export")) {
      next();
      next();
      std::string n;
      if (!name(n) || !expect_rparen()) return false;
      add_export(n, kind, index);
    }
    return true;
  }
  void add_export(const std::string& n, ExternKind kind, uint32_t index) {
    put_name(exports_, n);
    exports_.push_back(uint8_t(kind));
    put_u32(exports_, index);
    ++export_count_;
  }
  // (import "m" "n") abbreviation, if present: writes the import header.
  bool inline_import(bool& present) {
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

  bool import_field() {
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

  bool func_field() {
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

  bool table_field() {
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

  bool memory_field() {
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

  bool global_field() {
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

  // (tag $id? (export "n")* (import "m" "n")? typeuse)
  bool tag_field() {
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

  bool export_field() {
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

  bool start_field(const Token& kw) {
    if (start_) return fail(kw, "multiple start sections");
    uint32_t idx = 0;
    if (!index(func_space_, idx)) return false;
    start_ = idx;
    return true;
  }

  // An expression up to the closing paren, plus `end`.
  bool const_expr(Bytes& out) {
    labels_.clear();
    if (!instrs(out)) return false;
    out.push_back(0x0B);
    return true;
  }
  // (offset instr*) or one folded instruction.
  bool offset_expr(Bytes& out) {
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

  // Element items: exprs ((item instr*) or one folded instr each) or indices.
  // `index_exprs`: with exprs, a bare function index is (ref.func index)
  // (a typed table's inline elem list).
  bool elem_items(bool exprs, Bytes& out, uint32_t& n, bool index_exprs = false) {
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

  void encode_active_elem(uint32_t table, const Bytes& offset, bool exprs, ValType rt,
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

  bool elem_field() {
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

  bool data_field() {
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

  // ---- instructions ------------------------------------------------------
  // A sequence of instructions, up to ')', `end`, `else` or the end.
  bool instrs(Bytes& out) {
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

  std::string_view opt_label() {
    if (peek().is_id()) return next().text;
    return {};
  }
  bool end_label(std::string_view label) {
    if (peek().is_id()) {
      const Token& t = next();
      if (t.text != label) return fail(t, fmt::format("mismatching label {}", quote_input(t.text)));
    }
    return true;
  }

  bool block_type(Bytes& out) {
    std::optional<uint32_t> explicit_idx;
    const Token& at = peek();
    if (at_lparen("type")) {
      next();
      next();
      uint32_t idx = 0;
      if (!index(type_space_, idx) || !expect_rparen()) return false;
      explicit_idx = idx;
    }
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

  // Folded forms and flat blocks parse recursively; deeper nesting than
  // kMaxNesting is refused ("nesting too deep") so that hostile text cannot
  // exhaust the native stack. Binary modules have no such limit.
  static constexpr uint32_t kMaxNesting = 5000;
  struct Nest {
    uint32_t& n;
    explicit Nest(uint32_t& depth) : n(++depth) {}
    ~Nest() { --n; }
    bool too_deep() const { return n > kMaxNesting; }
  };

  // `end $label?` closing a flat block whose label is on labels_.
  bool flat_end(Bytes& out, std::string_view label) {
    if (!peek().is("end")) return unexpected(peek());
    next();
    if (!end_label(label)) return false;
    labels_.pop_back();
    out.push_back(0x0B);
    return true;
  }

  // block/loop/if in flat form; the keyword is at peek().
  bool flat_block(Bytes& out) {
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

  // try_table's `(catch $t l)`, `(catch_ref $t l)`, `(catch_all l)`,
  // `(catch_all_ref l)` clauses, as a vec(catch). Labels count from outside.
  bool catch_clauses(Bytes& out) {
    Bytes body;
    uint32_t n = 0;
    while (at_lparen("catch") || at_lparen("catch_ref") || at_lparen("catch_all") || at_lparen("catch_all_ref")) {
      next();
      const Token& k = next();
      uint8_t kind = k.is("catch") ? 0 : k.is("catch_ref") ? 1 : k.is("catch_all") ? 2 : 3;
      body.push_back(kind);
      uint32_t idx = 0;
      if (kind < 2) {
        if (!index(tag_space_, idx)) return false;
        put_u32(body, idx);
      }
      if (!label_index(idx) || !expect_rparen()) return false;
      put_u32(body, idx);
      ++n;
    }
    put_u32(out, n);
    put_bytes(out, body);
    return true;
  }

  // Legacy catch arms after a try body: `catch $t instrs`, `catch_all
  // instrs` (flat) or `(catch $t instrs)`, `(catch_all instrs)` (folded);
  // then `end`/`)` or one `delegate l`. Returns with the closing token next.
  bool legacy_arms(Bytes& out, bool folded_form, std::string_view label) {
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
        uint32_t idx = 0;
        if (!index(tag_space_, idx)) return false;
        put_u32(out, idx);
      }
      if (!folded_form) ++in_try_;
      bool ok = instrs(out);
      if (!folded_form) --in_try_;
      if (!ok || (folded_form && !expect_rparen())) return false;
    }
    return true;
  }

  // try_table and legacy try in flat form; the keyword is at peek().
  bool flat_try(Bytes& out) {
    Nest nest(nesting_);
    if (nest.too_deep()) return fail(peek(), "nesting too deep");
    const Token& kw = next();
    bool table = kw.is("try_table");
    std::string_view label = opt_label();
    out.push_back(table ? 0x1F : 0x06);
    if (!block_type(out)) return false;
    if (table && !catch_clauses(out)) return false;
    labels_.push_back(label);
    if (!table) ++in_try_;
    bool ok = instrs(out);
    if (!table) --in_try_;
    if (!ok) return false;
    if (!table) {
      if (peek().is("delegate")) {
        next();
        labels_.pop_back();
        uint32_t idx = 0;
        if (!label_index(idx)) return false;
        out.push_back(0x18);
        put_u32(out, idx);
        return true;
      }
      if (!legacy_arms(out, false, label)) return false;
    }
    return flat_end(out, label);
  }

  // (try_table $l? bt catch* instrs) and (try $l? bt (do instrs) arms)
  // (or (delegate l) instead of the arms); the '(' is consumed.
  bool folded_try(Bytes& out) {
    const Token& kw = next();
    bool table = kw.is("try_table");
    std::string_view label = opt_label();
    out.push_back(table ? 0x1F : 0x06);
    if (!block_type(out)) return false;
    if (table && !catch_clauses(out)) return false;
    labels_.push_back(label);
    if (table) {
      if (!instrs(out)) return false;
    } else {
      if (!expect_lparen() || !expect_keyword("do") || !instrs(out) || !expect_rparen()) return false;
      if (at_lparen("delegate")) {
        next();
        next();
        labels_.pop_back();
        uint32_t idx = 0;
        if (!label_index(idx) || !expect_rparen()) return false;
        out.push_back(0x18);
        put_u32(out, idx);
        return expect_rparen();
      }
      if (!legacy_arms(out, true, label)) return false;
    }
    labels_.pop_back();
    out.push_back(0x0B);
    return expect_rparen();
  }

  bool folded(Bytes& out) {
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

  bool plain(Bytes& out) {
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

  bool label_index(uint32_t& out) {
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

  bool opt_index(Space& s, uint32_t& out, bool& present) {
    present = is_index_token(peek());
    if (!present) return true;
    return index(s, out);
  }

  bool memarg(const OpInfo& info, Bytes& out) {
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

  // A token that can only be a literal of a lane list (not an id, an
  // instruction or a block keyword).
  // A reserved token (such as `.0`) counts as a lane, so it is reported as
  // an unknown operator rather than as a short lane list.
  static bool is_lane_literal(const Token& t) {
    if (t.kind == Token::Reserved) return true;
    return t.kind == Token::Atom && !t.is_id() && !op_from_text(t.text) && !t.is("block") &&
           !t.is("loop") && !t.is("if") && !t.is("end") && !t.is("else");
  }

  // A lane index: a nat below 256. In shuffles any number-like token that is
  // not one is a malformed lane; elsewhere only too-large nats are.
  bool lane_index(Bytes& out, bool shuffle = false) {
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

  bool number_error(const Token& t, NumStatus st, std::string_view type) {
    if (st == NumStatus::Range) return fail(t, fmt::format("{} constant out of range", type));
    if (t.kind == Token::Atom && !t.is_id() && !op_from_text(t.text) &&
        t.text != "nan:canonical" && t.text != "nan:arithmetic")
      return fail(t, fmt::format("unknown operator {} (malformed {} constant)", quote_input(t.text), type));
    return unexpected(t);
  }

  bool immediates(Op op, const OpInfo& info, const Token& kw, Bytes& out) {
    uint32_t idx = 0;
    bool present = false;
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
        if (!index(func_space_, idx)) return false;
        put_u32(out, idx);
        return true;
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
        if (!index(global_space_, idx)) return false;
        put_u32(out, idx);
        return true;
      case ImmKind::Table:
        if (!opt_index(table_space_, idx, present)) return false;
        put_u32(out, idx);
        return true;
      case ImmKind::Memory:
        if (!opt_index(memory_space_, idx, present)) return false;
        put_u32(out, idx);
        return true;
      case ImmKind::MemArg:
        return memarg(info, out);
      case ImmKind::I32: {
        const Token& t = peek();
        uint64_t v = 0;
        NumStatus st = t.kind == Token::Atom ? parse_int(t.text, 32, v) : NumStatus::Syntax;
        if (st != NumStatus::Ok) return number_error(t, st, "i32");
        next();
        put_s64(out, int64_t(int32_t(uint32_t(v))));
        return true;
      }
      case ImmKind::I64: {
        const Token& t = peek();
        uint64_t v = 0;
        NumStatus st = t.kind == Token::Atom ? parse_int(t.text, 64, v) : NumStatus::Syntax;
        if (st != NumStatus::Ok) return number_error(t, st, "i64");
        next();
        put_s64(out, int64_t(v));
        return true;
      }
      case ImmKind::F32: {
        const Token& t = peek();
        uint32_t v = 0;
        NumStatus st = t.kind == Token::Atom ? parse_f32(t.text, v) : NumStatus::Syntax;
        if (st != NumStatus::Ok) return number_error(t, st, "f32");
        next();
        put_fixed(out, v, 4);
        return true;
      }
      case ImmKind::F64: {
        const Token& t = peek();
        uint64_t v = 0;
        NumStatus st = t.kind == Token::Atom ? parse_f64(t.text, v) : NumStatus::Syntax;
        if (st != NumStatus::Ok) return number_error(t, st, "f64");
        next();
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
        if (!index(tag_space_, idx)) return false;
        put_u32(out, idx);
        return true;
      case ImmKind::TryTable:
        return block_type(out);  // not reached: try_table is handled by flat_try
      case ImmKind::TypeIdx:
        if (!index(type_space_, idx)) return false;
        put_u32(out, idx);
        return true;
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
      case ImmKind::MemoryInit: {
        uint32_t a = 0, b = 0;
        bool two = is_index_token(peek()) && is_index_token(peek(1));
        if (two) {
          if (!index(memory_space_, a) || !index(data_space_, b)) return false;
        } else if (!index(data_space_, b)) {
          return false;
        }
        put_u32(out, b);
        put_u32(out, a);
        uses_data_ops_ = true;
        return true;
      }
      case ImmKind::Data:
        if (!index(data_space_, idx)) return false;
        put_u32(out, idx);
        uses_data_ops_ = true;
        return true;
      case ImmKind::MemoryCopy: {
        uint32_t a = 0, b = 0;
        if (is_index_token(peek())) {
          if (!index(memory_space_, a) || !index(memory_space_, b)) return false;
        }
        put_u32(out, a);
        put_u32(out, b);
        return true;
      }
      case ImmKind::TableInit: {
        uint32_t a = 0, b = 0;
        bool two = is_index_token(peek()) && is_index_token(peek(1));
        if (two) {
          if (!index(table_space_, a) || !index(elem_space_, b)) return false;
        } else if (!index(elem_space_, b)) {
          return false;
        }
        put_u32(out, b);
        put_u32(out, a);
        return true;
      }
      case ImmKind::Elem:
        if (!index(elem_space_, idx)) return false;
        put_u32(out, idx);
        return true;
      case ImmKind::TableCopy: {
        uint32_t a = 0, b = 0;
        if (is_index_token(peek())) {
          if (!index(table_space_, a) || !index(table_space_, b)) return false;
        }
        put_u32(out, a);
        put_u32(out, b);
        return true;
      }
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

  // ---- annotations (annotations.h) ------------------------------------------
  // Each kept annotation anchored in this module is placed by the field or
  // instruction it stands before (@custom between fields, @name right after
  // a module's, function's or tag's id, a branch hint before an
  // instruction); unplaced_annotations() rejects the rest.

  // Reads every annotation's items, and rejects two branch hints before one
  // instruction, before anything is placed.
  bool check_annotations() {
    for (size_t i = annot_begin_; i < annot_end_; ++i) {
      const Annotation& a = annots_[i];
      if (a.id == "custom") {
        if (auto r = parse_custom_annotation(a); !r) return fail(r.error());
      } else if (a.id == "name") {
        if (auto r = parse_name_annotation(a); !r) return fail(r.error());
      } else {
        if (auto r = parse_branch_hint_annotation(a); !r) return fail(r.error());
        for (size_t j = annot_begin_; j < i; ++j)
          if (annots_[j].anchor == a.anchor && annots_[j].id == a.id)
            return fail(annotation_error(a, "@metadata.code.branch_hint annotation: duplicate annotation"));
      }
    }
    return true;
  }

  // The unplaced annotations `id` anchored at token `anchor`, now placed.
  std::vector<const Annotation*> take_annotations(size_t anchor, std::string_view id) {
    std::vector<const Annotation*> out;
    for (size_t i = annot_begin_; i < annot_end_ && annots_[i].anchor <= anchor; ++i) {
      if (annots_[i].anchor != anchor || annots_[i].id != id || annot_placed_[i - annot_begin_]) continue;
      annot_placed_[i - annot_begin_] = true;
      out.push_back(&annots_[i]);
    }
    return out;
  }

  // At a field boundary (or the module's end): custom sections, and before
  // the first field the module's name.
  bool module_annotations() {
    if (annot_begin_ == annot_end_) return true;
    for (const Annotation* a : take_annotations(pos_, "custom")) customs_.push_back(*parse_custom_annotation(*a));
    if (pos_ != begin_) return true;
    for (const Annotation* a : take_annotations(pos_, "name")) {
      if (names_.module) return fail(annotation_error(*a, "@name annotation: multiple module names"));
      names_.module = *parse_name_annotation(*a);
    }
    return true;
  }

  // @name annotations at pos_ naming entity `index` of a function or tag.
  bool name_annotations(std::map<uint32_t, std::string>& names, uint32_t index, std::string_view what) {
    if (annot_begin_ == annot_end_) return true;
    for (const Annotation* a : take_annotations(pos_, "name")) {
      if (!names.emplace(index, *parse_name_annotation(*a)).second)
        return fail(annotation_error(*a, fmt::format("@name annotation: multiple {} names", what)));
    }
    return true;
  }

  // The branch hint before the instruction at pos_, when that instruction
  // is encoded straight into the function body (`out`).
  std::optional<uint8_t> take_branch_hint(const Bytes& out) {
    if (annot_begin_ == annot_end_ || &out != body_) return std::nullopt;
    auto hints = take_annotations(pos_, "metadata.code.branch_hint");
    if (hints.empty()) return std::nullopt;
    return *parse_branch_hint_annotation(*hints.front());
  }
  // Records `hint` for the instruction whose opcode comes next in `out`.
  void note_branch_hint(const Bytes& out, std::optional<uint8_t> hint) {
    if (hint) hints_[body_func_].emplace_back(uint32_t(out.size()), *hint);
  }

  bool unplaced_annotations() {
    for (size_t i = annot_begin_; i < annot_end_; ++i) {
      if (annot_placed_[i - annot_begin_]) continue;
      const Annotation& a = annots_[i];
      if (a.id == "custom") return fail(annotation_error(a, "misplaced @custom annotation"));
      if (a.id == "name") return fail(annotation_error(a, "misplaced @name annotation"));
      bool in_func = false;
      for (auto [open, close] : func_fields_) in_func |= a.anchor > open && a.anchor <= close;
      return fail(annotation_error(a, in_func ? "@metadata.code.branch_hint annotation: invalid placement"
                                              : "@metadata.code.branch_hint annotation: not in a function"));
    }
    return true;
  }

  // ---- assembly ------------------------------------------------------------
  void put_sub_type(Bytes& out, uint32_t i) {
    const SubType& st = subs_[i];
    if (!(st.final && st.num_supers == 0)) {  // else the bare comptype (sub final ε)
      out.push_back(st.final ? 0x4F : 0x50);
      put_u32(out, supers_[i].size());
      for (uint32_t s : supers_[i]) put_u32(out, s);
    }
    if (st.kind == CompKind::Func) {
      const FuncType& ft = types_[i];
      out.push_back(0x60);
      put_u32(out, ft.params.size());
      for (ValType v : ft.params) put_valtype(out, v);
      put_u32(out, ft.results.size());
      for (ValType v : ft.results) put_valtype(out, v);
      return;
    }
    out.push_back(st.kind == CompKind::Struct ? 0x5F : 0x5E);
    if (st.kind == CompKind::Struct) put_u32(out, st.fields.size());
    for (const FieldType& f : st.fields) {
      if (f.type == kPackedI8 || f.type == kPackedI16) out.push_back(uint8_t(f.type));
      else put_valtype(out, f.type);
      out.push_back(f.mut ? 1 : 0);
    }
  }

  Result<Bytes> assemble() {
    Bytes out{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
    if (!hints_.empty()) {
      customs_.push_back({"metadata.code.branch_hint", {false, SectionSlot::Code}, {}});
      Bytes payload = encode_branch_hint_section(std::move(hints_));
      customs_.back().content.assign(payload.begin(), payload.end());
    }
    if (!names_.empty()) {
      Bytes payload = encode_name_section(names_);
      customs_.push_back({"name", {}, std::string(payload.begin(), payload.end())});
    }
    for (SectionSlot slot : kSectionSlots) {
      put_customs(out, {false, slot});
      put_known_section(out, slot);
      put_customs(out, {true, slot});
    }
    return out;
  }
  void put_customs(Bytes& out, CustomPlace place) {
    for (const CustomAnnotation& c : customs_)
      if (c.place == place) put_custom_section(out, c.name, c.content);
  }
  void put_known_section(Bytes& out, SectionSlot slot) {
    switch (slot) {
      case SectionSlot::Type: {
        Bytes types;
        for (auto [begin, size] : groups_) {
          if (size != 1 || !is_plain_func(begin)) {
            types.push_back(0x4E);
            put_u32(types, size);
          }
          for (uint32_t i = begin; i < begin + size; ++i) put_sub_type(types, i);
        }
        return put_section(out, 1, uint32_t(groups_.size()), types);
      }
      case SectionSlot::Import: return put_section(out, 2, import_count_, imports_);
      case SectionSlot::Func: return put_section(out, 3, func_count_, funcs_);
      case SectionSlot::Table: return put_section(out, 4, table_count_, tables_);
      case SectionSlot::Memory: return put_section(out, 5, memory_count_, memories_);
      case SectionSlot::Tag: return put_section(out, 13, tag_count_, tags_);
      case SectionSlot::Global: return put_section(out, 6, global_count_, globals_);
      case SectionSlot::Export: return put_section(out, 7, export_count_, exports_);
      case SectionSlot::Start:
        if (start_) {
          Bytes body;
          put_u32(body, *start_);
          out.push_back(8);
          put_u32(out, body.size());
          put_bytes(out, body);
        }
        return;
      case SectionSlot::Elem: return put_section(out, 9, elem_count_, elems_);
      case SectionSlot::DataCount:
        if (uses_data_ops_) {
          Bytes body;
          put_u32(body, data_count_);
          out.push_back(12);
          put_u32(out, body.size());
          put_bytes(out, body);
        }
        return;
      case SectionSlot::Code: return put_section(out, 10, func_count_, code_);
      case SectionSlot::Data: return put_section(out, 11, data_count_, datas_);
    }
  }

  const std::vector<Token>& t_;
  const std::vector<uint32_t>& m_;
  size_t pos_, begin_, end_;
  Error err_;
  bool failed_ = false;

  std::vector<FuncType> types_;                  // per type index (empty for struct/array)
  std::vector<SubType> subs_;                    // per type index
  std::vector<std::vector<uint32_t>> supers_;    // per type index, as written
  std::vector<std::unordered_map<std::string, uint32_t>> field_names_;  // per type index: struct field ids
  std::vector<std::pair<uint32_t, uint32_t>> groups_;  // type section entries: first index, size
  size_t explicit_types_ = 0;
  Space type_space_{"type", "type", {}, 0};
  Space func_space_{"func", "function", {}, 0};
  Space table_space_{"table", "table", {}, 0};
  Space memory_space_{"memory", "memory", {}, 0};
  Space global_space_{"global", "global", {}, 0};
  Space tag_space_{"tag", "tag", {}, 0};
  Space elem_space_{"elem", "elem segment", {}, 0};
  Space data_space_{"data", "data segment", {}, 0};
  const char* first_definition_ = nullptr;

  // running indices in pass 2
  uint32_t func_index_ = 0, table_index_ = 0, memory_index_ = 0, global_index_ = 0, tag_index_ = 0;
  // function-body state
  Space* locals_ = nullptr;
  std::vector<std::string_view> labels_;
  uint32_t nesting_ = 0;  // open folded forms and flat blocks (see Nest)
  uint32_t in_try_ = 0;   // open flat legacy `try` bodies (catch/delegate end their instrs)
  bool uses_data_ops_ = false;

  // section bodies and entry counts
  Bytes imports_, funcs_, tables_, memories_, globals_, exports_, elems_, code_, datas_, tags_;
  uint32_t import_count_ = 0, func_count_ = 0, table_count_ = 0, memory_count_ = 0,
           global_count_ = 0, export_count_ = 0, elem_count_ = 0, data_count_ = 0, tag_count_ = 0;
  std::optional<uint32_t> start_;

  // annotations anchored in [begin_, end_]: annots_[annot_begin_, annot_end_)
  const std::vector<Annotation>& annots_;
  size_t annot_begin_ = 0, annot_end_ = 0;
  std::vector<bool> annot_placed_;
  std::vector<std::pair<size_t, size_t>> func_fields_;  // token ranges of `(func ...)` fields
  std::vector<CustomAnnotation> customs_;
  NameAnnotations names_;
  BranchHints hints_;
  Bytes* body_ = nullptr;  // the function body being encoded (offsets count from its start)
  uint32_t body_func_ = 0;  // and its function index
};

}  // namespace

Result<std::vector<uint8_t>> encode_module_fields(const TokenList& tl, size_t begin, size_t end) {
  return ModuleParser(tl, begin, end).run();
}

Result<ModuleForm> parse_module_form(const TokenList& tl, size_t lparen) {
  const auto& t = tl.tokens;
  ModuleForm form;
  size_t close = tl.match[lparen];
  size_t p = lparen + 1;
  if (!t[p].is("module")) return error_at(t[p], fmt::format("unexpected token {}", quote_input(t[p].text)));
  ++p;
  if (t[p].is("definition")) {
    form.definition = true;
    ++p;
  }
  if (t[p].is_id()) form.id = std::string(t[p++].text);
  form.next = std::min(close + 1, t.size() - 1);  // unclosed: the Eof
  if (t[p].is("binary") || t[p].is("quote")) {
    bool binary = t[p].is("binary");
    form.kind = binary ? ModuleForm::Binary : ModuleForm::Quote;
    for (++p; p < close; ++p) {
      if (t[p].kind != Token::String)
        return error_at(t[p], fmt::format("unexpected token {}", quote_input(t[p].text)));
      if (binary) form.binary.insert(form.binary.end(), t[p].str.begin(), t[p].str.end());
      else form.quote += t[p].str;
    }
    return form;
  }
  auto bytes = encode_module_fields(tl, p, close);
  if (bytes) form.binary = std::move(*bytes);
  else form.text_error = bytes.error();
  return form;
}

}  // namespace wippy::text
