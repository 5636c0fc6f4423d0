// Unit tests for instantiation reading its types from the validated type
// graph (component/instantiate_impl.h, load.h type_graph_of): resources get
// their run-time identities per instance (a host's through imports, also
// when a linker reuses a remembered binding; a fresh one per definition and
// per instantiation of a nested component), and a component that a code
// cache vouches for has its types resolved without its core modules'
// bodies being validated again. A module's imports from an inline bag of
// core exports bind by name.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "component/decode.h"
#include "component/linker.h"
#include "component/load.h"
#include "component/text/component_wat.h"
#include "component/type_graph.h"
#include "guest_files.h"

using namespace wippy;
using namespace wippy::component;

namespace {

std::shared_ptr<const Component> decoded(const std::string& text) {
  auto bin = component_wat_to_binary(text);
  REQUIRE_MESSAGE(bin.ok(), (bin.ok() ? "" : bin.error().message));
  auto c = decode_component(*bin);
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
  return std::make_shared<const Component>(std::move(*c));
}

struct Live {
  Store store;
  std::unique_ptr<ComponentInstance> inst;
};

std::unique_ptr<Live> instance_of(const Linker& linker, const std::shared_ptr<const Component>& c) {
  auto l = std::make_unique<Live>();
  auto inst = linker.instantiate(l->store, c);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  l->inst = std::move(*inst);
  return l;
}

const Item& export_of(const RtInstance& inst, const std::string& name) {
  auto it = inst.exports.find(name);
  REQUIRE_MESSAGE(it != inst.exports.end(), name);
  return it->second;
}

// Imports the host's resource `r` in an instance and exports `pass`, a
// lifted identity on `own<r>`, and the resource itself.
const char* kHostResource = R"((component
  (import "test:h/res@0.1.0" (instance $h (export "r" (type (sub resource)))))
  (alias export $h "r" (type $r))
  (core module $m (func (export "pass") (param i32) (result i32) local.get 0))
  (core instance $i (instantiate $m))
  (type $pass (func (param "x" (own $r)) (result (own $r))))
  (func (export "pass") (type $pass) (canon lift (core func $i "pass")))
  (export "r" (type $r))
))";

// A nested component defining its own resource, instantiated twice; each
// instance exports the resource and a lifted function on it.
// The definitions of a component with a resource `r` of its own and `id`
// on it, its core instance $i also exporting "two" (three i32s -> i32).
const std::string kOwnResource = R"(
    (type $r (resource (rep i32)))
    (core module $m
      (func (export "id") (param i32) (result i32) local.get 0)
      (func (export "two") (param i32 i32 i32) (result i32) local.get 1))
    (core instance $i (instantiate $m))
    (type $t (func (param "x" (own $r)) (result (own $r))))
    (func $id (type $t) (canon lift (core func $i "id")))
    (export $er "r" (type $r))
    (type $te (func (param "x" (own $er)) (result (own $er))))
    (export "id" (func $id) (func (type $te))))";
const std::string kNestedResources = "(component (component $c" + kOwnResource + R"()
  (instance $a (instantiate $c))
  (instance $b (instantiate $c))
  (export "a" (instance $a))
  (export "b" (instance $b))
))";

// Exports its resource under an ascribed `(sub resource)` (a resource node
// of its own in the graph) and types a lifted function with that export.
const char* kAscribedExport = R"((component
  (type $r (resource (rep i32)))
  (export $er "r" (type $r) (type (sub resource)))
  (core module $m (func (export "id") (param i32) (result i32) local.get 0))
  (core instance $i (instantiate $m))
  (type $t (func (param "x" (own $er)) (result (own $er))))
  (func (export "id") (type $t) (canon lift (core func $i "id")))
))";

// Two provider modules whose exports lie in different orders ($p2's "a"
// is where $p1's is not), for a nested component $C importing either as
// core module "p".
const char* kProviders = R"(
    (core module $p1
      (func (export "a") (result i32) i32.const 1)
      (func (export "b") (result i32) i32.const 2))
    (core module $p2
      (func (export "b") (result i32) i32.const 20)
      (func (export "x") (result i32) i32.const 0)
      (func (export "a") (result i32) i32.const 10)))";

// The end of a component that defines core modules `m1` and `m2` and a
// nested component $C importing core module `import`: $C instantiated with
// each, their "f" exported as f1 and f2.
std::string instantiate_each(const std::string& import, const std::string& m1, const std::string& m2) {
  return "(instance $c1 (instantiate $C (with \"" + import + "\" (core module " + m1 + "))))\n" +
         "(instance $c2 (instantiate $C (with \"" + import + "\" (core module " + m2 + "))))\n" + R"(
    (alias export $c1 "f" (func $f1))
    (alias export $c2 "f" (func $f2))
    (export "f1" (func $f1))
    (export "f2" (func $f2))
  ))";
}
// The same for the providers $p1 and $p2 as "p".
const std::string kEachProvider = instantiate_each("p", "$p1", "$p2");

// Export `name` of `l` called with no arguments: its one u32 result.
uint32_t call_u32(Live& l, const char* name) {
  auto r = export_of(l.inst->exports(), name).func->call(l.store, {});
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE(r->size() == 1);
  return uint32_t((*r)[0].u);
}

// Two instances of `comp` in turn (the second reads what the first left in
// the component's memo), each export's result checked in each.
void check_two_instances(const std::shared_ptr<const Component>& comp,
                         std::initializer_list<std::pair<const char*, uint32_t>> wanted) {
  Linker linker;
  for (int round = 0; round < 2; ++round) {
    auto l = instance_of(linker, comp);
    for (auto [name, want] : wanted) CHECK(call_u32(*l, name) == want);
  }
}

ResourceRef param_resource(const Item& func) {
  REQUIRE(func.func);
  REQUIRE(func.func->sig);
  REQUIRE(func.func->sig->params.size() == 1);
  return func.func->sig->params[0]->resource;
}

}  // namespace

TEST_CASE("instantiate graph: an imported resource binds to the host's, with a remembered binding too") {
  Linker linker;
  ResourceRef host_r = linker.instance("test:h/res@0.1.0").resource("r");
  auto comp = decoded(kHostResource);
  // The first binds the import by name; the second takes the remembered
  // binding and finds the resources it gives; the third takes those too.
  std::vector<std::unique_ptr<Live>> live;
  auto check_bound = [&](size_t from, const ResourceRef& want) {
    for (size_t k = from; k < live.size(); ++k) {
      CAPTURE(k);
      const RtInstance& ex = live[k]->inst->exports();
      CHECK(export_of(ex, "r").resource == want);
      CHECK(param_resource(export_of(ex, "pass")) == want);
      CHECK(export_of(ex, "pass").func->sig->result.value()->resource == want);
    }
  };
  for (int k = 0; k < 3; ++k) live.push_back(instance_of(linker, comp));
  check_bound(0, host_r);
  // Offering another resource under the name forgets the binding and what
  // it gave: later instances (again the first, second and further kind)
  // get the new one, earlier ones keep theirs.
  ResourceRef other_r = linker.instance("test:h/res@0.1.0").resource("r");
  REQUIRE(other_r != host_r);
  for (int k = 0; k < 3; ++k) live.push_back(instance_of(linker, comp));
  check_bound(3, other_r);
  live.resize(3);
  check_bound(0, host_r);
}

TEST_CASE("instantiate graph: each instantiation of a nested component has its own resource") {
  Linker linker;
  auto comp = decoded(kNestedResources);
  auto l = instance_of(linker, comp);
  const RtInstance& ex = l->inst->exports();
  const Item& a = export_of(ex, "a");
  const Item& b = export_of(ex, "b");
  REQUIRE(a.instance);
  REQUIRE(b.instance);
  ResourceRef ra = export_of(*a.instance, "r").resource;
  ResourceRef rb = export_of(*b.instance, "r").resource;
  REQUIRE(ra);
  REQUIRE(rb);
  CHECK(ra != rb);
  CHECK(param_resource(export_of(*a.instance, "id")) == ra);
  CHECK(param_resource(export_of(*b.instance, "id")) == rb);
  // A second instance of the whole component makes new ones again.
  auto l2 = instance_of(linker, comp);
  const RtInstance& a2 = *export_of(l2->inst->exports(), "a").instance;
  CHECK(export_of(a2, "r").resource != ra);
  CHECK(param_resource(export_of(a2, "id")) == export_of(a2, "r").resource);
}

// A function type that names no resource converts once per graph and is
// shared by every instance; one naming a resource is each instance's own.
TEST_CASE("instantiate graph: signatures without resources are shared by instances, others are not") {
  auto comp = decoded("(component" + kOwnResource + R"(
    (type $p (func (param "x" (option (tuple u8 bool))) (result u32)))
    (func $plain (type $p) (canon lift (core func $i "two")))
    (export "plain" (func $plain))
  ))");
  Linker linker;
  auto l1 = instance_of(linker, comp);
  auto l2 = instance_of(linker, comp);
  const RtInstance& e1 = l1->inst->exports();
  const RtInstance& e2 = l2->inst->exports();
  CHECK(export_of(e1, "plain").func->sig.get() == export_of(e2, "plain").func->sig.get());
  ResourceRef r1 = export_of(e1, "r").resource;
  ResourceRef r2 = export_of(e2, "r").resource;
  REQUIRE(r1);
  REQUIRE(r2);
  CHECK(r1 != r2);
  CHECK(export_of(e1, "id").func->sig.get() != export_of(e2, "id").func->sig.get());
  CHECK(param_resource(export_of(e1, "id")) == r1);
  CHECK(param_resource(export_of(e2, "id")) == r2);
}

TEST_CASE("instantiate graph: a resource exported under an ascribed type names the defined one") {
  Linker linker;
  auto comp = decoded(kAscribedExport);
  auto l = instance_of(linker, comp);
  const RtInstance& ex = l->inst->exports();
  ResourceRef r = export_of(ex, "r").resource;
  REQUIRE(r);
  CHECK(param_resource(export_of(ex, "id")) == r);
}

TEST_CASE("instantiate graph: a cache-vouched component's types resolve without revalidating core bodies") {
  // The core function's body is invalid (i32.add of nothing).
  const char* bad_body = R"((component
    (core module $m (func (export "f") (result i32) i32.add))
    (core instance $i (instantiate $m))
    (func (export "f") (result u32) (canon lift (core func $i "f")))
  ))";
  auto refused = decoded(bad_body);
  auto g = type_graph_of(*refused);
  REQUIRE_FALSE(g.ok());
  CHECK(g.error().kind == ErrorKind::Invalid);

  // The same bytes as a code cache would hand them over: marked validated
  // in this build. Their types are resolved; the bodies are trusted.
  auto vouched = decoded(bad_body);
  vouched->memo->validated = true;
  auto g2 = type_graph_of(*vouched);
  REQUIRE_MESSAGE(g2.ok(), (g2.ok() ? "" : g2.error().message));
  CHECK((*g2)->spaces_of(*vouched) != nullptr);
  CHECK(vouched->memo->graph == *g2);  // made once, kept in the memo
  CHECK(type_graph_of(*vouched)->get() == g2->get());
}

TEST_CASE("instantiate graph: a good component's graph is the one validation made") {
  auto comp = decoded(kNestedResources);
  REQUIRE(validate_once(*comp).ok());
  REQUIRE(comp->memo->graph);
  auto g = type_graph_of(*comp);
  REQUIRE(g.ok());
  CHECK(g->get() == comp->memo->graph.get());
  const tgraph::ComponentSpaces* root = (*g)->spaces_of(*comp);
  REQUIRE(root);
  CHECK(root->instance_defs.size() == 2);
  CHECK((*g)->spaces_of(*comp->components[0]) != nullptr);  // the nested definition's spaces too
}

namespace {

// The same resolution, node for node, as far as instantiation reads it:
// index spaces of the same sizes and kinds, imports of the same names, and
// instance definitions exporting the same names.
void same_spaces(const tgraph::TypeGraph& full, const tgraph::TypeGraph& trusted) {
  REQUIRE(full.spaces.size() == trusted.spaces.size());
  for (const auto& [comp, a] : full.spaces) {
    const tgraph::ComponentSpaces* b = trusted.spaces_of(*comp);
    REQUIRE(b);
    REQUIRE(a.types.size() == b->types.size());
    for (size_t i = 0; i < a.types.size(); ++i) CHECK(a.types[i]->kind == b->types[i]->kind);
    REQUIRE(a.type_defs.size() == b->type_defs.size());
    REQUIRE(a.imports.size() == b->imports.size());
    for (size_t i = 0; i < a.imports.size(); ++i) {
      CHECK(a.imports[i].name == b->imports[i].name);
      CHECK(a.imports[i].sort == b->imports[i].sort);
      if (a.imports[i].type) CHECK(a.imports[i].type->exports.size() == b->imports[i].type->exports.size());
    }
    REQUIRE(a.instance_defs.size() == b->instance_defs.size());
    for (size_t i = 0; i < a.instance_defs.size(); ++i)
      CHECK(a.instance_defs[i]->exports.size() == b->instance_defs[i]->exports.size());
  }
}

}  // namespace

TEST_CASE("instantiate graph: trusted resolution of real guests matches full validation") {
  std::vector<std::pair<std::string, const char*>> guests = {
      {"hello", "WIPPY_GUEST_DIR"}, {"sockets_tcp", "WIPPY_GUEST_DIR"}, {"fs_ops", "WIPPY_GUEST_DIR"},
      {"fetch", "WIPPY_HTTP_GUEST_DIR"}};
  for (const auto& [name, dir] : guests) {
    CAPTURE(name);
    auto comp = load_component(load_guest(name, dir));
    REQUIRE_MESSAGE(comp.ok(), (comp.ok() ? "" : comp.error().message));
    auto full = tgraph::resolve_component(**comp);
    auto trusted = tgraph::resolve_component(**comp, true);
    REQUIRE(full.ok());
    REQUIRE(trusted.ok());
    same_spaces(**full, **trusted);
  }
}

// A bag of core exports made inline, in an order that is not sorted, read
// by a module that imports them in yet another order: each import gets the
// export of its own name (the bag is looked up by name, not position).
TEST_CASE("instantiate graph: a module's imports from an inline core instance bind by name") {
  const char* text = R"((component
    (core module $src
      (func (export "z") (result i32) i32.const 26)
      (func (export "b") (result i32) i32.const 2)
      (func (export "m") (result i32) i32.const 13))
    (core instance $s (instantiate $src))
    (alias core export $s "z" (core func $z))
    (alias core export $s "b" (core func $b))
    (alias core export $s "m" (core func $m))
    (core instance $bag (export "zz" (func $z)) (export "bb" (func $b)) (export "mm" (func $m)))
    (core module $use
      (import "env" "mm" (func $im (result i32)))
      (import "env" "zz" (func $iz (result i32)))
      (import "env" "bb" (func $ib (result i32)))
      (func (export "f") (result i32)
        call $im i32.const 10000 i32.mul
        call $iz i32.const 100 i32.mul i32.add
        call $ib i32.add))
    (core instance $u (instantiate $use (with "env" (instance $bag))))
    (func (export "f") (result u32) (canon lift (core func $u "f")))
  ))";
  check_two_instances(decoded(text), {{"f", 13u * 10000 + 26u * 100 + 2u}});
}

// Where a module's imports were found is remembered per component (its
// memo) and checked by name at each use: a nested component instantiated
// with two provider modules whose exports lie in different orders gets each
// import by its own name both times, and in a second instance too.
TEST_CASE("instantiate graph: remembered import positions are checked against the names of another provider") {
  const char* text = R"(
    (component $C
      (core type $PT (module (export "a" (func (result i32))) (export "b" (func (result i32)))))
      (import "p" (core module $P (type $PT)))
      (core module $user
        (import "p" "b" (func $b (result i32)))
        (import "p" "a" (func $a (result i32)))
        (func (export "f") (result i32) call $a i32.const 100 i32.mul call $b i32.add))
      (core instance $p (instantiate $P))
      (core instance $u (instantiate $user (with "p" (instance $p))))
      (func (export "f") (result u32) (canon lift (core func $u "f"))))
  )";
  check_two_instances(decoded(std::string("(component") + kProviders + text + kEachProvider),
                      {{"f1", 102u}, {"f2", 1020u}});
}

// A remembered position is taken without comparing names only for the same
// importing module and a provider of the same layout: a nested component
// that imports the importing module, instantiated with two whose imports
// of one provider come in opposite orders, gets each import by its own
// name both times, and in a second instance too.
TEST_CASE("instantiate graph: remembered import positions serve only the module that imported them") {
  const char* users = R"(
    (core module $u1
      (import "p" "a" (func $x (result i32)))
      (import "p" "b" (func $y (result i32)))
      (func (export "f") (result i32) call $x i32.const 100 i32.mul call $y i32.add))
    (core module $u2
      (import "p" "b" (func $x (result i32)))
      (import "p" "a" (func $y (result i32)))
      (func (export "f") (result i32) call $x i32.const 100 i32.mul call $y i32.add)))";
  const char* text = R"(
    (component $C
      (core type $UT (module
        (import "p" "a" (func (result i32))) (import "p" "b" (func (result i32)))
        (export "f" (func (result i32)))))
      (import "u" (core module $U (type $UT)))
      (core module $p
        (func (export "a") (result i32) i32.const 1)
        (func (export "b") (result i32) i32.const 2))
      (core instance $p (instantiate $p))
      (core instance $u (instantiate $U (with "p" (instance $p))))
      (func (export "f") (result u32) (canon lift (core func $u "f")))))";
  check_two_instances(decoded(std::string("(component") + users + text + instantiate_each("u", "$u1", "$u2")),
                      {{"f1", 102u}, {"f2", 201u}});
}

// An alias reuses what the first instantiation found only where that still
// holds: the item of an instance export when the instance is the same
// object (a remembered binding), the position of a core export when the
// name is there.
TEST_CASE("instantiate graph: aliases reuse an earlier instantiation's findings only for the same instance or name") {
  SUBCASE("an instance export, after the host's instance changed") {
    const char* text = R"((component
      (import "test:h/f@0.1.0" (instance $h (export "f" (func (result u32)))))
      (alias export $h "f" (func $f))
      (export "f" (func $f))
    ))";
    Linker linker;
    auto returning = [](uint32_t v) {
      return [v](Store&, std::span<const Val>) -> Result<std::vector<Val>> { return std::vector<Val>{Val::u32(v)}; };
    };
    linker.instance("test:h/f@0.1.0").func("f", returning(1));
    auto comp = decoded(text);
    auto call_f = [&] { return call_u32(*instance_of(linker, comp), "f"); };
    CHECK(call_f() == 1);
    CHECK(call_f() == 1);  // the remembered binding, and the alias's hint
    linker.instance("test:h/f@0.1.0").func("f", returning(2));
    CHECK(call_f() == 2);
    CHECK(call_f() == 2);
  }
  SUBCASE("a core export, from another module in a second instantiation of a nested component") {
    const char* text = R"(
      (component $C
        (core type $PT (module (export "a" (func (result i32))) (export "b" (func (result i32)))))
        (import "p" (core module $P (type $PT)))
        (core instance $p (instantiate $P))
        (alias core export $p "a" (core func $a))
        (func (export "f") (result u32) (canon lift (core func $a))))
    )";
    check_two_instances(decoded(std::string("(component") + kProviders + text + kEachProvider),
                        {{"f1", 1u}, {"f2", 10u}});
  }
}

// A linker may offer an instance another component instance exports. The
// validator never saw that pairing, so binding compares the offered
// functions' types with the importer's declaration (names and types).
TEST_CASE("instantiate graph: another component's instance offered by a linker is checked against the import") {
  const char* provider = R"((component
    (core module $m (func (export "inc") (param i32) (result i32) local.get 0 i32.const 1 i32.add))
    (core instance $i (instantiate $m))
    (type $t (func (param "x" u32) (result u32)))
    (func $inc (type $t) (canon lift (core func $i "inc")))
    (instance $e (export "inc" (func $inc)))
    (export "test:a/api@0.1.0" (instance $e))
  ))";
  auto user = [](const std::string& func_type) {
    return std::string(R"((component
      (import "test:a/api@0.1.0" (instance $a (export "inc" )") + func_type + R"()))
      (alias export $a "inc" (func $inc))
      (core func $lowered (canon lower (func $inc)))
      (core module $m
        (import "a" "inc" (func $inc (param i32) (result i32)))
        (func (export "run") (result i32) i32.const 41 call $inc))
      (core instance $ai (export "inc" (func $lowered)))
      (core instance $i (instantiate $m (with "a" (instance $ai))))
      (func (export "run") (result u32) (canon lift (core func $i "run")))
    ))";
  };
  Store store;
  Linker host;
  auto made = host.instantiate(store, decoded(provider));
  REQUIRE_MESSAGE(made.ok(), (made.ok() ? "" : made.error().message));
  const Item& api = export_of((*made)->exports(), "test:a/api@0.1.0");
  REQUIRE(api.sort == Sort::Instance);
  Linker linker;
  linker.define_instance("test:a/api@0.1.0", api.instance);

  SUBCASE("the same type links and calls through") {
    auto inst = linker.instantiate(store, decoded(user(R"((func (param "x" u32) (result u32)))")));
    REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
    auto r = (*inst)->call("run", {});
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    REQUIRE(r->size() == 1);
    CHECK((*r)[0].u == 42u);
  }
  auto refused = [&](const std::string& func_type) {
    auto inst = linker.instantiate(store, decoded(user(func_type)));
    REQUIRE_FALSE(inst.ok());
    CHECK(inst.error().kind == ErrorKind::Unlinkable);
    return inst.error().message;
  };
  SUBCASE("another parameter type is refused, naming the import, the function and both types") {
    // s32 flattens to the same i32 as u32: only the component types differ.
    std::string msg = refused(R"((func (param "x" s32) (result u32)))");
    CHECK(msg.find("test:a/api@0.1.0") != std::string::npos);
    CHECK(msg.find("`inc`") != std::string::npos);
    CHECK(msg.find("parameter `x` is u32, expected s32") != std::string::npos);
  }
  SUBCASE("another parameter name is refused") {
    CHECK(refused(R"((func (param "y" u32) (result u32)))").find("named `y`, found `x`") != std::string::npos);
  }
  SUBCASE("another result type is refused") {
    CHECK(refused(R"((func (param "x" u32) (result s32)))").find("the result is u32, expected s32") !=
          std::string::npos);
  }
}

// The same check with a resource: an importer that names the provider's
// resource through its own (sub resource) import gets the provider's
// run-time resource, so the types compare equal; a different parameter
// type is still refused.
TEST_CASE("instantiate graph: another component's instance with a resource links when the types agree") {
  auto user = [](const char* param) {
    return std::string(R"((component
      (import "test:a/res@0.1.0" (instance $a
        (export "r" (type $r (sub resource)))
        (export "id" (func (param "x" )") + param + R"() (result (own $r))))))
      (alias export $a "id" (func $id))
      (export "id" (func $id))
    ))";
  };
  Store store;
  Linker host;
  auto made = host.instantiate(store, decoded(kNestedResources));  // offers its instance "a"
  REQUIRE_MESSAGE(made.ok(), (made.ok() ? "" : made.error().message));
  const Item& api = export_of((*made)->exports(), "a");
  REQUIRE(api.sort == Sort::Instance);
  const ResourceRef theirs = export_of(*api.instance, "r").resource;
  REQUIRE(theirs);
  Linker linker;
  linker.define_instance("test:a/res@0.1.0", api.instance);

  auto inst = linker.instantiate(store, decoded(user("(own $r)")));
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  CHECK(param_resource(export_of((*inst)->exports(), "id")) == theirs);

  auto refused = linker.instantiate(store, decoded(user("u32")));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind == ErrorKind::Unlinkable);
  CHECK(refused.error().message.find("parameter `x` is (own") != std::string::npos);
}
