// rtype.cpp — layout (alignment, size, flattening) of resolved value types.
#include "component/rtype.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "interp/quote.h"

namespace wippy::component {

using wippy::ValType;

uint32_t align_to(uint32_t n, uint32_t align) { return (n + align - 1) / align * align; }

uint32_t discriminant_size(size_t num_cases) {
  if (num_cases <= 256) return 1;
  if (num_cases <= 65536) return 2;
  return 4;
}

std::vector<const VType*> variant_cases(const VType& t) {
  std::vector<const VType*> out;
  switch (t.kind) {
    case ValKind::Enum: out.assign(t.labels.size(), nullptr); break;
    case ValKind::Option: out = {nullptr, t.elems[0].get()}; break;
    case ValKind::Result: out = {t.elems[0].get(), t.elems[1].get()}; break;
    case ValKind::Variant:
      for (auto& e : t.elems) out.push_back(e.get());
      break;
    default: break;
  }
  return out;
}

namespace {

void layout_fields(const std::vector<const VType*>& fields, VType& t) {
  uint32_t size = 0, align = 1;
  for (auto* f : fields) {
    size = align_to(size, f->align) + f->size;
    align = std::max(align, f->align);
    t.flat.insert(t.flat.end(), f->flat.begin(), f->flat.end());
  }
  t.align = align;
  t.size = align_to(size, align);
}

void layout(VType& t) {
  t.flat.clear();
  switch (t.kind) {
    case ValKind::Bool: case ValKind::S8: case ValKind::U8:
      t.align = t.size = 1; t.flat = {ValType::I32}; break;
    case ValKind::S16: case ValKind::U16:
      t.align = t.size = 2; t.flat = {ValType::I32}; break;
    case ValKind::S32: case ValKind::U32: case ValKind::Char:
    case ValKind::Own: case ValKind::Borrow:
      t.align = t.size = 4; t.flat = {ValType::I32}; break;
    case ValKind::F32: t.align = t.size = 4; t.flat = {ValType::F32}; break;
    case ValKind::S64: case ValKind::U64:
      t.align = t.size = 8; t.flat = {ValType::I64}; break;
    case ValKind::F64: t.align = t.size = 8; t.flat = {ValType::F64}; break;
    case ValKind::List:
      if (t.length) {
        const VType& e = *t.elems[0];
        t.align = e.align;
        t.size = e.size * t.length;
        for (uint32_t i = 0; i < t.length && t.flat.size() <= kMaxFlatParams; ++i)
          t.flat.insert(t.flat.end(), e.flat.begin(), e.flat.end());
        break;
      }
      t.align = 4; t.size = 8; t.flat = {ValType::I32, ValType::I32}; break;
    case ValKind::String:
      t.align = 4; t.size = 8; t.flat = {ValType::I32, ValType::I32}; break;
    case ValKind::Record: case ValKind::Tuple: {
      std::vector<const VType*> fs;
      for (auto& e : t.elems) fs.push_back(e.get());
      layout_fields(fs, t);
      break;
    }
    case ValKind::Flags: {
      size_t n = t.labels.size();
      t.size = t.align = n <= 8 ? 1 : n <= 16 ? 2 : 4;
      t.flat = {ValType::I32};
      break;
    }
    case ValKind::Variant: case ValKind::Enum: case ValKind::Option: case ValKind::Result: {
      auto cases = variant_cases(t);
      uint32_t dsize = discriminant_size(cases.size());
      uint32_t max_align = dsize, max_size = 0;
      std::vector<ValType> payload;
      for (auto* c : cases) {
        if (!c) continue;
        max_align = std::max(max_align, c->align);
        max_size = std::max(max_size, c->size);
        for (size_t i = 0; i < c->flat.size(); ++i) {
          if (i < payload.size()) payload[i] = join_flat(payload[i], c->flat[i]);
          else payload.push_back(c->flat[i]);
        }
      }
      t.align = max_align;
      t.size = align_to(align_to(dsize, max_align) + max_size, max_align);
      t.flat.push_back(ValType::I32);
      t.flat.insert(t.flat.end(), payload.begin(), payload.end());
      break;
    }
  }
}

}  // namespace

VTypeRef make_vtype(VType t) {
  layout(t);
  return std::make_shared<const VType>(std::move(t));
}

VTypeRef prim_vtype(ValKind k) {
  // The primitive nodes are immutable: one shared node per kind, made once
  // (thread-safe static initialisation), so resolving a component's types
  // for each instance allocates nothing for them.
  static const std::array<VTypeRef, size_t(ValKind::String) + 1> nodes = [] {
    std::array<VTypeRef, size_t(ValKind::String) + 1> a;
    for (size_t i = 0; i < a.size(); ++i) {
      VType t;
      t.kind = ValKind(i);
      a[i] = make_vtype(std::move(t));
    }
    return a;
  }();
  if (size_t(k) < nodes.size()) return nodes[size_t(k)];
  VType t;
  t.kind = k;
  return make_vtype(std::move(t));
}

std::vector<ValType> flatten_params(const FuncSig& sig) {
  std::vector<ValType> out;
  for (auto& p : sig.params) out.insert(out.end(), p->flat.begin(), p->flat.end());
  return out;
}

std::vector<ValType> flatten_results(const FuncSig& sig) {
  if (!sig.result) return {};
  return (*sig.result)->flat;
}

ValType join_flat(ValType a, ValType b) {
  if (a == b) return a;
  if ((a == ValType::I32 && b == ValType::F32) || (a == ValType::F32 && b == ValType::I32))
    return ValType::I32;
  return ValType::I64;
}

wippy::FuncType flatten_func(const FuncSig& sig, bool lower) {
  return spill_flat(flatten_params(sig), flatten_results(sig), lower);
}

wippy::FuncType spill_flat(std::vector<ValType> params, std::vector<ValType> results, bool lower) {
  wippy::FuncType ft;
  ft.params = std::move(params);
  if (ft.params.size() > kMaxFlatParams) ft.params = {ValType::I32};
  ft.results = std::move(results);
  if (ft.results.size() > kMaxFlatResults) {
    if (lower) {
      ft.params.push_back(ValType::I32);
      ft.results.clear();
    } else {
      ft.results = {ValType::I32};
    }
  }
  return ft;
}

std::string type_to_string(const VType& t) {
  auto list = [&](const char* head) {
    std::string s = fmt::format("({}", head);
    for (size_t i = 0; i < t.elems.size(); ++i) {
      s += ' ';
      if (i < t.labels.size()) s += t.labels[i] + ":";
      s += t.elems[i] ? type_to_string(*t.elems[i]) : "_";
    }
    return s + ")";
  };
  switch (t.kind) {
    case ValKind::List: return list("list");
    case ValKind::Record: return list("record");
    case ValKind::Tuple: return list("tuple");
    case ValKind::Variant: return list("variant");
    case ValKind::Option: return list("option");
    case ValKind::Result: return list("result");
    case ValKind::Enum: return fmt::format("(enum {})", t.labels.size());
    case ValKind::Flags: return fmt::format("(flags {})", t.labels.size());
    case ValKind::Own: return fmt::format("(own {})", t.resource ? t.resource->name : "?");
    case ValKind::Borrow: return fmt::format("(borrow {})", t.resource ? t.resource->name : "?");
    default: return val_kind_name(t.kind);
  }
}

bool same_vtype(const VType& a, const VType& b) {
  if (&a == &b) return true;
  if (a.kind != b.kind || a.labels != b.labels || a.length != b.length || a.resource != b.resource ||
      a.elems.size() != b.elems.size())
    return false;
  for (size_t i = 0; i < a.elems.size(); ++i) {
    const VType* x = a.elems[i].get();
    const VType* y = b.elems[i].get();
    if (!x != !y || (x && !same_vtype(*x, *y))) return false;
  }
  return true;
}

Result<void> sig_matches(const FuncSig& supplied, const FuncSig& wanted) {
  auto differ = [](std::string what) { return make_error(ErrorKind::Unlinkable, std::move(what)); };
  if (supplied.params.size() != wanted.params.size())
    return differ(fmt::format("expected {} parameters, found {}", wanted.params.size(), supplied.params.size()));
  for (size_t i = 0; i < wanted.params.size(); ++i) {
    const std::string& want_name = i < wanted.param_names.size() ? wanted.param_names[i] : std::string();
    const std::string& got_name = i < supplied.param_names.size() ? supplied.param_names[i] : std::string();
    if (want_name != got_name)
      return differ(fmt::format("expected parameter {} named `{}`, found `{}`", i + 1, quote_input(want_name),
                                quote_input(got_name)));
    if (!same_vtype(*supplied.params[i], *wanted.params[i]))
      return differ(fmt::format("parameter `{}` is {}, expected {}", quote_input(want_name), type_to_string(*supplied.params[i]),
                                type_to_string(*wanted.params[i])));
  }
  if (supplied.result.has_value() != wanted.result.has_value())
    return differ(wanted.result ? "expected a result, found none" : "expected no result, found one");
  if (wanted.result && !same_vtype(**supplied.result, **wanted.result))
    return differ(fmt::format("the result is {}, expected {}", type_to_string(**supplied.result),
                              type_to_string(**wanted.result)));
  return {};
}

}  // namespace wippy::component
