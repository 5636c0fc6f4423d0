// graph_vtype.cpp — GraphVTypes (see graph_vtype.h).
#include "component/graph_vtype.h"

namespace wippy::component::tgraph {

VTypeRef GraphVTypes::value(TRef t) { return convert(t).type; }

const GraphVTypes::Converted& GraphVTypes::convert(TRef t) {
  if (auto it = memo_.find(t); it != memo_.end()) return it->second;
  bool handles = false;
  auto sub = [&](TRef c) {
    if (!c) return VTypeRef{};
    const Converted& e = convert(c);
    handles |= e.handles;
    return e.type;
  };
  VTypeRef out;
  VType v;
  switch (t->kind) {
    case NodeKind::Prim: out = prim_vtype(prim_kind(t->prim)); break;
    case NodeKind::Record: case NodeKind::Variant: case NodeKind::Tuple:
      v.kind = t->kind == NodeKind::Record ? ValKind::Record
               : t->kind == NodeKind::Variant ? ValKind::Variant
                                              : ValKind::Tuple;
      for (auto& [label, type] : t->fields) {
        if (t->kind != NodeKind::Tuple) v.labels.push_back(label);
        v.elems.push_back(sub(type));
      }
      break;
    case NodeKind::List:  // a map is laid out as the list of tuples `a` names
      v.kind = ValKind::List;
      v.elems = {sub(t->a)};
      v.length = t->fixed_len;
      break;
    case NodeKind::Flags: case NodeKind::Enum:
      v.kind = t->kind == NodeKind::Flags ? ValKind::Flags : ValKind::Enum;
      v.labels = t->labels;
      break;
    case NodeKind::Option:
      v.kind = ValKind::Option;
      v.elems = {sub(t->a)};
      break;
    case NodeKind::Result:
      v.kind = ValKind::Result;
      v.elems = {sub(t->a), sub(t->b)};
      break;
    case NodeKind::Own: case NodeKind::Borrow:
      v.kind = t->kind == NodeKind::Own ? ValKind::Own : ValKind::Borrow;
      handles = true;
      if (resolve_) {
        v.resource = resolve_(base_of(t->a));
        if (!v.resource) unbound_ = true;
      }
      break;
    case NodeKind::Func: case NodeKind::Component: case NodeKind::Instance: case NodeKind::Resource:
      v.kind = ValKind::Bool;  // not a value type; callers never ask
      break;
  }
  if (!out) out = make_vtype(std::move(v));
  return memo_.emplace(t, Converted{std::move(out), handles}).first->second;
}

FuncSig GraphVTypes::func(TRef ft, bool* handles) {
  FuncSig sig;
  bool any = false;
  for (auto& [name, type] : ft->fields) {
    sig.param_names.push_back(name);
    const Converted& c = convert(type);
    sig.params.push_back(c.type);
    any |= c.handles;
  }
  if (ft->a) {
    const Converted& c = convert(ft->a);
    sig.result = c.type;
    any |= c.handles;
  }
  if (handles) *handles = any;
  return sig;
}

}  // namespace wippy::component::tgraph
