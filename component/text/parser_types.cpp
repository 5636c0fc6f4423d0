// parser_types.cpp — the Parser's type grammar: value types (primitives,
// indices, inline definitions), defined types, function types, component
// and instance types with their declarators, type uses, extern types, and
// the `type` / `import` / `export` fields that are shared by components and
// type scopes.
#include <fmt/format.h>

#include <memory>

#include "component/text/parser.h"
#include "component/validate.h"

namespace wippy::component::text {

using wippy::put_bytes;
using wippy::put_name;
using wippy::put_u32;

namespace {

int prim_byte(const Token& t) {
  if (t.kind != Token::Atom) return -1;
  static constexpr std::pair<std::string_view, uint8_t> kPrims[] = {
      {"bool", 0x7f}, {"s8", 0x7e},  {"u8", 0x7d},  {"s16", 0x7c},  {"u16", 0x7b},
      {"s32", 0x7a},  {"u32", 0x79}, {"s64", 0x78}, {"u64", 0x77},  {"f32", 0x76},
      {"float32", 0x76}, {"f64", 0x75}, {"float64", 0x75}, {"char", 0x74}, {"string", 0x73},
      {"error-context", 0x64}};
  for (auto [n, b] : kPrims)
    if (t.text == n) return b;
  return -1;
}

}  // namespace

// A type index in a valtype is a signed LEB128 (as wasm-encoder writes
// it): the one-byte forms 0x40..0x7f are primitive types, so indices 64 to
// 127 take two bytes.
static void put_valtype_index(Bytes& out, uint32_t idx) { wippy::put_s64(out, int64_t(idx)); }

bool Parser::valtype(Bytes& out) {
  const Token& t = peek();
  if (int b = prim_byte(t); b >= 0) {
    next();
    out.push_back(uint8_t(b));
    return true;
  }
  if (is_index_token(t)) {
    uint32_t idx = 0;
    if (!index(Sort::Type, idx)) return false;
    put_valtype_index(out, idx);
    return true;
  }
  if (t.kind != Token::LParen) return unexpected(t);
  // An inline type: the validator's limit bounds this recursion too.
  if (type_depth_ + 1 > component::kMaxTypeDepth) return fail(t, "type nesting is too deep");
  ++type_depth_;
  Bytes def;
  uint32_t idx = 0;
  bool ok = deftype(def) && emit_type(def, nullptr, &idx);
  --type_depth_;
  if (!ok) return false;
  put_valtype_index(out, idx);
  return true;
}

bool Parser::opt_valtype_here(Bytes& out, std::string_view next_form) {
  if (at_rparen() || (!next_form.empty() && at_lparen(next_form))) {
    out.push_back(0x00);
    return true;
  }
  out.push_back(0x01);
  return valtype(out);
}

bool Parser::functype_parts(Bytes& out) {
  Bytes params;
  uint32_t np = 0;
  while (at_lparen("param")) {
    next();
    next();
    std::string n;
    if (!name(n)) return false;
    put_name(params, n);
    if (!valtype(params) || !expect_rparen()) return false;
    ++np;
  }
  Bytes results;
  uint32_t nr = 0;
  bool named = false;
  while (at_lparen("result")) {
    next();
    next();
    if (peek().kind == Token::String) {
      std::string n;
      if (!name(n)) return false;
      put_name(results, n);
      named = true;
    }
    if (!valtype(results) || !expect_rparen()) return false;
    ++nr;
  }
  out.push_back(0x40);
  put_u32(out, np);
  put_bytes(out, params);
  if (nr == 1 && !named) {
    out.push_back(0x00);
    put_bytes(out, results);
  } else {
    out.push_back(0x01);
    put_u32(out, nr);
    put_bytes(out, results);
  }
  return true;
}

// A type constructor `(kw ...)` (consumed whole) or a primitive keyword.
bool Parser::deftype(Bytes& out) {
  if (int b = prim_byte(peek()); b >= 0) {
    next();
    out.push_back(uint8_t(b));
    return true;
  }
  if (!expect_lparen()) return false;
  const Token& kw = next();
  auto names = [&](uint8_t code) {
    Bytes body;
    uint32_t n = 0;
    while (!at_rparen()) {
      std::string s;
      if (!name(s)) return false;
      put_name(body, s);
      ++n;
    }
    out.push_back(code);
    put_u32(out, n);
    put_bytes(out, body);
    return true;
  };
  bool ok = true;
  if (int b = prim_byte(kw); b >= 0) {
    out.push_back(uint8_t(b));
  } else if (kw.is("record")) {
    Bytes body;
    uint32_t n = 0;
    while (ok && at_lparen("field")) {
      next();
      next();
      std::string f;
      ok = name(f);
      if (ok) put_name(body, f);
      ok = ok && valtype(body) && expect_rparen();
      ++n;
    }
    out.push_back(0x72);
    put_u32(out, n);
    put_bytes(out, body);
  } else if (kw.is("variant")) {
    Bytes body;
    uint32_t n = 0;
    while (ok && at_lparen("case")) {
      next();
      next();
      opt_id();
      std::string c;
      ok = name(c);
      if (!ok) break;
      put_name(body, c);
      ok = opt_valtype_here(body, "refines") && opt_trailing_form("refines", body, [&] {
             uint32_t r = 0;
             if (!u32(r)) return false;
             put_u32(body, r);
             return true;
           });
      ok = ok && expect_rparen();
      ++n;
    }
    out.push_back(0x71);
    put_u32(out, n);
    put_bytes(out, body);
  } else if (kw.is("list")) {
    Bytes elem;
    ok = valtype(elem);
    if (ok && !at_rparen()) {
      uint32_t len = 0;
      ok = u32(len);
      out.push_back(0x67);
      put_bytes(out, elem);
      put_u32(out, len);
    } else {
      out.push_back(0x70);
      put_bytes(out, elem);
    }
  } else if (kw.is("tuple")) {
    Bytes body;
    uint32_t n = 0;
    while (ok && !at_rparen()) {
      ok = valtype(body);
      ++n;
    }
    out.push_back(0x6f);
    put_u32(out, n);
    put_bytes(out, body);
  } else if (kw.is("flags")) {
    ok = names(0x6e);
  } else if (kw.is("enum")) {
    ok = names(0x6d);
  } else if (kw.is("option")) {
    out.push_back(0x6b);
    ok = valtype(out);
  } else if (kw.is("result")) {
    out.push_back(0x6a);
    ok = opt_valtype_here(out, "error") && opt_trailing_form("error", out, [&] { return valtype(out); });
  } else if (kw.is("own") || kw.is("borrow")) {
    out.push_back(kw.is("own") ? 0x69 : 0x68);
    uint32_t r = 0;
    ok = index(Sort::Type, r);
    put_u32(out, r);
  } else if (kw.is("map")) {
    out.push_back(0x63);
    ok = valtype(out) && valtype(out);
  } else if (kw.is("stream") || kw.is("future")) {
    out.push_back(kw.is("stream") ? 0x66 : 0x65);
    ok = opt_valtype_here(out);
  } else if (kw.is("resource")) {
    out.push_back(0x3f);
    ok = expect_lparen() && expect_keyword("rep") && expect_keyword("i32") && expect_rparen();
    out.push_back(0x7f);
    if (ok && at_lparen("dtor")) {
      next();
      next();
      uint32_t f = 0;
      ok = core_ref(Sort::CoreFunc, f) && expect_rparen();
      out.push_back(0x01);
      put_u32(out, f);
    } else {
      out.push_back(0x00);
    }
  } else if (kw.is("func")) {
    ok = functype_parts(out);
  } else if (kw.is("component")) {
    ok = scoped_type(Scope::Kind::ComponentType, out);
  } else if (kw.is("instance")) {
    ok = scoped_type(Scope::Kind::InstanceType, out);
  } else {
    return unexpected(kw);
  }
  return ok && expect_rparen();
}

// Declarators up to the closing paren (not consumed), in a new type scope.
bool Parser::scoped_type(Scope::Kind kind, Bytes& out) {
  std::unique_ptr<Scope> inner = parse_nested(kind, nullptr, &Parser::decls);
  if (!inner) return false;
  out.push_back(kind == Scope::Kind::ComponentType ? 0x41 : 0x42);
  put_u32(out, inner->decl_count);
  put_bytes(out, inner->decls);
  return true;
}

std::unique_ptr<Scope> Parser::parse_nested(Scope::Kind kind, const Token* label, bool (Parser::*parse)()) {
  if (++depth_ > component::kMaxComponentNesting) {
    fail(peek(), "nesting too deep");
    return nullptr;
  }
  auto inner = std::make_unique<Scope>();  // on the heap: nesting costs less stack
  inner->kind = kind;
  inner->parent = scope_;
  if (label) inner->label = std::string(label->text);
  Scope* saved = scope_;
  scope_ = inner.get();
  bool ok = (this->*parse)();
  scope_ = saved;
  --depth_;
  if (!ok) return nullptr;
  return inner;
}

bool Parser::decls() {
  while (!at_rparen()) {
    if (pos_ >= end_) return unexpected(peek());
    if (!decl()) return false;
  }
  return true;
}

bool Parser::decl() {
  if (peek().kind != Token::LParen) return unexpected(peek());
  if (at_lparen2("core", "type")) {
    next();
    next();
    next();
    const Token* id = opt_id();
    return core_type_def(id, nullptr);
  }
  const Token& kw = peek(1);
  if (kw.is("type")) return type_field();
  if (kw.is("alias")) return alias_field();
  if (kw.is("import")) {
    if (scope_->kind != Scope::Kind::ComponentType) return unexpected(kw);
    return import_field();
  }
  if (kw.is("export")) return export_field();
  return unexpected(kw);
}

// For func, component, instance and core module extern types: `(type idx)`
// or the inline form of the type (an anonymous definition emitted first).
bool Parser::type_use(Sort s, uint32_t& out) {
  bool core = s == Sort::CoreModule;
  if (at_index_ref() && peek(1).is("type")) {
    next();
    next();
    if (!index(core ? Sort::CoreType : Sort::Type, out)) return false;
    return expect_rparen();
  }
  Bytes def;
  switch (s) {
    case Sort::Func:
      if (!functype_parts(def)) return false;
      break;
    case Sort::Component:
      if (!scoped_type(Scope::Kind::ComponentType, def)) return false;
      break;
    case Sort::Instance:
      if (!scoped_type(Scope::Kind::InstanceType, def)) return false;
      break;
    case Sort::CoreModule:
      if (!core_moduletype(def)) return false;
      return emit_core_type(def, nullptr, &out);
    default: return unexpected(peek());
  }
  return emit_type(def, nullptr, &out);
}

// The body of an extern type after its sort keyword and `$id?`, up to the
// closing paren (not consumed).
bool Parser::eq_bound(Sort s, Bytes& out) {
  next();
  next();
  out.push_back(0x00);
  uint32_t idx = 0;
  if (!index(s, idx) || !expect_rparen()) return false;
  put_u32(out, idx);
  return true;
}

bool Parser::extern_desc_body(Sort s, Bytes& out) {
  uint32_t idx = 0;
  switch (s) {
    case Sort::CoreModule:
      if (!type_use(s, idx)) return false;
      out.push_back(0x00);
      out.push_back(0x11);
      put_u32(out, idx);
      return true;
    case Sort::Func:
    case Sort::Component:
    case Sort::Instance:
      if (!type_use(s, idx)) return false;
      out.push_back(s == Sort::Func ? 0x01 : s == Sort::Component ? 0x04 : 0x05);
      put_u32(out, idx);
      return true;
    case Sort::Value:
      out.push_back(0x02);
      if (at_lparen("eq")) return eq_bound(Sort::Value, out);
      out.push_back(0x01);
      return valtype(out);
    case Sort::Type:
      out.push_back(0x03);
      if (at_lparen("eq")) return eq_bound(Sort::Type, out);
      if (at_lparen("sub")) {
        next();
        next();
        if (!expect_keyword("resource") || !expect_rparen()) return false;
        out.push_back(0x01);
        return true;
      }
      return unexpected(peek());
    default: return unexpected(peek());
  }
}

// `(sort $id? body)` as an extern type; `s` and `id` tell what it declares.
bool Parser::extern_desc(Bytes& out, Sort& s, const Token*& id) {
  if (!expect_lparen()) return false;
  if (peek().is("core")) {
    next();
    if (!expect_keyword("module")) return false;
    s = Sort::CoreModule;
  } else if (!sort_keyword(s)) {
    return false;
  }
  id = opt_id();
  return extern_desc_body(s, out) && expect_rparen();
}

// At `(type`: a type definition, in a component or a type scope.
bool Parser::type_field() {
  next();
  next();
  Head h;
  if (!head(h, true)) return false;
  if (h.import_name) {
    Bytes d = *h.import_name;
    if (!extern_desc_body(Sort::Type, d) || !expect_rparen()) return false;
    emit_item(10, d);
    return define_and_export(h, Sort::Type);
  }
  if (at_lparen("alias")) return inline_alias_field(h, Sort::Type);
  Bytes def;
  if (!deftype(def) || !expect_rparen()) return false;
  uint32_t idx = 0;
  if (!emit_type(def, h.id, &idx)) return false;
  return finish_exports(h, Sort::Type, idx);
}

// At `(import`: a component import or a component-type import declarator.
bool Parser::import_field() {
  next();
  next();
  Bytes d;
  if (!extern_name(d)) return false;
  Sort s;
  const Token* id = nullptr;
  if (!extern_desc(d, s, id) || !expect_rparen()) return false;
  if (scope_->kind == Scope::Kind::Component) {
    emit_item(10, d);
  } else {
    Bytes decl{0x03};
    put_bytes(decl, d);
    scope_->add_decl(decl);
  }
  return define(s, id);
}

// At `(export`: a component export (of an item, with an optional ascribed
// type) or a type-scope export declarator.
bool Parser::export_field() {
  next();
  next();
  if (scope_->is_type_scope()) {
    Bytes d{0x04};
    if (!extern_name(d)) return false;
    Sort s;
    const Token* id = nullptr;
    if (!extern_desc(d, s, id) || !expect_rparen()) return false;
    scope_->add_decl(d);
    return define(s, id);
  }
  const Token* id = opt_id();
  Bytes e;
  if (!extern_name(e)) return false;
  Sort s;
  uint32_t idx = 0;
  if (!sort_ref(s, idx)) return false;
  put_sort(e, s);
  put_u32(e, idx);
  if (at_rparen()) {
    e.push_back(0x00);
  } else {
    e.push_back(0x01);
    Sort ds;
    const Token* ignored = nullptr;
    if (!extern_desc(e, ds, ignored)) return false;
  }
  if (!expect_rparen()) return false;
  emit_item(11, e);
  return define(s, id);
}

}  // namespace wippy::component::text
