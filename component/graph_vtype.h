// graph_vtype.h — a validated type graph's value and function types
// (type_graph.h) as the canonical ABI's resolved types (rtype.h), so that
// layout and flattening exist once, in rtype.cpp.
// Contract:
//  * Resources stay unbound: own and borrow become VTypes with no resource
//    (they lay out and flatten as i32 whatever they name). This is the
//    validator's view; instantiation binds resources to run-time identities.
//  * A GraphVTypes converts each graph node once (nodes shared in the graph
//    stay shared), so a type whose tree form is exponential converts in
//    linear time. It holds node pointers: it must not outlive the graph.
//  * Only value-type nodes (value()) and function nodes (func()) are
//    accepted; the graph's measure() bounds their depth beforehand.
#pragma once
#include <unordered_map>

#include "component/rtype.h"
#include "component/type_graph.h"

namespace wippy::component::tgraph {

class GraphVTypes {
 public:
  VTypeRef value(TRef t);
  FuncSig func(TRef ft);

 private:
  std::unordered_map<TRef, VTypeRef> memo_;
};

}  // namespace wippy::component::tgraph
