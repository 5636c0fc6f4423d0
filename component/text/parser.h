// parser.h — the component text parser/encoder (internal to component/text).
// One Parser walks the token list once, resolving identifiers as it goes
// (definitions precede uses, as in the binary) and appending each
// definition's encoding to the current Scope. Text sugar is expanded on the
// spot into the definitions it stands for, emitted just before the item
// that uses them: inline export aliases `(func $i "name")`, inline type
// definitions (value types, function/component/instance types), inline
// `(export ...)` / `(import ...)` on definitions, inline core instances in
// `with` arguments, and implicit outer aliases for names of types, core
// types, core modules and components found only in an enclosing scope.
// Errors: the first failure is kept (Malformed, "LINE:COL: message").
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "component/text/scope.h"
#include "interp/text/lexer.h"
#include "interp/text/token_expect.h"

namespace wippy::component::text {

using wippy::text::Token;

class Parser : wippy::text::TokenExpect<Parser> {
  friend class wippy::text::TokenExpect<Parser>;

 public:
  explicit Parser(const wippy::text::TokenList& tl) : t_(tl.tokens), match_(tl.match), tl_(tl) {}

  // Encodes the component fields in tokens [begin, end) (end: the closing
  // paren or Eof) as a complete component binary.
  Result<Bytes> component(size_t begin, size_t end, std::string label);

 private:
  // The optional parts that may follow a definition's `$id`.
  struct Head {
    const Token* id = nullptr;
    std::vector<Bytes> exports;        // encoded extern names of inline exports
    std::optional<Bytes> import_name;  // inline import
  };

  // ---- cursor (parser_core.cpp) ----
  const Token& peek(size_t k = 0) const;
  const Token& next();
  bool at_rparen() const { return peek().kind == Token::RParen; }
  bool at_lparen(std::string_view kw) const;
  bool at_lparen2(std::string_view kw1, std::string_view kw2) const;
  bool fail(const Token& t, std::string_view msg);
  bool unexpected(const Token& t);
  // expect_lparen, expect_rparen, expect_keyword, name: TokenExpect.
  bool u32(uint32_t& out);
  const Token* opt_id();
  static bool is_index_token(const Token& t);
  bool at_index_ref() const;
  bool at_name_only(std::string_view kw) const;  // `( kw index )` with nothing else

  // ---- names and emission (parser_core.cpp) ----
  bool define(Sort s, const Token* id, uint32_t* out = nullptr);
  bool index(Sort s, uint32_t& out);
  bool outer_index(Sort s, const Token& t, uint32_t& out);
  bool emit_type(const Bytes& deftype, const Token* id, uint32_t* out);
  bool emit_core_type(const Bytes& coretype, const Token* id, uint32_t* out);
  bool emit_alias(Sort s, const Bytes& target, const Token* id, uint32_t* out);
  void emit_item(uint8_t section, const Bytes& item);
  static void put_sort(Bytes& out, Sort s);
  static void put_core_sort(Bytes& out, Sort s);
  bool sort_keyword(Sort& s);       // `core func` ... `instance`
  bool core_sort_keyword(Sort& s);  // `func` ... `instance` (core sorts)
  // The core sort the token names (`func` ... `instance`), or nullopt; the
  // token is not consumed.
  static std::optional<Sort> core_sort_named(const Token& t);
  bool ref_tail(Sort s, uint32_t& out);  // index followed by export names
  bool sort_ref(Sort& s, uint32_t& out);  // `(sort idx "name"*)`
  bool core_ref(Sort want, uint32_t& out);  // idx | `(core? sort idx "name"*)`
  bool extern_name(Bytes& out);  // "name" attributes*
  bool head(Head& h, bool allow_import);
  bool finish_exports(const Head& h, Sort s, uint32_t index);
  // Defines the field's item of sort s under h.id, then finish_exports.
  bool define_and_export(const Head& h, Sort s);
  // The rest of a field of sort s that is an inline import (extern desc byte
  // `desc` with a type use), or at `(alias`: an inline alias; both then export.
  bool inline_import_field(const Head& h, Sort s, uint8_t desc);
  bool inline_alias_field(const Head& h, Sort s);
  // At `(kw` of a field of sort s: steps in and reads its head into h; an
  // inline import (desc byte `desc`) or alias is then parsed whole. nullopt
  // when the field's own body follows, else that result (false on an error).
  std::optional<bool> head_or_inline_field(Sort s, uint8_t desc, Head& h);
  // `(export "name" (sort ref))*` of an inline instance, appended to `expr`
  // as an instance expression of exports (put_instance_exports).
  bool inline_exports(Bytes& expr);
  // The two forms of a (core) instance expression, appended to `out`:
  // 0x00 instantiate `target` with the `n` encoded `args`, or 0x01 the `k`
  // encoded inline `exports`.
  static void put_instantiate(Bytes& out, uint32_t target, uint32_t n, const Bytes& args);
  // A core (with `core`) or component instance expression up to the
  // field's closing paren, appended to `item`: `(instantiate target args)`
  // (put_instantiate) or inline exports (put_instance_exports).
  bool instance_expr(bool core, Bytes& item);
  // After `(instantiate`: what is instantiated, of sort s, into `out`: a
  // bare index, or `(kw ref)` (with `core`, `(core? kw ref)`).
  bool instantiate_target(Sort s, std::string_view kw, bool core, uint32_t& out);
  static void put_instance_exports(Bytes& out, uint32_t k, const Bytes& exports);

  // ---- core definitions (parser_core.cpp) ----
  bool core_module_field(const Head& h, size_t close);
  bool core_instance_field();
  // `(with "name" (instance ref))*` or with an inline instance of core
  // exports: the core form of instantiate_args.
  bool core_instantiate_args(Bytes& out, uint32_t& n);
  bool core_type_def(const Token* id, uint32_t* out);
  bool core_functype(Bytes& out);
  bool core_valtype(Bytes& out);
  bool core_moduletype(Bytes& out);
  bool core_externtype(Bytes& out);
  bool core_func_field(Sort s);

  // ---- types (parser_types.cpp) ----
  bool valtype(Bytes& out);
  // 0x00 | 0x01 valtype: absent before a ')' or, when `next_form` is not
  // empty, before a following `(next_form`.
  bool opt_valtype_here(Bytes& out, std::string_view next_form = {});
  // An optional trailing `(kw ...)`: 0x00 when absent, else 0x01, then
  // payload() appends the form's content; the form's ')' is consumed.
  template <class Payload>
  bool opt_trailing_form(std::string_view kw, Bytes& out, Payload payload) {
    if (!at_lparen(kw)) {
      out.push_back(0x00);
      return true;
    }
    next();
    next();
    out.push_back(0x01);
    return payload() && expect_rparen();
  }
  bool deftype(Bytes& out);           // at the '(' of a type constructor, or a prim keyword
  bool functype_parts(Bytes& out);    // (param ...)* (result ...)?
  bool scoped_type(Scope::Kind kind, Bytes& out);  // decls until ')'
  // A new Scope of `kind` inside the current one (labelled by `label` when
  // not null) in which `parse` (fields or decls) runs one nesting level
  // deeper. Returns it, or null when the nesting is too deep or parse fails.
  std::unique_ptr<Scope> parse_nested(Scope::Kind kind, const Token* label, bool (Parser::*parse)());
  bool decls();
  bool decl();
  bool type_use(Sort s, uint32_t& out);  // (type idx) or an inline definition of sort s
  bool extern_desc(Bytes& out, Sort& s, const Token*& id);
  bool extern_desc_body(Sort s, Bytes& out);
  // At `(eq idx)`: the bound 0x00 and the index (of sort s) it names.
  bool eq_bound(Sort s, Bytes& out);
  bool type_field();
  bool import_field();
  bool export_field();

  // ---- component fields (parser_fields.cpp) ----
  bool fields();
  bool field();
  bool nested_component(size_t close);
  bool instance_field();
  bool instantiate_args(Bytes& out, uint32_t& n);
  bool inline_instance_exports(Bytes& expr);  // the core form of inline_exports
  bool alias_field();
  bool alias_target(Bytes& target, Sort& s, const Token*& id);
  bool canon_field();
  // At `(canon`: steps in, then the built-in and its operands into `out`
  // (for lift: without the type; `lift` says which).
  bool canon_item(Bytes& out, bool& lift);
  bool canon_opts(Bytes& out);
  bool func_field();
  bool start_field();

  const std::vector<Token>& t_;
  const std::vector<uint32_t>& match_;
  const wippy::text::TokenList& tl_;
  size_t pos_ = 0;
  size_t end_ = 0;
  Scope* scope_ = nullptr;
  bool failed_ = false;
  Error err_;
  uint32_t depth_ = 0;       // nested components and component/instance types
  uint32_t type_depth_ = 0;  // inline value types inside one another
};

}  // namespace wippy::component::text
