// module_parser_impl.h — the WAT module encoder behind module_parser.h,
// private to interp/text/module_parser*.cpp. Two passes over the fields:
// the first (module_parser_types.cpp) binds every identifier of every
// module-level index space (type names first, as a recursion group's types
// refer to each other) and parses explicit type definitions (`type`, `rec`,
// `sub`, struct/array/func), so that inline type uses can match them (only
// plain final function types alone in their group); the second parses each
// field fully (module_parser_fields.cpp, instructions in
// module_parser_instrs.cpp) and appends its encoding to the section it
// belongs to. Imports must precede all definitions, so indices in textual
// order equal binary indices. Annotations are placed as fields and
// instructions are read; module_parser.cpp holds the token cursor, that
// placement and the assembly of the sections.
#pragma once
#include <fmt/format.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/result.h"
#include "interp/opcodes.h"
#include "interp/text/annotations.h"
#include "interp/text/binary_writer.h"
#include "interp/text/lexer.h"
#include "interp/text/numbers.h"
#include "interp/text/token_expect.h"
#include "interp/types.h"

namespace wippy::text::wat_encoder {

// One index space: identifiers bound to indices, and how many entries exist.
struct Space {
  const char* dup_name;      // "duplicate func $x"
  const char* unknown_name;  // "unknown function $x"
  std::unordered_map<std::string_view, uint32_t> names;
  uint32_t count = 0;
};

class ModuleParser : TokenExpect<ModuleParser> {
  friend class TokenExpect<ModuleParser>;

 public:
  ModuleParser(const TokenList& tl, size_t begin, size_t end)
      : t_(tl.tokens), m_(tl.match), pos_(begin), begin_(begin), end_(end), annots_(tl.annotations) {
    annot_end_ = annots_.size();  // first_annotation_at searches [annot_begin_, annot_end_)
    annot_begin_ = first_annotation_at(begin_);
    annot_end_ = first_annotation_at(end_ + 1);
    annot_placed_.assign(annot_end_ - annot_begin_, false);
  }

  Result<Bytes> run();

 private:
  // ---- token cursor ----------------------------------------------------
  const Token& peek(size_t k = 0) const { return t_[std::min(pos_ + k, end_)]; }
  const Token& next();
  bool at_rparen() const { return peek().kind == Token::RParen; }
  bool at_lparen(std::string_view kw) const {
    return peek().kind == Token::LParen && peek(1).is(kw);
  }
  bool fail(const Token& t, std::string_view msg) { return fail(error_at(t, msg)); }
  bool fail(Error e);
  bool unexpected(const Token& t);
  // expect_lparen, expect_rparen, expect_keyword, string, name: TokenExpect.
  static bool is_index_token(const Token& t) {
    return t.kind == Token::Atom && (t.is_id() || (t.text[0] >= '0' && t.text[0] <= '9'));
  }

  // ---- numbers -----------------------------------------------------------
  bool u32(uint32_t& out);
  bool u64(uint64_t& out);

  // ---- identifiers -------------------------------------------------------
  bool bind(Space& s, const Token* id, uint32_t index);
  const Token* opt_id() {
    if (peek().is_id()) return &next();
    return nullptr;
  }
  bool index(Space& s, uint32_t& out);
  // An index of space s (index()), appended to out as a u32.
  bool put_index(Space& s, Bytes& out);

  // ---- types -------------------------------------------------------------
  bool valtype(ValType& out);
  // an abstract heap type (func, any, none, ...) or a type index ($name or number)
  bool heap_type(uint32_t& heap);
  // (ref null? heaptype)
  bool ref_valtype(ValType& out);
  bool reftype(ValType& out);
  static bool is_reftype_token(const Token& t);
  bool at_reftype() { return is_reftype_token(peek()) || at_lparen("ref"); }

  // (param $x? t*)* (result t*)* — appends to ft; names (one per param) if wanted.
  bool params_results(FuncType& ft, std::vector<std::string_view>* names, bool allow_names,
                      bool& any);
  uint32_t intern_type(const FuncType& ft);

  struct TypeUse {
    uint32_t index = 0;
    FuncType type;                         // the resolved type (params give locals)
    std::vector<std::string_view> names;   // param names, empty view when unnamed
  };

  // typeuse ::= (type x)? (param ...)* (result ...)*
  bool type_use(TypeUse& tu, bool allow_names);
  // An optional `(type x)` of a type use or block type, its index to `out`.
  bool type_ref(std::optional<uint32_t>& out);

  // `min max?`, and for memories (shared != nullptr) an optional `shared`.
  // An `i64` address type first (memory64, table64) reads u64 sizes.
  bool limits(Limits& l, bool* shared = nullptr);
  // An optional `i32` / `i64` address type; true for i64.
  bool address_type();
  static void put_limits(Bytes& out, const Limits& l, bool shared = false);
  bool global_type(Bytes& out);

  // ---- pass 1: bind identifiers -----------------------------------------
  bool note_import(const Token& at);
  // Token i of the fields, clamped to end_ (the module's ')' or the Eof of
  // an unclosed one) so that looking ahead never leaves the list.
  const Token& tok(size_t i) const { return t_[std::min(i, end_)]; }
  // Binds every type name first: types of a recursion group refer to each
  // other (and a reference past the group is the validator's "unknown type").
  bool bind_type_names();
  // One `(type ...)` field (pos_ after its id) or a `(rec (type $id? ...)*)`
  // (pos_ after `rec`), through its ')'.
  bool type_group(bool rec);
  // (sub final? typeidx* comptype) | comptype
  bool type_def();
  // storagetype | (mut storagetype); storagetype: a value type, i8 or i16
  bool field_type(FieldType& f);
  bool is_plain_func(uint32_t i) const;
  bool scan_fields();
  static const char* definition_name(const Token& kw);
  Space* space_for(const Token& kw);

  // ---- pass 2: fields ----------------------------------------------------
  bool field();

  // (export "n")* — records exports of entity `index` of `kind`.
  bool inline_exports(ExternKind kind, uint32_t index);
  void add_export(const std::string& n, ExternKind kind, uint32_t index);
  // (import "m" "n") abbreviation, if present: writes the import header.
  bool inline_import(bool& present);
  bool import_field();
  bool func_field();
  bool table_field();
  bool memory_field();
  bool global_field();

  // (tag $id? (export "n")* (import "m" "n")? typeuse)
  bool tag_field();
  bool export_field();
  bool start_field(const Token& kw);

  // An expression up to the closing paren, plus `end`.
  bool const_expr(Bytes& out);
  // (offset instr*) or one folded instruction.
  bool offset_expr(Bytes& out);

  // Element items: exprs ((item instr*) or one folded instr each) or indices.
  // `index_exprs`: with exprs, a bare function index is (ref.func index)
  // (a typed table's inline elem list).
  bool elem_items(bool exprs, Bytes& out, uint32_t& n, bool index_exprs = false);
  void encode_active_elem(uint32_t table, const Bytes& offset, bool exprs, ValType rt,
                          const Bytes& items, uint32_t n);
  bool elem_field();
  bool data_field();

  // ---- instructions ------------------------------------------------------
  // A sequence of instructions, up to ')', `end`, `else` or the end.
  bool instrs(Bytes& out);
  std::string_view opt_label();
  bool end_label(std::string_view label);
  bool block_type(Bytes& out);

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
  bool flat_end(Bytes& out, std::string_view label);

  // block/loop/if in flat form; the keyword is at peek().
  bool flat_block(Bytes& out);

  // try_table's `(catch $t l)`, `(catch_ref $t l)`, `(catch_all l)`,
  // `(catch_all_ref l)` clauses, as a vec(catch). Labels count from outside.
  bool catch_clauses(Bytes& out);

  // Legacy catch arms after a try body: `catch $t instrs`, `catch_all
  // instrs` (flat) or `(catch $t instrs)`, `(catch_all instrs)` (folded);
  // then `end`/`)` or one `delegate l`. Returns with the closing token next.
  bool legacy_arms(Bytes& out, bool folded_form, std::string_view label);

  // The head shared by both forms of try_table and legacy try: the keyword
  // (at peek()), an optional label, the block type and try_table's catch
  // clauses. Writes the opcode and immediates, pushes the label and says
  // which of the two it was in `table`.
  bool try_head(Bytes& out, bool& table, std::string_view& label);

  // A legacy try's `delegate l` (the keyword consumed, l next): pops the
  // try's label first, since l counts from outside the try, then writes
  // delegate l, which ends the try (no `end` follows).
  bool delegate_tail(Bytes& out);

  // try_table and legacy try in flat form; the keyword is at peek().
  bool flat_try(Bytes& out);

  // (try_table $l? bt catch* instrs) and (try $l? bt (do instrs) arms)
  // (or (delegate l) instead of the arms); the '(' is consumed.
  bool folded_try(Bytes& out);
  bool folded(Bytes& out);
  bool plain(Bytes& out);
  bool label_index(uint32_t& out);
  bool opt_index(Space& s, uint32_t& out, bool& present);
  bool memarg(const OpInfo& info, Bytes& out);

  // A token that can only be a literal of a lane list (not an id, an
  // instruction or a block keyword).
  // A reserved token (such as `.0`) counts as a lane, so it is reported as
  // an unknown operator rather than as a short lane list.
  static bool is_lane_literal(const Token& t);

  // A lane index: a nat below 256. In shuffles any number-like token that is
  // not one is a malformed lane; elsewhere only too-large nats are.
  bool lane_index(Bytes& out, bool shuffle = false);
  bool number_error(const Token& t, NumStatus st, std::string_view type);
  bool immediates(Op op, const OpInfo& info, const Token& kw, Bytes& out);

  // ---- annotations (annotations.h) ------------------------------------------
  // Each kept annotation anchored in this module is placed by the field or
  // instruction it stands before (@custom between fields, @name right after
  // a module's, function's or tag's id, a branch hint before an
  // instruction); unplaced_annotations() rejects the rest.

  // Reads every annotation's items, and rejects two branch hints before one
  // instruction, before anything is placed.
  bool check_annotations();

  // The index of the first annotation in [annot_begin_, annot_end_)
  // anchored at `anchor` or later (binary search: they are in anchor order).
  size_t first_annotation_at(size_t anchor) const;
  // The unplaced annotations `id` anchored at token `anchor`, now placed.
  std::vector<const Annotation*> take_annotations(size_t anchor, std::string_view id);

  // At a field boundary (or the module's end): custom sections, and before
  // the first field the module's name.
  bool module_annotations();

  // @name annotations at pos_ naming entity `index` of a function or tag.
  bool name_annotations(std::map<uint32_t, std::string>& names, uint32_t index, std::string_view what);

  // The branch hint before the instruction at pos_, when that instruction
  // is encoded straight into the function body (`out`).
  std::optional<uint8_t> take_branch_hint(const Bytes& out);
  // Records `hint` for the instruction whose opcode comes next in `out`.
  void note_branch_hint(const Bytes& out, std::optional<uint8_t> hint) {
    if (hint) hints_[body_func_].emplace_back(uint32_t(out.size()), *hint);
  }

  bool unplaced_annotations();

  // ---- assembly ------------------------------------------------------------
  void put_sub_type(Bytes& out, uint32_t i);
  Result<Bytes> assemble();
  void put_customs(Bytes& out, CustomPlace place) {
    for (const CustomAnnotation& c : customs_)
      if (c.place == place) put_custom_section(out, c.name, c.content);
  }
  void put_known_section(Bytes& out, SectionSlot slot);

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

}  // namespace wippy::text::wat_encoder
