// wit_print.h — a component's imports and exports as a WIT-like world,
// printed from its resolved type graph (type_graph.h), so no index space or
// alias is resolved here. Every import and export gets a line or a block:
// functions with their signatures, types by their definitions (record,
// variant, enum, flags; `resource r;`; `type a = b;` / `use b;` for another
// name of a named type), instances as `interface { ... }` listing every
// function and type they export. A type with a name in the world prints as
// that name. The walk recurses at most kMaxTypeDepth levels (validate.h).
#pragma once
#include <string>

#include "component/type_graph.h"

namespace wippy::component {

// "world NAME {\n  import ...\n  export ...\n}\n".
std::string wit_print(const tgraph::TypeGraph& graph, const std::string& world_name);

}  // namespace wippy::component
