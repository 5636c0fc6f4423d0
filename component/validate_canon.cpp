// validate_canon.cpp — the validator's canon definitions: canonical
// options, and the typing of lift, lower and the resource built-ins (core
// types flattened by rtype.h from the graph's types, graph_vtype.h). See
// validate_impl.h.
#include "component/validate_impl.h"

#include <fmt/format.h>

#include <cctype>

#include "component/graph_vtype.h"

namespace wippy::component::validate_detail {

namespace {

std::string core_type_string(const wippy::FuncType& f) { return functype_to_string(f); }

}  // namespace

// ---- variant cases ------------------------------------------------------

// The case payloads of a variant, option or result (nullptr: no payload).
std::vector<TRef> Validator::case_payloads(TRef t) {
  if (t->kind == NodeKind::Option) return {nullptr, t->a};
  if (t->kind == NodeKind::Result) return {t->a, t->b};
  std::vector<TRef> out;
  for (auto& f : t->fields) out.push_back(f.second);
  return out;
}

// ---- canon -----------------------------------------------------------------

// "[I32, I64]", as wasm-tools lists core types.
std::string Validator::core_types_list(const std::vector<wippy::ValType>& ts) {
  std::string s = "[";
  for (size_t i = 0; i < ts.size(); ++i) {
    std::string n = valtype_name(ts[i]);
    for (char& c : n) c = char(std::toupper(static_cast<unsigned char>(c)));
    s += (i ? ", " : "") + n;
  }
  return s + "]";
}

bool Validator::check_options(Scope& s, const CanonOptions& o, bool lift, uint32_t off) {
  if (o.memory && !check_index(s, Sort::CoreMemory, *o.memory, off)) return false;
  if (o.realloc) {
    if (!check_index(s, Sort::CoreFunc, *o.realloc, off)) return false;
    wippy::FuncType want{{wippy::ValType::I32, wippy::ValType::I32, wippy::ValType::I32, wippy::ValType::I32},
                         {wippy::ValType::I32}};
    if (!(s.core_funcs[*o.realloc] == want))
      return fail(off, fmt::format("canonical option `realloc` uses a core function with an incorrect signature: "
                                   "expected (i32 i32 i32 i32) -> (i32), found {}",
                                   core_type_string(s.core_funcs[*o.realloc])));
    if (!o.memory) return fail(off, "canonical option `realloc` requires `memory` to also be specified");
  }
  if (o.post_return) {
    if (!lift) return fail(off, "canonical option `post-return` cannot be specified for lowerings");
    if (!check_index(s, Sort::CoreFunc, *o.post_return, off)) return false;
  }
  return true;
}

bool Validator::canon(Scope& s, const Canon& c, uint32_t off) {
  switch (c.kind) {
    case Canon::Kind::Lift: {
      if (!check_index(s, Sort::CoreFunc, c.func, off)) return false;
      TRef ft = type_at(s, c.type, off);
      if (!ft) return false;
      if (ft->kind != NodeKind::Func) return fail(off, fmt::format("type index {} is not a function type", c.type));
      if (trusted_) {
        s.funcs.push_back(ft);
        return true;
      }
      if (!check_options(s, c.options, true, off)) return false;
      bool mem_params = false, mem_result = needs_memory(ft->a);
      for (auto& p : ft->fields) mem_params |= needs_memory(p.second);
      const FuncSig sig = vtypes_.func(ft);
      wippy::FuncType core = flatten_func(sig, false);
      const size_t flat_params = flatten_params(sig).size(), flat_results = flatten_results(sig).size();
      if ((mem_params || mem_result || flat_params > kMaxFlatParams || flat_results > kMaxFlatResults) &&
          !c.options.memory)
        return fail(off, "canonical option `memory` is required");
      if ((mem_params || flat_params > kMaxFlatParams) && !c.options.realloc)
        return fail(off, "canonical option `realloc` is required");
      if (!(s.core_funcs[c.func] == core)) {
        const wippy::FuncType& have = s.core_funcs[c.func];
        bool params = core.params != have.params;
        return fail(off, fmt::format("lowered {0} types `{1}` do not match {0} types `{2}` of core function {3}",
                                     params ? "parameter" : "result",
                                     core_types_list(params ? core.params : core.results),
                                     core_types_list(params ? have.params : have.results), c.func));
      }
      if (c.options.post_return) {
        wippy::FuncType want{core.results, {}};
        if (!(s.core_funcs[*c.options.post_return] == want))
          return fail(off, fmt::format("canonical option `post-return` uses a core function with an incorrect "
                                       "signature: expected {}, found {}",
                                       core_type_string(want),
                                       core_type_string(s.core_funcs[*c.options.post_return])));
      }
      s.funcs.push_back(ft);
      return true;
    }
    case Canon::Kind::Lower: {
      if (!check_index(s, Sort::Func, c.func, off)) return false;
      TRef ft = s.funcs[c.func];
      if (trusted_) {  // the core function's type only serves checks
        s.core_funcs.emplace_back();
        return true;
      }
      if (!check_options(s, c.options, false, off)) return false;
      bool mem_params = false, mem_result = needs_memory(ft->a);
      for (auto& p : ft->fields) mem_params |= needs_memory(p.second);
      const FuncSig sig = vtypes_.func(ft);
      const size_t flat_params = flatten_params(sig).size(), flat_results = flatten_results(sig).size();
      if ((mem_params || mem_result || flat_params > kMaxFlatParams || flat_results > kMaxFlatResults) &&
          !c.options.memory)
        return fail(off, "canonical option `memory` is required");
      if (mem_result && !c.options.realloc) return fail(off, "canonical option `realloc` is required");
      s.core_funcs.push_back(flatten_func(sig, true));
      return true;
    }
    case Canon::Kind::ResourceNew:
    case Canon::Kind::ResourceDrop:
    case Canon::Kind::ResourceRep: {
      TRef r = type_at(s, c.type, off);
      if (!r) return false;
      if (r->kind != NodeKind::Resource) return fail(off, fmt::format("type index {} is not a resource type", c.type));
      using wippy::ValType;
      if (c.kind == Canon::Kind::ResourceDrop) {
        s.core_funcs.push_back(wippy::FuncType{{ValType::I32}, {}});
        return true;
      }
      if (!r->local || r->owner != &s) return fail(off, fmt::format("type index {} is not a local resource", c.type));
      s.core_funcs.push_back(wippy::FuncType{{ValType::I32}, {ValType::I32}});
      return true;
    }
  }
  return true;
}

}  // namespace wippy::component::validate_detail
