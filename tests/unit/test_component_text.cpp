// Unit tests for component/text: the component WAT encoder (checked by
// decoding and validating its output, and against bytes produced by jco
// 1.35.0 for the same text, custom sections left out) and the component
// .wast script parser. Test case names start with "component text".
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "component/decode.h"
#include "component/text/component_wast.h"
#include "component/text/component_wat.h"
#include "component/validate.h"

using namespace wippy;
using namespace wippy::component;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes encode(std::string_view src) {
  auto r = component_wat_to_binary(src);
  if (!r) FAIL_CHECK(r.error().message);
  return r ? *r : Bytes{};
}

// Encodes, decodes and validates; returns the decoded component.
Component valid(std::string_view src) {
  Bytes b = encode(src);
  auto d = decode_component(b);
  if (!d) {
    FAIL_CHECK(d.error().message);
    return {};
  }
  auto v = validate_component(*d);
  if (!v) FAIL_CHECK(v.error().message);
  return std::move(*d);
}

std::string text_error(std::string_view src) {
  auto r = component_wat_to_binary(src);
  CHECK_FALSE(r.ok());
  return r ? std::string() : r.error().message;
}

Bytes preamble() { return {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}; }

Bytes with_preamble(std::initializer_list<uint8_t> rest) {
  Bytes b = preamble();
  b.insert(b.end(), rest);
  return b;
}

}  // namespace

TEST_CASE("component text: empty component, binary and quote forms") {
  CHECK(encode("(component)") == preamble());
  CHECK(encode("(component $c)") == preamble());
  CHECK(encode("(component binary \"\\00asm\" \"\\0d\\00\\01\\00\")") == preamble());
  CHECK(encode("(component quote \"(type u8)\")") == with_preamble({0x07, 0x02, 0x01, 0x7d}));
  CHECK(encode("") == preamble());  // a bare (empty) field list
}

TEST_CASE("component text: types match jco's encoding") {
  // jco parse: (component (type $r (record (field "a" u32) (field "b" (list u8)))))
  CHECK(encode("(component (type $r (record (field \"a\" u32) (field \"b\" (list u8)))))") ==
        with_preamble({0x07, 0x0b, 0x02, 0x70, 0x7d, 0x72, 0x02, 0x01, 0x61, 0x79, 0x01, 0x62, 0x00}));
  // variant, enum, flags, option, result, tuple
  Component c = valid(R"((component
    (type $v (variant (case "a") (case "b" u32)))
    (type (enum "x" "y"))
    (type (flags "p" "q"))
    (type (option $v))
    (type (result u32 (error string)))
    (type (result))
    (type (tuple u8 s16 char))
  ))");
  REQUIRE(c.types.size() == 7);
  auto& v = std::get<VariantType>(c.types[0]);
  CHECK(v.cases.size() == 2);
  CHECK_FALSE(v.cases[0].type.has_value());
  auto& r = std::get<ResultType>(c.types[4]);
  CHECK(r.ok == component::ValType::of(PrimValType::U32));
  CHECK(r.err == component::ValType::of(PrimValType::String));
  CHECK(std::get<TupleType>(c.types[6]).elems.size() == 3);
}

TEST_CASE("component text: resources, own/borrow and the canon resource built-ins") {
  // jco parse output (custom name section left out).
  const char* src = R"((component
    (type $R (resource (rep i32)))
    (core func $new (canon resource.new $R))
    (core func $drop (canon resource.drop $R))
    (core func $rep (canon resource.rep $R))
    (type (func (param "r" (borrow $R)) (result (own $R))))
  ))";
  CHECK(encode(src) == with_preamble({0x07, 0x04, 0x01, 0x3f, 0x7f, 0x00, 0x08, 0x07, 0x03, 0x02, 0x00, 0x03,
                                      0x00, 0x04, 0x00, 0x07, 0x0c, 0x03, 0x68, 0x00, 0x69, 0x00, 0x40, 0x01,
                                      0x01, 0x72, 0x01, 0x00, 0x02}));
  valid(src);
}

TEST_CASE("component text: core modules, instances, aliases, lift with options") {
  Component c = valid(R"((component
    (core module $M
      (memory (export "mem") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
      (func (export "f") (param i32 i32) (result i32) (local.get 0)))
    (core instance $m (instantiate $M))
    (alias core export $m "mem" (core memory $mem))
    (func $f (param "s" string) (result u32)
      (canon lift (core func $m "f") (memory $mem) (realloc (func $m "realloc")) string-encoding=utf8))
    (export "f" (func $f))
  ))");
  CHECK(c.core_modules.size() == 1);
  CHECK(c.core_instances.size() == 1);
  REQUIRE(c.canons.size() == 1);
  CHECK(c.canons[0].kind == Canon::Kind::Lift);
  CHECK(c.canons[0].options.memory == 0u);
  CHECK(c.canons[0].options.realloc == 1u);  // after the core func alias of "f"
  CHECK(c.exports.size() == 1);
  CHECK(c.count(Sort::Func) == 2);  // the lift and the export
}

TEST_CASE("component text: imports, lower, inline instances and exports") {
  Component c = valid(R"((component
    (import "host" (instance $h
      (export "log" (func (param "msg" u32)))))
    (core func $log (canon lower (func $h "log")))
    (core module $M (import "env" "log" (func (param i32))))
    (core instance (instantiate $M (with "env" (instance (export "log" (func $log))))))
    (instance $bag (export "log" (func $h "log")))
    (export "bag" (instance $bag))
    (export "ns:pkg/iface@1.0.0" (instance $h))
  ))");
  CHECK(c.imports.size() == 1);
  CHECK(c.core_instances.size() == 2);  // the inline `with` instance and the instantiation
  CHECK(c.exports.size() == 2);
  CHECK(c.exports[1].name.name == "ns:pkg/iface@1.0.0");
}

TEST_CASE("component text: nested components, instantiation and outer aliases") {
  Component c = valid(R"((component $Outer
    (type $T (record (field "x" u32)))
    (component $Inner
      (alias outer $Outer $T (type $T2))
      (import "t" (type $T3 (eq $T2)))
      (import "f" (func $f (result $T3)))
      (export "g" (func $f)))
    (component $Implicit
      (type (list $T)))
    (import "t" (type $T4 (eq $T)))
    (import "f" (func $f (result $T4)))
    (instance $i (instantiate $Inner (with "t" (type $T4)) (with "f" (func $f))))
    (func (export "g") (alias export $i "g"))
  ))");
  CHECK(c.components.size() == 2);
  // The implicit outer alias of $T in $Implicit.
  REQUIRE(c.components[1]->aliases.size() == 1);
  CHECK(c.components[1]->aliases[0].kind == Alias::Kind::Outer);
  CHECK(c.components[1]->aliases[0].outer_count == 1);
}

TEST_CASE("component text: component and instance types, type bounds, ascriptions") {
  valid(R"((component
    (type $CT (component
      (import "r" (type $r (sub resource)))
      (export "make" (func (result (own $r))))))
    (type $IT (instance
      (type $u u32)
      (export "t" (type $t (eq $u)))
      (export "v" (func (param "t" $t)))))
    (import "i" (instance $i (type $IT)))
    (import "c" (component (type $CT)))
    (export "v" (func $i "v") (func (param "t" u32)))
  ))");
}

TEST_CASE("component text: extern name attributes and start") {
  Component c = valid(R"((component
    (import "a" (implements "a:b/c") (instance))
    (import "b" (external-id "id") (func))
  ))");
  REQUIRE(c.imports.size() == 2);
  CHECK(c.imports[0].name.implements == "a:b/c");
  CHECK(c.imports[1].name.external_id == "id");
  CHECK(text_error(R"((component (import "a" (implements "x") (implements "y") (instance))))")
            .find("unexpected token") != std::string::npos);
}

TEST_CASE("component text: errors name line and column") {
  CHECK(text_error("(component\n  (export \"x\" (func $nope)))") == "2:21: unknown func $nope");
  CHECK(text_error("(component (type $t u8) (type $t u8))").find("duplicate type identifier $t") !=
        std::string::npos);
  CHECK(text_error("(component\n  (core module (func (i32.bogus))))") == "2:23: unknown operator i32.bogus");
  CHECK(text_error("(component (bogus))") == "1:13: unexpected token bogus");
}

TEST_CASE("component text: script with core and component commands") {
  auto r = parse_component_wast(R"S(
(module $m (func (export "f") (result i32) (i32.const 1)))
(component definition $C
  (core module $M (func (export "f") (result i32) (i32.const 7)))
  (core instance $m (instantiate $M))
  (func (export "f") (result u32) (canon lift (core func $m "f"))))
(component instance $i $C)
(assert_return (invoke "f") (u32.const 7) (f32.const nan:arithmetic))
(assert_return (invoke "g" (s8.const -1) (bool.const true) (char.const "🍰") (str.const "hi")
   (list.const (u8.const 1)) (record.const (field "a" u32.const 1) (field "b" (str.const "x")))
   (tuple.const (f32.const 1.5)) (variant.const "c" (u16.const 2)) (enum.const "e")
   (option.none) (option.some (u64.const 18446744073709551615)) (result.ok) (result.err (s32.const -2))
   (flags.const "a" "b") (f64.const -0)))
(assert_invalid (component (export "x" (func 0))) "index out of bounds")
(assert_malformed (component quote "(import \"x\" (func $x))" "(export \"x\" (func $y))") "unknown")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_trap (invoke "f") "unreachable")
)S");
  if (!r) FAIL(r.error().message);
  auto& cmds = *r;
  REQUIRE(cmds.size() == 9);
  CHECK(cmds[0].kind == ComponentWastCommand::Core);
  CHECK(cmds[0].core.kind == WastCommand::Module);
  CHECK(cmds[0].core.module.id == "$m");
  CHECK(cmds[1].kind == ComponentWastCommand::ComponentDefinition);
  CHECK(cmds[1].component.id == "$C");
  CHECK_FALSE(cmds[1].component.text_error.has_value());
  CHECK(decode_component(cmds[1].component.binary).ok());
  CHECK(cmds[2].kind == ComponentWastCommand::ComponentInstance);
  CHECK(cmds[2].instance_id == "$i");
  CHECK(cmds[2].definition_id == "$C");
  CHECK(cmds[3].kind == ComponentWastCommand::AssertReturn);
  REQUIRE(cmds[3].expected.size() == 2);
  CHECK(cmds[3].expected[1].nan_arithmetic);
  CHECK(cmds[3].expected[0].kind == WastCValue::Kind::U32);
  CHECK(cmds[3].expected[0].bits == 7);
  auto& args = cmds[4].action.args;
  REQUIRE(args.size() == 15);
  CHECK(args[0].kind == WastCValue::Kind::S8);
  CHECK(args[0].bits == 0xff);
  CHECK(args[1].bits == 1);
  CHECK(args[2].bits == 0x1f370);
  CHECK(args[3].str == "hi");
  CHECK(args[5].names == std::vector<std::string>{"a", "b"});
  CHECK(args[5].items[1].str == "x");
  CHECK(args[6].items[0].bits == 0x3fc00000);
  CHECK(args[7].str == "c");
  CHECK(args[9].kind == WastCValue::Kind::Option);
  CHECK_FALSE(args[9].is_some);
  CHECK(args[10].items[0].bits == UINT64_MAX);
  CHECK(args[11].is_ok);
  CHECK(args[11].items.empty());
  CHECK(args[12].items[0].bits == 0xfffffffe);
  CHECK(args[13].names.size() == 2);
  CHECK(args[14].bits == 0x8000000000000000ull);
  CHECK(cmds[5].kind == ComponentWastCommand::AssertInvalid);
  CHECK(cmds[5].text == "index out of bounds");
  CHECK(cmds[6].kind == ComponentWastCommand::AssertMalformed);
  CHECK(cmds[6].component.kind == WastComponent::Quote);
  CHECK_FALSE(component_wat_to_binary(cmds[6].component.quote).ok());
  CHECK(cmds[7].kind == ComponentWastCommand::Core);
  CHECK(cmds[7].core.kind == WastCommand::AssertInvalid);
  CHECK(cmds[7].line == 16);
  CHECK(cmds[8].kind == ComponentWastCommand::AssertTrap);
  CHECK(cmds[8].has_action);
}

TEST_CASE("component text: script errors") {
  auto r = parse_component_wast("(assert_return (invoke \"f\" (u8.const 256)))");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "1:38: constant out of range");
  auto r2 = parse_component_wast("(component)\n(frobnicate)");
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().message == "2:2: unknown command frobnicate");
}
