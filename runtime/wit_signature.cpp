// wit_signature.cpp — parsing a scalar WIT function signature and matching
// it with a core export's type (see wit_signature.h).
#include "runtime/wit_signature.h"

#include <fmt/format.h>

#include <cctype>
#include <optional>
#include <string>

namespace wippy {
namespace {

using component::FuncSig;
using component::ValKind;
using component::VTypeRef;

std::optional<ValKind> scalar_kind(std::string_view name) {
  struct Named {
    std::string_view name;
    ValKind kind;
  };
  static constexpr Named kScalars[] = {
      {"bool", ValKind::Bool}, {"s8", ValKind::S8},       {"u8", ValKind::U8},
      {"s16", ValKind::S16},   {"u16", ValKind::U16},     {"s32", ValKind::S32},
      {"u32", ValKind::U32},   {"s64", ValKind::S64},     {"u64", ValKind::U64},
      {"f32", ValKind::F32},   {"float32", ValKind::F32}, {"f64", ValKind::F64},
      {"float64", ValKind::F64}, {"char", ValKind::Char},
  };
  for (const Named& n : kScalars)
    if (n.name == name) return n.kind;
  return std::nullopt;
}

// A tiny cursor over the signature text: identifiers (kebab case, with an
// optional leading '%') and single punctuation characters.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool done() {
    skip_space();
    return pos_ >= s_.size();
  }
  bool eat(std::string_view tok) {
    skip_space();
    if (s_.substr(pos_, tok.size()) != tok) return false;
    pos_ += tok.size();
    return true;
  }
  std::string ident() {
    skip_space();
    size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '%') ++pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-'))
      ++pos_;
    std::string id(s_.substr(start, pos_ - start));
    if (!id.empty() && id[0] == '%') id.erase(0, 1);
    return id;
  }
  std::string rest() {
    skip_space();
    return std::string(s_.substr(pos_, 24));
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

Error bad(std::string_view text, std::string_view what) {
  return make_error(ErrorKind::Invalid, fmt::format("wit signature `{}`: {}", text, what));
}

Result<VTypeRef> parse_type(Cursor& c, std::string_view text) {
  std::string name = c.ident();
  if (name.empty()) return bad(text, fmt::format("expected a type at `{}`", c.rest()));
  std::optional<ValKind> k = scalar_kind(name);
  if (!k)
    return bad(text, fmt::format("type {} cannot be passed to a core export (only bool, integers, "
                                 "floats and char)",
                                 name));
  return component::prim_vtype(*k);
}

std::string_view core_name(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    default: return "reference";
  }
}

}  // namespace

Result<FuncSig> parse_wit_signature(std::string_view text) {
  Cursor c(text);
  FuncSig sig;
  // Optional "name:" before "func".
  Cursor probe = c;
  std::string first = probe.ident();
  if (first != "func" && !first.empty() && probe.eat(":")) c = probe;
  if (c.ident() != "func" || !c.eat("(")) return bad(text, "expected `func(`");
  if (!c.eat(")")) {
    for (;;) {
      std::string pname = c.ident();
      if (pname.empty() || !c.eat(":")) return bad(text, fmt::format("expected `name: type` at `{}`", c.rest()));
      auto t = parse_type(c, text);
      if (!t) return t.error();
      sig.param_names.push_back(std::move(pname));
      sig.params.push_back(std::move(*t));
      if (c.eat(")")) break;
      if (!c.eat(",")) return bad(text, fmt::format("expected `,` or `)` at `{}`", c.rest()));
    }
  }
  if (c.eat("->")) {
    auto t = parse_type(c, text);
    if (!t) return t.error();
    sig.result = std::move(*t);
  }
  c.eat(";");
  if (!c.done()) return bad(text, fmt::format("unexpected `{}`", c.rest()));
  return sig;
}

Result<FuncSig> signature_for_core(std::string_view wit, const FuncType& core) {
  if (wit.empty()) {
    FuncSig sig;
    auto kind_of = [](ValType t) -> std::optional<ValKind> {
      switch (t) {
        case ValType::I32: return ValKind::S32;
        case ValType::I64: return ValKind::S64;
        case ValType::F32: return ValKind::F32;
        case ValType::F64: return ValKind::F64;
        default: return std::nullopt;
      }
    };
    for (size_t i = 0; i < core.params.size(); ++i) {
      auto k = kind_of(core.params[i]);
      if (!k) return make_error(ErrorKind::Invalid, "a reference parameter cannot be passed from JSON");
      sig.param_names.push_back(fmt::format("p{}", i));
      sig.params.push_back(component::prim_vtype(*k));
    }
    if (core.results.size() > 1)
      return make_error(ErrorKind::Invalid,
                        fmt::format("the export returns {} values; only one result is supported",
                                    core.results.size()));
    if (core.results.size() == 1) {
      auto k = kind_of(core.results[0]);
      if (!k) return make_error(ErrorKind::Invalid, "a reference result cannot be printed as JSON");
      sig.result = component::prim_vtype(*k);
    }
    return sig;
  }
  auto sig = parse_wit_signature(wit);
  if (!sig) return sig.error();
  FuncType flat = component::flatten_func(*sig, false);
  if (flat != core) {
    std::string detail;
    for (size_t i = 0; i < std::max(flat.params.size(), core.params.size()); ++i) {
      if (i < flat.params.size() && i < core.params.size() && flat.params[i] == core.params[i]) continue;
      detail = fmt::format(" (parameter {}: wit wants {}, the export has {})", i + 1,
                           i < flat.params.size() ? core_name(flat.params[i]) : "none",
                           i < core.params.size() ? core_name(core.params[i]) : "none");
      break;
    }
    return make_error(ErrorKind::Invalid,
                      fmt::format("wit signature `{}` does not match the export's type {}{}", wit,
                                  functype_to_string(core), detail));
  }
  return sig;
}

}  // namespace wippy
