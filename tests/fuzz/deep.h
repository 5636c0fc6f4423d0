// deep.h — structure-aware inputs for wippy-fuzz's --deep mode: inputs that
// nest on purpose (component types, core blocks, JSON, YAML), to show that
// no walk over input structure recurses without bound.
// Contract: deep_input(target, rng) returns one input for `target` ("core",
// "component", "wat", "cwat", "json", "yaml"; "" for others), deterministic
// in rng. The nesting depth is drawn mostly around the project's limits
// (kMaxTypeDepth, kMaxJsonDepth, the decoder's and text parsers' limits,
// each -1, +0, +1) and otherwise anywhere up to 100,000 levels; the shape
// (which type constructor or block kind nests, whether the input is then
// truncated or a byte flipped) is drawn too.
#pragma once
#include <cstdint>
#include <string>

#include "tests/fuzz/mutate.h"

namespace wippy::fuzz {

std::string deep_input(const std::string& target, Rng& rng);

// Fixed shapes for acceptance tests (`wippy-fuzz --emit-deep`):
//   component types `depth` options deep, chained by index (binary);
//   "func": the same chain as the parameter and result of an exported,
//   lifted function (component text); a JSON array `depth` deep.
std::string deep_option_types(uint32_t depth);
std::string deep_option_func_text(uint32_t depth);
std::string deep_json_array(uint32_t depth);

}  // namespace wippy::fuzz
