// parser_core.cpp — the Parser's token cursor, identifier resolution (with
// implicit outer aliases), scope-aware emission of types and aliases, item
// references, extern names, and the core definitions of a component: core
// modules (encoded by the core WAT parser), core instances, core types and
// core functions.
#include <fmt/format.h>

#include "component/text/parser.h"
#include "base/utf8.h"
#include "interp/text/module_parser.h"
#include "interp/text/numbers.h"
#include "interp/quote.h"

namespace wippy::component::text {

using wippy::put_bytes;
using wippy::put_name;
using wippy::put_u32;

// ---- cursor --------------------------------------------------------------

const Token& Parser::peek(size_t k) const { return t_[std::min(pos_ + k, end_)]; }

const Token& Parser::next() {
  const Token& t = peek();
  if (pos_ < end_) ++pos_;
  return t;
}

bool Parser::at_lparen(std::string_view kw) const { return peek().kind == Token::LParen && peek(1).is(kw); }

bool Parser::at_lparen2(std::string_view kw1, std::string_view kw2) const {
  return peek().kind == Token::LParen && peek(1).is(kw1) && peek(2).is(kw2);
}

bool Parser::fail(const Token& t, std::string_view msg) {
  if (!failed_) err_ = wippy::text::error_at(t, msg);
  failed_ = true;
  return false;
}

bool Parser::unexpected(const Token& t) {
  if (t.kind == Token::Eof) return fail(t, "unexpected end of input");
  if (t.kind == Token::RParen) return fail(t, "unexpected token )");
  return fail(t, fmt::format("unexpected token {}", quote_input(t.text)));
}

bool Parser::is_index_token(const Token& t) {
  return t.kind == Token::Atom && (t.is_id() || (t.text[0] >= '0' && t.text[0] <= '9'));
}

bool Parser::u32(uint32_t& out) {
  const Token& t = peek();
  if (t.kind != Token::Atom) return unexpected(t);
  uint64_t v = 0;
  auto st = wippy::text::parse_uint(t.text, UINT32_MAX, v);
  if (st == wippy::text::NumStatus::Syntax) return unexpected(t);
  if (st == wippy::text::NumStatus::Range) return fail(t, "constant out of range");
  next();
  out = uint32_t(v);
  return true;
}

const Token* Parser::opt_id() {
  if (peek().is_id()) return &next();
  return nullptr;
}

bool Parser::at_index_ref() const {
  return peek().kind == Token::LParen && peek(1).kind == Token::Atom && is_index_token(peek(2)) &&
         peek(3).kind == Token::RParen;
}

// ---- names ---------------------------------------------------------------

bool Parser::define(Sort s, const Token* id, uint32_t* out) {
  NameSpace& ns = scope_->space(s);
  uint32_t index = ns.count++;
  if (out) *out = index;
  if (!id) return true;
  auto [it, inserted] = ns.names.emplace(std::string(id->text), index);
  if (!inserted) return fail(*id, fmt::format("duplicate {} identifier {}", sort_name(s), id->text));
  return true;
}

static bool outer_aliasable(Sort s) {
  return s == Sort::Type || s == Sort::CoreType || s == Sort::CoreModule || s == Sort::Component;
}

bool Parser::outer_index(Sort s, const Token& t, uint32_t& out) {
  // A name found only in an enclosing scope: alias it into this one.
  uint32_t count = 0;
  for (Scope* sc = scope_; sc; sc = sc->parent, ++count) {
    if (count == 0) continue;
    // Core module types see only core types, other scopes not core-only sorts.
    auto it = sc->space(s).names.find(std::string(t.text));
    if (it == sc->space(s).names.end()) continue;
    Bytes target;
    target.push_back(0x02);
    put_u32(target, count);
    put_u32(target, it->second);
    if (!emit_alias(s, target, nullptr, &out)) return false;
    scope_->space(s).names.emplace(std::string(t.text), out);
    return true;
  }
  return fail(t, fmt::format("unknown {} {}", sort_name(s), quote_input(t.text)));
}

bool Parser::index(Sort s, uint32_t& out) {
  const Token& t = peek();
  if (t.is_id()) {
    auto& names = scope_->space(s).names;
    auto it = names.find(std::string(t.text));
    if (it != names.end()) {
      next();
      out = it->second;
      return true;
    }
    if (!outer_aliasable(s)) {
      // Found further out, the name would need an outer alias of a sort
      // that has none.
      for (Scope* sc = scope_->parent; sc; sc = sc->parent)
        if (sc->space(s).names.count(std::string(t.text)))
          return fail(t, fmt::format("outer item `{}` is not a module, type, or component", quote_input(t.text.substr(1))));
      return fail(t, fmt::format("unknown {} {}", sort_name(s), quote_input(t.text)));
    }
    if (!outer_index(s, t, out)) return false;
    next();
    return true;
  }
  return u32(out);
}

// ---- emission --------------------------------------------------------------

void Parser::emit_item(uint8_t section, const Bytes& item) { scope_->add_section_item(section, item); }

bool Parser::emit_type(const Bytes& deftype, const Token* id, uint32_t* out) {
  switch (scope_->kind) {
    case Scope::Kind::Component: emit_item(7, deftype); break;
    case Scope::Kind::ComponentType:
    case Scope::Kind::InstanceType: {
      Bytes d{0x01};
      put_bytes(d, deftype);
      scope_->add_decl(d);
      break;
    }
    case Scope::Kind::CoreModuleType: return fail(peek(), "component types cannot appear in a core module type");
  }
  return define(Sort::Type, id, out);
}

bool Parser::emit_core_type(const Bytes& coretype, const Token* id, uint32_t* out) {
  Bytes d;
  switch (scope_->kind) {
    case Scope::Kind::Component: emit_item(3, coretype); break;
    case Scope::Kind::ComponentType:
    case Scope::Kind::InstanceType: d.push_back(0x00); break;
    case Scope::Kind::CoreModuleType: d.push_back(0x01); break;
  }
  if (scope_->is_type_scope()) {
    put_bytes(d, coretype);
    scope_->add_decl(d);
  }
  return define(Sort::CoreType, id, out);
}

bool Parser::emit_alias(Sort s, const Bytes& target, const Token* id, uint32_t* out) {
  Bytes a;
  if (scope_->kind == Scope::Kind::CoreModuleType) {
    if (s != Sort::CoreType || target.empty() || target[0] != 0x02)
      return fail(peek(), "only outer aliases of core types may appear in a core module type");
    a.push_back(0x02);
    a.push_back(0x10);
    a.push_back(0x01);
    a.insert(a.end(), target.begin() + 1, target.end());
    scope_->add_decl(a);
    return define(s, id, out);
  }
  put_sort(a, s);
  put_bytes(a, target);
  if (scope_->kind == Scope::Kind::Component) {
    emit_item(6, a);
  } else {
    Bytes d{0x02};
    put_bytes(d, a);
    scope_->add_decl(d);
  }
  return define(s, id, out);
}

void Parser::put_core_sort(Bytes& out, Sort s) {
  switch (s) {
    case Sort::CoreFunc: out.push_back(0x00); break;
    case Sort::CoreTable: out.push_back(0x01); break;
    case Sort::CoreMemory: out.push_back(0x02); break;
    case Sort::CoreGlobal: out.push_back(0x03); break;
    case Sort::CoreTag: out.push_back(0x04); break;
    case Sort::CoreType: out.push_back(0x10); break;
    case Sort::CoreModule: out.push_back(0x11); break;
    default: out.push_back(0x12); break;
  }
}

void Parser::put_sort(Bytes& out, Sort s) {
  if (is_core_sort(s)) {
    out.push_back(0x00);
    put_core_sort(out, s);
    return;
  }
  switch (s) {
    case Sort::Func: out.push_back(0x01); break;
    case Sort::Value: out.push_back(0x02); break;
    case Sort::Type: out.push_back(0x03); break;
    case Sort::Component: out.push_back(0x04); break;
    default: out.push_back(0x05); break;
  }
}

namespace {

struct SortName {
  std::string_view keyword;
  Sort sort;
};
constexpr SortName kCoreSortNames[] = {
    {"func", Sort::CoreFunc},     {"table", Sort::CoreTable}, {"memory", Sort::CoreMemory},
    {"global", Sort::CoreGlobal}, {"tag", Sort::CoreTag},     {"type", Sort::CoreType},
    {"module", Sort::CoreModule}, {"instance", Sort::CoreInstance},
};
constexpr SortName kSortNames[] = {
    {"func", Sort::Func},           {"value", Sort::Value},       {"type", Sort::Type},
    {"component", Sort::Component}, {"instance", Sort::Instance},
};

// The sort that `t` names in `names`, or nullopt.
template <size_t N>
std::optional<Sort> sort_named(const Token& t, const SortName (&names)[N]) {
  for (const SortName& n : names)
    if (t.is(n.keyword)) return n.sort;
  return std::nullopt;
}

}  // namespace

std::optional<Sort> Parser::core_sort_named(const Token& t) { return sort_named(t, kCoreSortNames); }

bool Parser::core_sort_keyword(Sort& s) {
  std::optional<Sort> named = core_sort_named(peek());
  if (!named) return unexpected(peek());
  s = *named;
  next();
  return true;
}

bool Parser::sort_keyword(Sort& s) {
  if (peek().is("core")) {
    next();
    return core_sort_keyword(s);
  }
  std::optional<Sort> named = sort_named(peek(), kSortNames);
  if (!named) return unexpected(peek());
  s = *named;
  next();
  return true;
}

// `idx "name"*`: with names, a chain of export aliases starting at an
// instance (core instance for core sorts).
bool Parser::ref_tail(Sort s, uint32_t& out) {
  if (peek(1).kind != Token::String) return index(s, out);
  // Core funcs, tables, memories, globals and tags come from core
  // instances; everything else (core modules and types too) from component
  // instances.
  bool core = s == Sort::CoreFunc || s == Sort::CoreTable || s == Sort::CoreMemory || s == Sort::CoreGlobal ||
              s == Sort::CoreTag;
  uint32_t inst = 0;
  if (!index(core ? Sort::CoreInstance : Sort::Instance, inst)) return false;
  while (peek().kind == Token::String) {
    std::string n;
    if (!name(n)) return false;
    bool last = peek().kind != Token::String;
    Sort target = last ? s : (core ? Sort::CoreInstance : Sort::Instance);
    Bytes a{uint8_t(core ? 0x01 : 0x00)};
    put_u32(a, inst);
    put_name(a, n);
    uint32_t idx = 0;
    if (!emit_alias(target, a, nullptr, &idx)) return false;
    if (last) out = idx;
    else inst = idx;
  }
  return true;
}

bool Parser::sort_ref(Sort& s, uint32_t& out) {
  if (!expect_lparen() || !sort_keyword(s) || !ref_tail(s, out)) return false;
  return expect_rparen();
}

// A core item given as a bare index, `(func idx "name"*)` or
// `(core func idx "name"*)`.
bool Parser::core_ref(Sort want, uint32_t& out) {
  if (peek().kind != Token::LParen) return ref_tail(want, out);
  next();
  if (peek().is("core")) next();
  Sort s;
  if (!core_sort_keyword(s)) return false;
  if (s != want) return fail(peek(), fmt::format("expected a {} reference", sort_name(want)));
  if (!ref_tail(s, out)) return false;
  return expect_rparen();
}

bool Parser::extern_name(Bytes& out) {
  std::string n;
  if (!name(n)) return false;
  std::optional<std::string> attrs[3];
  Bytes encoded;
  uint32_t count = 0;
  while (peek().kind == Token::LParen) {
    const Token& kw = peek(1);
    int which = kw.is("implements") ? 0 : kw.is("versionsuffix") ? 1 : kw.is("external-id") ? 2 : -1;
    if (which < 0) break;
    if (attrs[which]) return unexpected(kw);
    next();
    next();
    std::string v;
    if (!name(v) || !expect_rparen()) return false;
    encoded.push_back(uint8_t(which));
    put_name(encoded, v);
    attrs[which] = std::move(v);
    ++count;
  }
  if (count == 0) {
    out.push_back(0x00);
    put_name(out, n);
  } else {
    out.push_back(0x02);
    put_name(out, n);
    put_u32(out, count);
    put_bytes(out, encoded);
  }
  return true;
}

// `(kw "name" attribute*)` with nothing else: the inline import/export
// sugar (a field of the same keyword carries more).
bool Parser::at_name_only(std::string_view kw) const {
  if (!at_lparen(kw)) return false;
  size_t p = pos_ + 2;
  if (p >= end_ || t_[p].kind != Token::String) return false;
  ++p;
  while (p < end_ && t_[p].kind == Token::LParen &&
         (t_[p + 1].is("implements") || t_[p + 1].is("versionsuffix") || t_[p + 1].is("external-id")))
    p = match_[p] + 1;
  return p < end_ && t_[p].kind == Token::RParen;
}

bool Parser::head(Head& h, bool allow_import) {
  h.id = opt_id();
  while (at_name_only("export")) {
    next();
    next();
    Bytes n;
    if (!extern_name(n) || !expect_rparen()) return false;
    h.exports.push_back(std::move(n));
  }
  if (allow_import && at_name_only("import")) {
    next();
    next();
    Bytes n;
    if (!extern_name(n) || !expect_rparen()) return false;
    h.import_name = std::move(n);
  }
  return true;
}

bool Parser::finish_exports(const Head& h, Sort s, uint32_t index) {
  for (const Bytes& n : h.exports) {
    if (scope_->kind != Scope::Kind::Component)
      return fail(h.id ? *h.id : peek(), "inline exports are only allowed in components");
    Bytes e = n;
    put_sort(e, s);
    put_u32(e, index);
    e.push_back(0x00);
    emit_item(11, e);
    if (!define(s, nullptr)) return false;
  }
  return true;
}

bool Parser::define_and_export(const Head& h, Sort s) {
  uint32_t idx = 0;
  return define(s, h.id, &idx) && finish_exports(h, s, idx);
}

// ---- core definitions ------------------------------------------------------

// At `(core module`; `close` is the form's ')'.
bool Parser::core_module_field(const Head& h, size_t close) {
  if (h.import_name) {
    Bytes desc{0x00, 0x11};
    uint32_t t = 0;
    if (!type_use(Sort::CoreModule, t)) return false;
    put_u32(desc, t);
    Bytes imp = *h.import_name;
    put_bytes(imp, desc);
    emit_item(10, imp);
    uint32_t idx = 0;
    if (!define(Sort::CoreModule, h.id, &idx)) return false;
    if (!expect_rparen()) return false;
    return finish_exports(h, Sort::CoreModule, idx);
  }
  Bytes binary;
  if (peek().is("binary") || peek().is("quote")) {
    bool is_binary = peek().is("binary");
    next();
    std::string text;
    while (peek().kind == Token::String) {
      if (is_binary) binary.insert(binary.end(), peek().str.begin(), peek().str.end());
      else text += peek().str;
      next();
    }
    if (!at_rparen()) return unexpected(peek());
    if (!is_binary) {
      auto tl = wippy::text::lex(text);
      if (!tl) return fail(peek(), tl.error().message);
      auto form = wippy::text::encode_module_fields(*tl, 0, tl->tokens.size() - 1);
      if (!form) return fail(peek(), form.error().message);
      binary = std::move(*form);
    }
  } else {
    auto bytes = wippy::text::encode_module_fields(tl_, pos_, close);
    if (!bytes) {
      if (!failed_) err_ = bytes.error();
      failed_ = true;
      return false;
    }
    binary = std::move(*bytes);
    pos_ = close;
  }
  emit_item(1, binary);
  uint32_t idx = 0;
  if (!define(Sort::CoreModule, h.id, &idx) || !expect_rparen()) return false;
  return finish_exports(h, Sort::CoreModule, idx);
}

// At `(core instance`.
bool Parser::core_instance_field() {
  next();
  next();
  next();
  const Token* id = opt_id();
  Bytes item;
  if (!instance_expr(true, item) || !expect_rparen()) return false;
  emit_item(2, item);
  return define(Sort::CoreInstance, id);
}

bool Parser::core_instantiate_args(Bytes& args, uint32_t& n) {
  while (at_lparen("with")) {
    next();
    next();
    std::string arg;
    if (!name(arg)) return false;
    uint32_t inst = 0;
    if (!expect_lparen() || !expect_keyword("instance")) return false;
    if (is_index_token(peek()) && (peek(1).kind == Token::RParen || peek(1).kind == Token::String)) {
      if (!ref_tail(Sort::CoreInstance, inst)) return false;
    } else {
      Bytes ci;
      if (!inline_instance_exports(ci)) return false;
      emit_item(2, ci);
      if (!define(Sort::CoreInstance, nullptr, &inst)) return false;
    }
    if (!expect_rparen() || !expect_rparen()) return false;
    put_name(args, arg);
    args.push_back(0x12);
    put_u32(args, inst);
    ++n;
  }
  return true;
}

// Core inline exports `(export "n" (func idx))*` up to the closing paren.
bool Parser::inline_instance_exports(Bytes& expr) {
  Bytes out;
  uint32_t n = 0;
  while (at_lparen("export")) {
    next();
    next();
    std::string en;
    if (!name(en) || !expect_lparen()) return false;
    if (peek().is("core")) next();
    Sort s;
    uint32_t idx = 0;
    if (!core_sort_keyword(s) || !ref_tail(s, idx) || !expect_rparen() || !expect_rparen()) return false;
    put_name(out, en);
    put_core_sort(out, s);
    put_u32(out, idx);
    ++n;
  }
  if (!at_rparen()) return unexpected(peek());
  put_instance_exports(expr, n, out);
  return true;
}

void Parser::put_instantiate(Bytes& out, uint32_t target, uint32_t n, const Bytes& args) {
  out.push_back(0x00);
  put_u32(out, target);
  put_u32(out, n);
  put_bytes(out, args);
}

bool Parser::instance_expr(bool core, Bytes& item) {
  if (!at_lparen("instantiate")) return core ? inline_instance_exports(item) : inline_exports(item);
  next();
  next();
  uint32_t target = 0;
  Bytes args;
  uint32_t n = 0;
  const bool ok = core ? instantiate_target(Sort::CoreModule, "module", true, target) && core_instantiate_args(args, n)
                       : instantiate_target(Sort::Component, "component", false, target) && instantiate_args(args, n);
  if (!ok || !expect_rparen()) return false;
  put_instantiate(item, target, n, args);
  return true;
}

bool Parser::instantiate_target(Sort s, std::string_view kw, bool core, uint32_t& out) {
  if (peek().kind != Token::LParen) return index(s, out);
  next();
  if (core && peek().is("core")) next();
  return expect_keyword(kw) && ref_tail(s, out) && expect_rparen();
}

void Parser::put_instance_exports(Bytes& out, uint32_t k, const Bytes& exports) {
  out.push_back(0x01);
  put_u32(out, k);
  put_bytes(out, exports);
}

bool Parser::core_valtype(Bytes& out) {
  const Token& t = peek();
  if (t.is("i32")) out.push_back(0x7f);
  else if (t.is("i64")) out.push_back(0x7e);
  else if (t.is("f32")) out.push_back(0x7d);
  else if (t.is("f64")) out.push_back(0x7c);
  else if (t.is("v128")) out.push_back(0x7b);
  else if (t.is("funcref")) out.push_back(0x70);
  else if (t.is("externref")) out.push_back(0x6f);
  else return unexpected(t);
  next();
  return true;
}

// (param $id? t*)* (result t*)* up to the closing paren -> 0x60 vec vec.
bool Parser::core_functype(Bytes& out) {
  Bytes params, results;
  uint32_t np = 0, nr = 0;
  while (at_lparen("param")) {
    next();
    next();
    if (opt_id()) {
      if (!core_valtype(params)) return false;
      ++np;
    } else {
      while (!at_rparen()) {
        if (!core_valtype(params)) return false;
        ++np;
      }
    }
    if (!expect_rparen()) return false;
  }
  while (at_lparen("result")) {
    next();
    next();
    while (!at_rparen()) {
      if (!core_valtype(results)) return false;
      ++nr;
    }
    if (!expect_rparen()) return false;
  }
  out.push_back(0x60);
  put_u32(out, np);
  put_bytes(out, params);
  put_u32(out, nr);
  put_bytes(out, results);
  return true;
}

// Core extern type of a module type import/export: (func ...), (table ...),
// (memory ...), (global ...).
bool Parser::core_externtype(Bytes& out) {
  if (!expect_lparen()) return false;
  const Token& kw = next();
  opt_id();
  auto limits = [&](Bytes& o) {
    uint32_t min = 0, max = 0;
    if (!u32(min)) return false;
    if (peek().kind == Token::Atom && !peek().is_id() && peek().text[0] >= '0' && peek().text[0] <= '9') {
      if (!u32(max)) return false;
      o.push_back(0x01);
      put_u32(o, min);
      put_u32(o, max);
    } else {
      o.push_back(0x00);
      put_u32(o, min);
    }
    return true;
  };
  if (kw.is("func")) {
    uint32_t t = 0;
    if (at_index_ref() && peek(1).is("type")) {
      next();
      next();
      if (!index(Sort::CoreType, t) || !expect_rparen()) return false;
    } else {
      Bytes ft;
      if (!core_functype(ft) || !emit_core_type(ft, nullptr, &t)) return false;
    }
    out.push_back(0x00);
    put_u32(out, t);
  } else if (kw.is("table")) {
    out.push_back(0x01);
    Bytes lim;
    if (!limits(lim) || !core_valtype(out)) return false;
    put_bytes(out, lim);
  } else if (kw.is("memory")) {
    out.push_back(0x02);
    size_t flag_at = out.size();
    if (!limits(out)) return false;
    if (peek().is("shared")) {  // threads proposal: flag 0x03 (needs a maximum)
      next();
      if (out[flag_at] != 0x01) return fail(peek(), "shared memory must have maximum");
      out[flag_at] = 0x03;
    }
  } else if (kw.is("global")) {
    out.push_back(0x03);
    if (at_lparen("mut")) {
      next();
      next();
      if (!core_valtype(out) || !expect_rparen()) return false;
      out.push_back(0x01);
    } else {
      if (!core_valtype(out)) return false;
      out.push_back(0x00);
    }
  } else {
    return unexpected(kw);
  }
  return expect_rparen();
}

// (module decl*) body, after `module`, up to the closing paren.
bool Parser::core_moduletype(Bytes& out) {
  Scope inner;
  inner.kind = Scope::Kind::CoreModuleType;
  inner.parent = scope_;
  Scope* saved = scope_;
  scope_ = &inner;
  bool ok = true;
  while (ok && !at_rparen()) {
    if (!expect_lparen()) {
      ok = false;
      break;
    }
    const Token& kw = next();
    if (kw.is("import")) {
      std::string m, n;
      Bytes d{0x00};
      ok = name(m) && name(n);
      if (ok) {
        put_name(d, m);
        put_name(d, n);
        ok = core_externtype(d);
      }
      if (ok) inner.add_decl(d);
    } else if (kw.is("export")) {
      std::string n;
      Bytes d{0x03};
      ok = name(n);
      if (ok) {
        put_name(d, n);
        ok = core_externtype(d);
      }
      if (ok) inner.add_decl(d);
    } else if (kw.is("type")) {
      const Token* id = opt_id();
      Bytes ft;
      ok = expect_lparen() && expect_keyword("func") && core_functype(ft) && expect_rparen() &&
           emit_core_type(ft, id, nullptr);
    } else if (kw.is("alias")) {
      // (alias outer ct idx (type $id?))
      uint32_t ct = 0, idx = 0;
      ok = expect_keyword("outer");
      if (ok && peek().is_id()) {
        const Token& lt = next();
        uint32_t count = 0;
        Scope* sc = scope_;
        for (; sc && sc->label != lt.text; sc = sc->parent) ++count;
        if (!sc) ok = fail(lt, fmt::format("unknown outer scope {}", quote_input(lt.text)));
        ct = count;
        if (ok && peek().is_id()) {
          auto it = sc->space(Sort::CoreType).names.find(std::string(peek().text));
          if (it == sc->space(Sort::CoreType).names.end()) ok = fail(peek(), fmt::format("unknown core type {}", quote_input(peek().text)));
          else {
            idx = it->second;
            next();
          }
        } else if (ok) {
          ok = u32(idx);
        }
      } else if (ok) {
        ok = u32(ct) && u32(idx);
      }
      const Token* id = nullptr;
      if (ok) ok = expect_lparen() && expect_keyword("type");
      if (ok) id = opt_id();
      if (ok) ok = expect_rparen();
      if (ok) {
        Bytes target{0x02};
        put_u32(target, ct);
        put_u32(target, idx);
        ok = emit_alias(Sort::CoreType, target, id, nullptr);
      }
    } else {
      ok = unexpected(kw);
    }
    if (ok) ok = expect_rparen();
  }
  scope_ = saved;
  if (!ok) return false;
  out.push_back(0x50);
  put_u32(out, inner.decl_count);
  put_bytes(out, inner.decls);
  return true;
}

// After `core type`: $id? (func ...) | (module ...), then ')'.
bool Parser::core_type_def(const Token* id, uint32_t* out) {
  Bytes t;
  if (!expect_lparen()) return false;
  const Token& kw = next();
  if (kw.is("func")) {
    if (!core_functype(t)) return false;
  } else if (kw.is("module")) {
    if (!core_moduletype(t)) return false;
  } else {
    return unexpected(kw);
  }
  if (!expect_rparen() || !expect_rparen()) return false;
  return emit_core_type(t, id, out);
}

// At `(core <sort>` for a definition that is a canon built-in or an alias.
bool Parser::core_func_field(Sort s) {
  next();
  next();
  next();
  const Token* id = opt_id();
  if (at_lparen("alias")) {
    next();
    next();
    if (!expect_keyword("core") || !expect_keyword("export")) return false;
    uint32_t inst = 0;
    std::string n;
    if (!index(Sort::CoreInstance, inst) || !name(n) || !expect_rparen() || !expect_rparen()) return false;
    Bytes a{0x01};
    put_u32(a, inst);
    put_name(a, n);
    return emit_alias(s, a, id, nullptr);
  }
  if (s != Sort::CoreFunc || !at_lparen("canon")) return unexpected(peek());
  Bytes item;
  bool lift = false;
  if (!canon_item(item, lift)) return false;
  if (lift) return fail(peek(), "canon lift defines a component function, not a core function");
  if (!expect_rparen() || !expect_rparen()) return false;
  emit_item(8, item);
  return define(Sort::CoreFunc, id);
}

}  // namespace wippy::component::text
