// Unit tests for the bindings a Linker remembers (component/linker.h,
// "Bindings"): instances of one component after the first reuse the
// first's bound imports (the host's signature check runs once), each still
// calls the host; any change to the linker, to one of its host instances or
// to a base linker makes the next instance bind afresh and see the change,
// while instances made earlier keep what they were bound to; a component
// that defines a resource type at its top level shares them too (its
// imports cannot name that resource), and its instances' resources stay
// their own.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "component/decode.h"
#include "component/linker.h"
#include "component/text/component_wat.h"

using namespace wippy;
using namespace wippy::component;

namespace {

// Imports test:h/f's `get: func() -> u32` and exports `run`, which returns
// what `get` returns. `prelude` goes first (e.g. a resource type).
std::shared_ptr<const Component> importer(const std::string& prelude = "") {
  const std::string text = "(component " + prelude + R"(
    (import "test:h/f@0.1.0" (instance $h (export "get" (func (result u32)))))
    (alias export $h "get" (func $get))
    (core func $get_lowered (canon lower (func $get)))
    (core module $m
      (import "h" "get" (func $g (result i32)))
      (func (export "run") (result i32) call $g))
    (core instance $hi (export "get" (func $get_lowered)))
    (core instance $i (instantiate $m (with "h" (instance $hi))))
    (func (export "run") (result u32) (canon lift (core func $i "run"))))
  )";
  auto bin = component_wat_to_binary(text);
  REQUIRE_MESSAGE(bin.ok(), (bin.ok() ? "" : bin.error().message));
  auto c = decode_component(*bin);
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
  return std::make_shared<const Component>(std::move(*c));
}

// A host `get` returning `value`, whose signature check counts its runs.
void offer_get(HostInstance& h, uint32_t value, int* checks) {
  h.func(
      "get", [value](Store&, std::span<const Val>) -> Result<std::vector<Val>> { return std::vector<Val>{Val::u32(value)}; },
      [checks](const FuncSig&) -> Result<void> {
        ++*checks;
        return {};
      });
}

struct Live {
  Store store;
  std::unique_ptr<ComponentInstance> inst;
};

// A new instance of `c` through `linker`, and what its `run` returns.
uint32_t run_new(const Linker& linker, const std::shared_ptr<const Component>& c, std::vector<std::unique_ptr<Live>>& keep) {
  auto l = std::make_unique<Live>();
  auto inst = linker.instantiate(l->store, c);
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  l->inst = std::move(*inst);
  auto r = l->inst->call("run", {});
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  REQUIRE(r->size() == 1);
  keep.push_back(std::move(l));
  return (*r)[0].as_u32();
}

uint32_t run_again(const Live& l) {
  auto r = l.inst->call("run", {});
  REQUIRE(r.ok());
  return (*r)[0].as_u32();
}

}  // namespace

TEST_CASE("linker bindings: later instances reuse the first's, changes bind afresh") {
  auto comp = importer();
  Linker linker;
  int checks = 0;
  offer_get(linker.instance("test:h/f@0.1.0"), 1, &checks);
  std::vector<std::unique_ptr<Live>> live;
  CHECK(run_new(linker, comp, live) == 1);
  CHECK(checks == 1);
  CHECK(run_new(linker, comp, live) == 1);
  CHECK(run_new(linker, comp, live) == 1);
  CHECK(checks == 1);  // bound once

  // A change to the host instance: the next instance sees it, the earlier
  // ones keep the function they were bound to.
  offer_get(linker.instance("test:h/f@0.1.0"), 2, &checks);
  CHECK(run_new(linker, comp, live) == 2);
  CHECK(checks == 2);
  CHECK(run_again(*live[0]) == 1);
  CHECK(run_new(linker, comp, live) == 2);
  CHECK(checks == 2);

  // Another component through the same linker binds for itself.
  auto other = importer();
  CHECK(run_new(linker, other, live) == 2);
  CHECK(checks == 3);

  // A change to the linker itself (an unrelated offer) also binds afresh.
  linker.func("unrelated", [](Store&, std::span<const Val>) -> Result<std::vector<Val>> { return std::vector<Val>{}; });
  CHECK(run_new(linker, comp, live) == 2);
  CHECK(checks == 4);

  // A copy of the linker changed apart from the original.
  Linker copy = linker;
  int copy_checks = 0;
  offer_get(copy.instance("test:h/f@0.1.0"), 3, &copy_checks);
  CHECK(run_new(copy, comp, live) == 3);
  CHECK(copy_checks == 1);
}

TEST_CASE("linker bindings: a change to a base linker binds afresh") {
  auto comp = importer();
  auto base = std::make_shared<Linker>();
  int checks = 0;
  offer_get(base->instance("test:h/f@0.1.0"), 5, &checks);
  Linker linker;
  linker.set_base(base);
  std::vector<std::unique_ptr<Live>> live;
  CHECK(run_new(linker, comp, live) == 5);
  CHECK(run_new(linker, comp, live) == 5);
  CHECK(checks == 1);
  offer_get(base->instance("test:h/f@0.1.0"), 6, &checks);
  CHECK(run_new(linker, comp, live) == 6);
  CHECK(checks == 2);
}

TEST_CASE("linker bindings: a component defining a resource type shares them, its resources its own") {
  auto comp = importer("(type $r (resource (rep i32))) (export \"r\" (type $r))");
  Linker linker;
  int checks = 0;
  offer_get(linker.instance("test:h/f@0.1.0"), 7, &checks);
  std::vector<std::unique_ptr<Live>> live;
  CHECK(run_new(linker, comp, live) == 7);
  CHECK(run_new(linker, comp, live) == 7);
  CHECK(checks == 1);
  ResourceRef first = live[0]->inst->exports().exports.at("r").resource;
  ResourceRef second = live[1]->inst->exports().exports.at("r").resource;
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first != second);
}
