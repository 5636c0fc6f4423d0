// Unit tests for component/graph_vtype.h: a validated component's type graph
// read as the canonical ABI's resolved types, which is how the validator
// flattens (rtype.cpp holds the one flattening). Test case names start with
// "graph_vtype".
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "component/decode.h"
#include "component/graph_vtype.h"
#include "component/text/component_wat.h"
#include "component/type_graph.h"
#include "component/validate.h"

using namespace wippy;
using namespace wippy::component;

namespace {

Result<Component> decoded(std::string_view src) {
  auto bin = component_wat_to_binary(src);
  REQUIRE_MESSAGE(bin.ok(), bin.error().message);
  return decode_component(*bin);
}

// The type node of the root's export `name`.
tgraph::TRef export_type(const tgraph::TypeGraph& g, const std::string& name) {
  for (const tgraph::Item& it : g.root->exports)
    if (it.name == name) return it.type;
  FAIL("no export " << name);
  return nullptr;
}

constexpr const char* kShapes = R"(
  (component
    (core module $m
      (memory (export "mem") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
      (func (export "f") (param i32 i32 i32 i32 i64 i32 i32 i32 i32 i32 i32) (result i32) i32.const 0))
    (core instance $ci (instantiate $m))
    (type $pt0 (record (field "x" u8) (field "name" string)))
    (export $pt "pt" (type $pt0))
    (type $shape0 (variant (case "dot") (case "r" f32) (case "big" u64)))
    (export $shape "shape" (type $shape0))
    (type $pair (tuple $pt $pt))
    (type $f (func (param "p" $pt) (param "s" $shape) (param "q" $pair) (result (list u32))))
    (func $g (type $f) (canon lift (core func $ci "f") (memory $ci "mem") (realloc (func $ci "realloc"))))
    (export "g" (func $g)))
)";

}  // namespace

TEST_CASE("graph_vtype: a lifted function's parameters flatten as the canonical ABI says") {
  auto c = decoded(kShapes);
  REQUIRE_MESSAGE(c.ok(), c.error().message);
  auto g = tgraph::resolve_component(*c);
  REQUIRE_MESSAGE(g.ok(), g.error().message);
  tgraph::GraphVTypes vt;
  const FuncSig sig = vt.func(export_type(**g, "g"));
  REQUIRE(sig.params.size() == 3);
  CHECK(sig.param_names == std::vector<std::string>{"p", "s", "q"});
  using wippy::ValType;
  // record{u8, string} = i32 i32 i32; variant{_, f32, u64} = i32 (case) +
  // the joined payload i64; tuple of two records = 6 x i32: 11 in all.
  CHECK(flatten_params(sig) == std::vector<ValType>{ValType::I32, ValType::I32, ValType::I32, ValType::I32,
                                                    ValType::I64, ValType::I32, ValType::I32, ValType::I32,
                                                    ValType::I32, ValType::I32, ValType::I32});
  CHECK(flatten_results(sig) == std::vector<ValType>{ValType::I32, ValType::I32});
  CHECK(sig.params[0]->size == 12);  // u8 at 0, string (4-aligned) at 4
  // The tuple's two fields are one graph node, so one resolved type.
  CHECK(sig.params[2]->elems.size() == 2);
  CHECK(sig.params[2]->elems[0].get() == sig.params[2]->elems[1].get());
  CHECK(sig.params[2]->elems[0].get() == sig.params[0].get());
}

TEST_CASE("graph_vtype: the validator refuses a core function that does not match the flattening") {
  std::string src = kShapes;
  // The variant's joined payload is i64: an f32 there is refused.
  const std::string have = "(param i32 i32 i32 i32 i64";
  src.replace(src.find(have), have.size(), "(param i32 i32 i32 i32 f32");
  auto c = decoded(src);
  REQUIRE_MESSAGE(c.ok(), c.error().message);
  auto v = validate_component(*c);
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().message.find("lowered parameter types `[I32, I32, I32, I32, I64, I32, I32, I32, I32, I32, I32]` "
                               "do not match parameter types `[I32, I32, I32, I32, F32, I32, I32, I32, I32, I32, "
                               "I32]`") != std::string::npos);
}
