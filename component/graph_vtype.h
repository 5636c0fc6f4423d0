// graph_vtype.h — a validated type graph's value and function types
// (type_graph.h) as the canonical ABI's resolved types (rtype.h), so that
// layout and flattening exist once, in rtype.cpp.
// Contract:
//  * Without a resolver, resources stay unbound: own and borrow become
//    VTypes with no resource (they lay out and flatten as i32 whatever they
//    name). This is the validator's view. Instantiation passes a resolver
//    that gives each resource node (base_of) its run-time identity; a node
//    it cannot bind leaves the VType's resource null and unbound() true.
//  * A GraphVTypes converts each graph node once (nodes shared in the graph
//    stay shared), so a type whose tree form is exponential converts in
//    linear time. It holds node pointers: it must not outlive the graph.
//  * Only value-type nodes (value()) and function nodes (func()) are
//    accepted; the graph's measure() bounds their depth beforehand.
#pragma once
#include <functional>
#include <unordered_map>

#include "component/rtype.h"
#include "component/type_graph.h"

namespace wippy::component::tgraph {

class GraphVTypes {
 public:
  using Resolver = std::function<ResourceRef(TRef resource)>;
  GraphVTypes() = default;
  explicit GraphVTypes(Resolver resolve) : resolve_(std::move(resolve)) {}

  VTypeRef value(TRef t);
  // `*handles` (when given) tells whether a parameter or the result holds
  // an own or borrow anywhere in it.
  FuncSig func(TRef ft, bool* handles = nullptr);
  // Did a resolver fail to bind a resource met so far?
  bool unbound() const { return unbound_; }

 private:
  struct Converted {
    VTypeRef type;
    bool handles = false;  // an own or borrow in it
  };
  const Converted& convert(TRef t);
  std::unordered_map<TRef, Converted> memo_;
  Resolver resolve_;
  bool unbound_ = false;
};

}  // namespace wippy::component::tgraph
