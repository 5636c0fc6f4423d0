// module_parser.cpp — encode_module_fields() and parse_module_form() (see
// module_parser.h) over the ModuleParser of module_parser_impl.h, and that
// parser's token cursor, annotation placement and section assembly.
#include "interp/text/module_parser.h"

#include <algorithm>

#include "base/utf8.h"
#include "interp/quote.h"
#include "interp/text/module_parser_impl.h"

namespace wippy::text::wat_encoder {
namespace {

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

}  // namespace

Result<Bytes> ModuleParser::run() {
  if (!check_annotations() || !scan_fields()) return err_;
  pos_ = begin_;
  while (pos_ < end_) {
    if (!module_annotations() || !field()) return err_;
  }
  if (!module_annotations() || !unplaced_annotations()) return err_;
  return assemble();
}

const Token& ModuleParser::next() {
  const Token& t = peek();
  if (pos_ < end_) ++pos_;
  return t;
}

bool ModuleParser::fail(Error e) {
  if (!failed_) err_ = std::move(e);
  failed_ = true;
  return false;
}

bool ModuleParser::unexpected(const Token& t) {
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

bool ModuleParser::u32(uint32_t& out) {
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

bool ModuleParser::u64(uint64_t& out) {
  const Token& t = peek();
  if (t.kind != Token::Atom) return unexpected(t);
  NumStatus st = parse_uint(t.text, UINT64_MAX, out);
  if (st == NumStatus::Syntax) return unexpected(t);
  if (st == NumStatus::Range) return fail(t, "i64 constant out of range");
  next();
  return true;
}

bool ModuleParser::bind(Space& s, const Token* id, uint32_t index) {
  if (!id) return true;
  auto [it, inserted] = s.names.emplace(id->text, index);
  if (!inserted) return fail(*id, fmt::format("duplicate {} {}", s.dup_name, id->text));
  return true;
}

bool ModuleParser::index(Space& s, uint32_t& out) {
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

bool ModuleParser::put_index(Space& s, Bytes& out) {
  uint32_t idx = 0;
  if (!index(s, idx)) return false;
  put_u32(out, idx);
  return true;
}

bool ModuleParser::check_annotations() {
  for (size_t i = annot_begin_; i < annot_end_; ++i) {
    const Annotation& a = annots_[i];
    if (a.id == "custom") {
      if (auto r = parse_custom_annotation(a); !r) return fail(r.error());
    } else if (a.id == "name") {
      if (auto r = parse_name_annotation(a); !r) return fail(r.error());
    } else {
      if (auto r = parse_branch_hint_annotation(a); !r) return fail(r.error());
      // annotations are in anchor order: the others at this spot are just before
      for (size_t j = i; j-- > annot_begin_ && annots_[j].anchor == a.anchor;)
        if (annots_[j].id == a.id)
          return fail(annotation_error(a, "@metadata.code.branch_hint annotation: duplicate annotation"));
    }
  }
  return true;
}

size_t ModuleParser::first_annotation_at(size_t anchor) const {
  auto it = std::lower_bound(annots_.begin() + ptrdiff_t(annot_begin_), annots_.begin() + ptrdiff_t(annot_end_),
                             anchor, [](const Annotation& a, size_t at) { return a.anchor < at; });
  return size_t(it - annots_.begin());
}

std::vector<const Annotation*> ModuleParser::take_annotations(size_t anchor, std::string_view id) {
  std::vector<const Annotation*> out;
  for (size_t i = first_annotation_at(anchor); i < annot_end_ && annots_[i].anchor == anchor; ++i) {
    if (annots_[i].id != id || annot_placed_[i - annot_begin_]) continue;
    annot_placed_[i - annot_begin_] = true;
    out.push_back(&annots_[i]);
  }
  return out;
}

bool ModuleParser::module_annotations() {
  if (annot_begin_ == annot_end_) return true;
  for (const Annotation* a : take_annotations(pos_, "custom")) customs_.push_back(*parse_custom_annotation(*a));
  if (pos_ != begin_) return true;
  for (const Annotation* a : take_annotations(pos_, "name")) {
    if (names_.module) return fail(annotation_error(*a, "@name annotation: multiple module names"));
    names_.module = *parse_name_annotation(*a);
  }
  return true;
}

bool ModuleParser::name_annotations(std::map<uint32_t, std::string>& names, uint32_t index, std::string_view what) {
  if (annot_begin_ == annot_end_) return true;
  for (const Annotation* a : take_annotations(pos_, "name")) {
    if (!names.emplace(index, *parse_name_annotation(*a)).second)
      return fail(annotation_error(*a, fmt::format("@name annotation: multiple {} names", what)));
  }
  return true;
}

std::optional<uint8_t> ModuleParser::take_branch_hint(const Bytes& out) {
  if (annot_begin_ == annot_end_ || &out != body_) return std::nullopt;
  auto hints = take_annotations(pos_, "metadata.code.branch_hint");
  if (hints.empty()) return std::nullopt;
  return *parse_branch_hint_annotation(*hints.front());
}

bool ModuleParser::unplaced_annotations() {
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

void ModuleParser::put_sub_type(Bytes& out, uint32_t i) {
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

Result<Bytes> ModuleParser::assemble() {
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

void ModuleParser::put_known_section(Bytes& out, SectionSlot slot) {
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

}  // namespace wippy::text::wat_encoder

namespace wippy::text {
Result<std::vector<uint8_t>> encode_module_fields(const TokenList& tl, size_t begin, size_t end) {
  return wat_encoder::ModuleParser(tl, begin, end).run();
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
