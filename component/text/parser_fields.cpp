// parser_fields.cpp — the Parser's component fields: nested components,
// instances, aliases, canonical built-ins (`canon` and the `func` /
// `core func` sugar around them), start, and the field dispatcher; plus
// Parser::component(), which assembles the preamble and sections.
#include <fmt/format.h>

#include <memory>

#include "component/component.h"
#include "component/text/parser.h"
#include "interp/text/numbers.h"
#include "interp/quote.h"

namespace wippy::component::text {

using wippy::put_bytes;
using wippy::put_name;
using wippy::put_u32;

namespace {
constexpr uint8_t kPreamble[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
}

Result<Bytes> Parser::component(size_t begin, size_t end, std::string label) {
  Scope root;
  root.label = std::move(label);
  scope_ = &root;
  pos_ = begin;
  end_ = end;
  if (!fields()) return err_;
  if (pos_ != end_) {
    unexpected(peek());
    return err_;
  }
  root.flush();
  Bytes out(kPreamble, kPreamble + 8);
  put_bytes(out, root.sections);
  return out;
}

bool Parser::fields() {
  while (pos_ < end_ && !at_rparen()) {
    if (!field()) return false;
  }
  return true;
}

bool Parser::field() {
  if (peek().kind != Token::LParen) return unexpected(peek());
  const Token& kw = peek(1);
  if (kw.is("core")) {
    const Token& k2 = peek(2);
    if (k2.is("module")) {
      size_t close = match_[pos_];
      next();
      next();
      next();
      Head h;
      if (!head(h, true)) return false;
      return core_module_field(h, close);
    }
    if (k2.is("instance")) return core_instance_field();
    if (k2.is("type")) {
      next();
      next();
      next();
      const Token* id = opt_id();
      return core_type_def(id, nullptr);
    }
    // func, table, memory, global or tag (module, instance and type are above)
    std::optional<Sort> s = core_sort_named(k2);
    if (!s) return unexpected(k2);
    return core_func_field(*s);
  }
  if (kw.is("component")) return nested_component(match_[pos_]);
  if (kw.is("instance")) return instance_field();
  if (kw.is("alias")) return alias_field();
  if (kw.is("type")) return type_field();
  if (kw.is("canon")) return canon_field();
  if (kw.is("func")) return func_field();
  if (kw.is("start")) return start_field();
  if (kw.is("import")) return import_field();
  if (kw.is("export")) return export_field();
  return unexpected(kw);
}

bool Parser::inline_import_field(const Head& h, Sort s, uint8_t desc) {
  uint32_t t = 0;
  if (!type_use(s, t) || !expect_rparen()) return false;
  Bytes d = *h.import_name;
  d.push_back(desc);
  put_u32(d, t);
  emit_item(10, d);
  return define_and_export(h, s);
}

std::optional<bool> Parser::head_or_inline_field(Sort s, uint8_t desc, Head& h) {
  next();
  next();
  if (!head(h, true)) return false;
  if (h.import_name) return inline_import_field(h, s, desc);
  if (at_lparen("alias")) return inline_alias_field(h, s);
  return std::nullopt;
}

bool Parser::inline_alias_field(const Head& h, Sort s) {
  next();
  next();
  Bytes target;
  Sort target_sort = s;
  const Token* ignored = nullptr;
  if (!alias_target(target, target_sort, ignored) || !expect_rparen() || !expect_rparen()) return false;
  uint32_t idx = 0;
  return emit_alias(s, target, h.id, &idx) && finish_exports(h, s, idx);
}

// At `(component`: a nested component, or an inline component import.
bool Parser::nested_component(size_t close) {
  next();
  next();
  Head h;
  if (!head(h, true)) return false;
  if (h.import_name) return inline_import_field(h, Sort::Component, 0x04);
  std::unique_ptr<Scope> inner = parse_nested(Scope::Kind::Component, h.id, &Parser::fields);
  if (!inner) return false;
  if (pos_ != close) return unexpected(peek());
  if (!expect_rparen()) return false;
  inner->flush();
  Bytes bin(kPreamble, kPreamble + 8);
  put_bytes(bin, inner->sections);
  emit_item(4, bin);
  return define_and_export(h, Sort::Component);
}

bool Parser::inline_exports(Bytes& expr) {
  Bytes exports;
  uint32_t k = 0;
  while (at_lparen("export")) {
    next();
    next();
    Bytes en;
    Sort es;
    uint32_t ei = 0;
    if (!extern_name(en) || !sort_ref(es, ei) || !expect_rparen()) return false;
    put_sort(en, es);
    put_u32(en, ei);
    put_bytes(exports, en);
    ++k;
  }
  put_instance_exports(expr, k, exports);
  return true;
}

// `(with "name" (sort ref))*` or with an inline instance of exports.
bool Parser::instantiate_args(Bytes& out, uint32_t& n) {
  while (at_lparen("with")) {
    next();
    next();
    std::string arg;
    if (!name(arg)) return false;
    Sort s = Sort::Instance;
    uint32_t idx = 0;
    if (at_lparen("instance") && !is_index_token(peek(2))) {
      next();
      next();
      Bytes inst;
      if (!inline_exports(inst) || !expect_rparen()) return false;
      emit_item(5, inst);
      if (!define(Sort::Instance, nullptr, &idx)) return false;
    } else if (!sort_ref(s, idx)) {
      return false;
    }
    if (!expect_rparen()) return false;
    put_name(out, arg);
    put_sort(out, s);
    put_u32(out, idx);
    ++n;
  }
  return true;
}

// At `(instance`.
bool Parser::instance_field() {
  Head h;
  if (std::optional<bool> done = head_or_inline_field(Sort::Instance, 0x05, h)) return *done;
  Bytes item;
  if (!instance_expr(false, item) || !expect_rparen()) return false;
  emit_item(5, item);
  return define_and_export(h, Sort::Instance);
}

// After `alias`: `export i "n"`, `core export i "n"` or `outer ct idx`,
// then an optional `(sort $id?)` (which sets `s` and `id`).
bool Parser::alias_target(Bytes& target, Sort& s, const Token*& id) {
  auto trailing_sort = [&]() {
    if (peek().kind != Token::LParen) return true;
    next();
    if (!sort_keyword(s)) return false;
    id = opt_id();
    return expect_rparen();
  };
  if (peek().is("export") || (peek().is("core") && peek(1).is("export"))) {
    bool core = peek().is("core");
    if (core) next();
    next();
    uint32_t inst = 0;
    std::string n;
    if (!index(core ? Sort::CoreInstance : Sort::Instance, inst) || !name(n)) return false;
    if (!trailing_sort()) return false;
    target.push_back(core ? 0x01 : 0x00);
    put_u32(target, inst);
    put_name(target, n);
    return true;
  }
  if (!expect_keyword("outer")) return false;
  const Token& ct_tok = next();
  const Token& idx_tok = next();
  if (!is_index_token(ct_tok)) return unexpected(ct_tok);
  if (!is_index_token(idx_tok)) return unexpected(idx_tok);
  if (!trailing_sort()) return false;
  Scope* target_scope = scope_;
  uint32_t count = 0;
  if (ct_tok.is_id()) {
    while (target_scope && target_scope->label != ct_tok.text) {
      target_scope = target_scope->parent;
      ++count;
    }
    if (!target_scope) return fail(ct_tok, fmt::format("unknown outer component {}", quote_input(ct_tok.text)));
  } else {
    uint64_t v = 0;
    if (wippy::text::parse_uint(ct_tok.text, UINT32_MAX, v) != wippy::text::NumStatus::Ok) return unexpected(ct_tok);
    count = uint32_t(v);
    for (uint32_t i = 0; i < count && target_scope; ++i) target_scope = target_scope->parent;
  }
  uint32_t idx = 0;
  if (idx_tok.is_id()) {
    if (!target_scope) return fail(idx_tok, fmt::format("unknown {} {}", sort_name(s), quote_input(idx_tok.text)));
    auto& names = target_scope->space(s).names;
    auto it = names.find(std::string(idx_tok.text));
    if (it == names.end()) return fail(idx_tok, fmt::format("unknown {} {}", sort_name(s), quote_input(idx_tok.text)));
    idx = it->second;
  } else {
    uint64_t v = 0;
    if (wippy::text::parse_uint(idx_tok.text, UINT32_MAX, v) != wippy::text::NumStatus::Ok) return unexpected(idx_tok);
    idx = uint32_t(v);
  }
  target.push_back(0x02);
  put_u32(target, count);
  put_u32(target, idx);
  return true;
}

// At `(alias`: the trailing `(sort $id?)` is required here.
bool Parser::alias_field() {
  const Token& open = peek();
  size_t close = match_[pos_];
  if (close == 0 || t_[close - 1].kind != Token::RParen) return fail(open, "alias is missing its sort");
  next();
  next();
  Bytes target;
  Sort s = Sort::Func;
  const Token* id = nullptr;
  if (!alias_target(target, s, id) || !expect_rparen()) return false;
  return emit_alias(s, target, id, nullptr);
}

bool Parser::canon_opts(Bytes& out) {
  Bytes body;
  uint32_t n = 0;
  while (true) {
    const Token& t = peek();
    if (t.is("string-encoding=utf8")) body.push_back(0x00);
    else if (t.is("string-encoding=utf16")) body.push_back(0x01);
    else if (t.is("string-encoding=latin1+utf16")) body.push_back(0x02);
    else if (t.is("async")) body.push_back(0x06);
    else if (at_lparen("memory") || at_lparen("realloc") || at_lparen("post-return") || at_lparen("callback")) {
      next();
      const Token& kw = next();
      Sort want = kw.is("memory") ? Sort::CoreMemory : Sort::CoreFunc;
      uint32_t idx = 0;
      if (!core_ref(want, idx) || !expect_rparen()) return false;
      body.push_back(kw.is("memory") ? 0x03 : kw.is("realloc") ? 0x04 : kw.is("post-return") ? 0x05 : 0x07);
      put_u32(body, idx);
      ++n;
      continue;
    } else {
      break;
    }
    next();
    ++n;
  }
  put_u32(out, n);
  put_bytes(out, body);
  return true;
}

bool Parser::canon_item(Bytes& out, bool& lift) {
  next();
  next();
  const Token& kw = next();
  lift = false;
  uint32_t idx = 0;
  if (kw.is("lift")) {
    lift = true;
    if (!core_ref(Sort::CoreFunc, idx)) return false;
    out.push_back(0x00);
    out.push_back(0x00);
    put_u32(out, idx);
    return canon_opts(out);
  }
  if (kw.is("lower")) {
    if (!expect_lparen() || !expect_keyword("func") || !ref_tail(Sort::Func, idx) || !expect_rparen()) return false;
    out.push_back(0x01);
    out.push_back(0x00);
    put_u32(out, idx);
    return canon_opts(out);
  }
  uint8_t op = kw.is("resource.new") ? 0x02 : kw.is("resource.drop") ? 0x03 : kw.is("resource.rep") ? 0x04 : 0;
  if (op == 0) return fail(kw, fmt::format("unsupported canonical built-in {}", quote_input(kw.text)));
  if (!index(Sort::Type, idx)) return false;
  out.push_back(op);
  put_u32(out, idx);
  return true;
}

// At `(canon`: the built-in, then `(func $id? typeuse)` for lift or
// `(core func $id?)` otherwise.
bool Parser::canon_field() {
  Bytes item;
  bool lift = false;
  if (!canon_item(item, lift)) return false;
  if (!expect_lparen()) return false;
  if (lift) {
    if (!expect_keyword("func")) return false;
    Head h;
    if (!head(h, false)) return false;
    uint32_t t = 0;
    if (!type_use(Sort::Func, t) || !expect_rparen() || !expect_rparen()) return false;
    put_u32(item, t);
    emit_item(8, item);
    return define_and_export(h, Sort::Func);
  }
  if (!expect_keyword("core") || !expect_keyword("func")) return false;
  const Token* id = opt_id();
  if (!expect_rparen() || !expect_rparen()) return false;
  emit_item(8, item);
  return define(Sort::CoreFunc, id);
}

// At `(func`: an import, an alias, or a lifted core function.
bool Parser::func_field() {
  Head h;
  if (std::optional<bool> done = head_or_inline_field(Sort::Func, 0x01, h)) return *done;
  uint32_t t = 0;
  if (!type_use(Sort::Func, t)) return false;
  if (!at_lparen("canon")) return unexpected(peek());
  Bytes item;
  bool lift = false;
  if (!canon_item(item, lift)) return false;
  if (!lift) return fail(h.id ? *h.id : peek(), "a component function must be defined by canon lift");
  if (!expect_rparen() || !expect_rparen()) return false;
  put_u32(item, t);
  emit_item(8, item);
  return define_and_export(h, Sort::Func);
}

// At `(start`: `$f (value $v)* (result (value $id?))*`.
bool Parser::start_field() {
  next();
  next();
  uint32_t f = 0;
  if (!index(Sort::Func, f)) return false;
  Bytes args;
  uint32_t n = 0;
  while (at_lparen("value")) {
    next();
    next();
    uint32_t v = 0;
    if (!index(Sort::Value, v) || !expect_rparen()) return false;
    put_u32(args, v);
    ++n;
  }
  std::vector<const Token*> results;
  while (at_lparen("result")) {
    next();
    next();
    if (!expect_lparen() || !expect_keyword("value")) return false;
    results.push_back(opt_id());
    if (!expect_rparen() || !expect_rparen()) return false;
  }
  if (!expect_rparen()) return false;
  Bytes item;
  put_u32(item, f);
  put_u32(item, n);
  put_bytes(item, args);
  put_u32(item, uint32_t(results.size()));
  emit_item(9, item);
  for (const Token* id : results)
    if (!define(Sort::Value, id)) return false;
  return true;
}

}  // namespace wippy::component::text
