// Unit tests for component/wit_print: components written in component WAT,
// resolved (type_graph.h) and printed as WIT; the tests compare the whole
// text. Test case names start with "wit_print".
#include <doctest/doctest.h>

#include <string>

#include "component/decode.h"
#include "component/text/component_wat.h"
#include "component/type_graph.h"
#include "component/wit_print.h"

using namespace wippy;
using namespace wippy::component;

namespace {

// Encodes, decodes, resolves and prints `src` as world "w".
std::string wit(std::string_view src) {
  auto bin = component_wat_to_binary(src);
  REQUIRE_MESSAGE(bin.ok(), bin.error().message);
  auto c = decode_component(*bin);
  REQUIRE_MESSAGE(c.ok(), c.error().message);
  auto g = tgraph::resolve_component(*c);
  REQUIRE_MESSAGE(g.ok(), g.error().message);
  return wit_print(**g, "w");
}

}  // namespace

TEST_CASE("wit_print: an exported instance lists its functions, with a record parameter by name") {
  std::string out = wit(R"(
    (component
      (core module $m
        (func (export "area") (param i32 i32) (result f64) f64.const 0))
      (core instance $ci (instantiate $m))
      (type $point (record (field "x" u32) (field "y" u32)))
      (export $pe "point" (type $point))
      (type $f (func (param "p" $pe) (result f64)))
      (func $area (type $f) (canon lift (core func $ci "area")))
      (instance $inst (export "area" (func $area)) (export "point" (type $pe)))
      (export "shapes" (instance $inst)))
  )");
  CHECK(out ==
        "world w {\n"
        "  export record point { x: u32, y: u32 }\n"
        "  export shapes: interface {\n"
        "    area: func(p: point) -> f64;\n"
        "    use point;\n"
        "  }\n"
        "}\n");
}

TEST_CASE("wit_print: an outer alias in an instance type keeps the name it has outside") {
  std::string out = wit(R"(
    (component
      (type $point (record (field "x" u32) (field "y" u32)))
      (import "point" (type $p (eq $point)))
      (import "ns:geo/shapes" (instance
        (alias outer 1 $p (type $pt))
        (export "pos" (type $pos (eq $pt)))
        (export "area" (func (param "p" $pt) (result f64)))
        (export "origin" (func (result $pos))))))
  )");
  CHECK(out ==
        "world w {\n"
        "  import record point { x: u32, y: u32 }\n"
        "  import ns:geo/shapes: interface {\n"
        "    type pos = point;\n"
        "    area: func(p: point) -> f64;\n"
        "    origin: func() -> pos;\n"
        "  }\n"
        "}\n");
}

TEST_CASE("wit_print: resources, enums, flags, variants and anonymous types in an imported instance") {
  std::string out = wit(R"(
    (component
      (import "ns:x/y" (instance
        (export "r" (type $r (sub resource)))
        (type $e (enum "a" "b"))
        (export "e" (type $ee (eq $e)))
        (type $fl (flags "read" "write"))
        (export "fl" (type $flx (eq $fl)))
        (type $v (variant (case "none") (case "some" u32)))
        (export "v" (type $vx (eq $v)))
        (export "[constructor]r" (func (result (own $r))))
        (export "[method]r.get" (func (param "self" (borrow $r)) (param "l" (list u8))
                                      (param "t" (tuple u32 string)) (param "f" $flx)
                                      (result (result (option $ee) (error $vx))))))))
  )");
  CHECK(out ==
        "world w {\n"
        "  import ns:x/y: interface {\n"
        "    resource r;\n"
        "    enum e { a, b }\n"
        "    flags fl { read, write }\n"
        "    variant v { none, some(u32) }\n"
        "    [constructor]r: func() -> r;\n"
        "    [method]r.get: func(self: borrow<r>, l: list<u8>, t: tuple<u32, string>, f: fl) -> "
        "result<option<e>, v>;\n"
        "  }\n"
        "}\n");
}

TEST_CASE("wit_print: an instance made by instantiating a nested component lists its exports") {
  std::string out = wit(R"(
    (component
      (component $inner
        (core module $m (func (export "f") (result i32) i32.const 1))
        (core instance $ci (instantiate $m))
        (func $f (result u32) (canon lift (core func $ci "f")))
        (export "get" (func $f)))
      (instance $i (instantiate $inner))
      (export "api" (instance $i)))
  )");
  CHECK(out ==
        "world w {\n"
        "  export api: interface {\n"
        "    get: func() -> u32;\n"
        "  }\n"
        "}\n");
}
