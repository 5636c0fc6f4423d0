// Unit tests for component/: extern names, the binary decoder (preamble,
// sections, offsets in errors, unsupported async features) and the
// validator, on hand-built bytes and on binaries in tests/component/
// (built from the .wat next to them with `jco parse`, and hello.component.wasm
// from hello.c with clang + `jco new --wasi-command`). Fixture files are
// found through $WIPPY_SOURCE_DIR, else relative to the working directory
// (the repository root or a build directory inside it).
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "check_each.h"
#include "error_message.h"
#include "fixtures.h"
#include "component/decode.h"
#include "component/names.h"
#include "component/validate.h"

using namespace wippy;
using wippy::testing::error_message;
using namespace wippy::component;

namespace {

// Preamble + sections built by hand.
std::vector<uint8_t> preamble() { return {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00}; }

std::vector<uint8_t> with_section(uint8_t id, std::vector<uint8_t> payload) {
  auto b = preamble();
  b.push_back(id);
  b.push_back(uint8_t(payload.size()));  // tests keep payloads < 128 bytes
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

std::vector<uint8_t> str(const std::string& s) {
  std::vector<uint8_t> v{uint8_t(s.size())};
  v.insert(v.end(), s.begin(), s.end());
  return v;
}

template <class... Parts>
std::vector<uint8_t> cat(Parts... parts) {
  std::vector<uint8_t> out;
  (out.insert(out.end(), parts.begin(), parts.end()), ...);
  return out;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// The fixture tests/component/<file>, REQUIREd to be there and to decode.
Result<Component> decode_fixture(const char* file) {
  auto bytes = wippy::testing::load_fixture(file);
  REQUIRE_FALSE(bytes.empty());
  auto c = decode_component(bytes);
  REQUIRE_MESSAGE(c.ok(), c.error().message);
  return c;
}

}  // namespace

TEST_CASE("component names: kebab labels and extern names") {
  using wippy::testing::check_each;
  check_each(is_kebab_label, true, {"a", "a-b-c", "A1-2-3", "m1x3d-4CR0NYMS"});
  check_each(is_kebab_label, false, {"", "1-2-3", "aBc", "a--b", "a-", "a_b"});

  auto iface = parse_extern_name("wasi:cli/run@0.2.3");
  REQUIRE(iface.ok());
  CHECK(iface->kind == ParsedName::Kind::Interface);
  CHECK(iface->ns == "wasi");
  CHECK(iface->package == "cli");
  CHECK(iface->interface == "run");
  CHECK(iface->version == "0.2.3");

  auto method = parse_extern_name("[method]output-stream.blocking-write");
  REQUIRE(method.ok());
  CHECK(method->kind == ParsedName::Kind::Method);
  CHECK(method->resource == "output-stream");
  CHECK(method->label == "blocking-write");

  auto ctor = parse_extern_name("[constructor]fields");
  REQUIRE(ctor.ok());
  CHECK(ctor->kind == ParsedName::Kind::Constructor);

  check_each([](const char* n) { return parse_extern_name(n).ok(); }, false,
             {"Hello_World", "[method]no-dot", "[bogus]x", "wasi:cli", "wasi:cli/run@1.0"});
  CHECK(contains(parse_extern_name("ab_c").error().message, "is not in kebab case"));

  CHECK(is_valid_semver("1.2.3-rc.1+build.5"));
  CHECK_FALSE(is_valid_semver("01.2.3"));

  // Strongly-unique keys: case-insensitive, [method]x.x == x, annotations stripped.
  auto key = [](const char* n) { return unique_key(n, *parse_extern_name(n)); };
  CHECK(key("foo-BAR") == key("foo-bar"));
  CHECK(key("[method]foo.foo") == key("foo"));
  CHECK(key("[static]foo.bar") == key("[method]foo.bar"));
  CHECK(key("[constructor]foo") != key("foo"));
}

TEST_CASE("component decode: preamble, layer and version") {
  auto empty = decode_component(preamble());
  REQUIRE(empty.ok());
  CHECK(empty->order.empty());
  CHECK(is_component_binary(preamble()));

  std::vector<uint8_t> core = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  CHECK_FALSE(is_component_binary(core));
  auto r = decode_component(core);
  CHECK(contains(error_message(r, ErrorKind::Malformed), "core module"));

  std::vector<uint8_t> old = {0x00, 0x61, 0x73, 0x6d, 0x0c, 0x00, 0x01, 0x00};
  auto v = decode_component(old);
  REQUIRE_FALSE(v.ok());
  CHECK(contains(v.error().message, "version"));

  std::vector<uint8_t> bad_magic = {0x00, 0x61, 0x73, 0x6e, 0x0d, 0x00, 0x01, 0x00};
  CHECK(contains(decode_component(bad_magic).error().message, "magic"));
  CHECK_FALSE(decode_component(std::vector<uint8_t>{0x00, 0x61}).ok());
}

TEST_CASE("component decode: sections, offsets and size mismatch") {
  // Type section: one record type { x: u32, y: string }.
  auto rec = with_section(7, cat(std::vector<uint8_t>{0x01, 0x72, 0x02}, str("x"), std::vector<uint8_t>{0x79},
                                 str("y"), std::vector<uint8_t>{0x73}));
  auto c = decode_component(rec);
  REQUIRE(c.ok());
  REQUIRE(c->types.size() == 1);
  auto* r = std::get_if<RecordType>(&c->types[0]);
  REQUIRE(r != nullptr);
  REQUIRE(r->fields.size() == 2);
  CHECK(r->fields[1].name == "y");
  CHECK(r->fields[1].type == component::ValType::of(PrimValType::String));
  CHECK(c->count(Sort::Type) == 1);
  CHECK(validate_component(*c).ok());

  // Section size larger than its content: trailing bytes.
  auto trailing = with_section(7, {0x01, 0x73, 0x00});
  auto t = decode_component(trailing);
  REQUIRE_FALSE(t.ok());
  CHECK(contains(t.error().message, "section size mismatch"));

  // Section running past the end of the binary.
  auto b = preamble();
  b.insert(b.end(), {0x07, 0x10, 0x01});
  auto o = decode_component(b);
  REQUIRE_FALSE(o.ok());
  CHECK(contains(o.error().message, "section size 16 exceeds the 1 bytes left"));
  CHECK(contains(o.error().message, "offset 8"));

  // Unknown section id.
  auto u = decode_component(with_section(13, {}));
  REQUIRE_FALSE(u.ok());
  CHECK(contains(u.error().message, "section id 13"));

  // Bad type opcode names its offset: preamble(8) + id + size + count = 11.
  auto bad = decode_component(with_section(7, {0x01, 0x50}));
  REQUIRE_FALSE(bad.ok());
  CHECK(contains(bad.error().message, "0x50"));
  CHECK(contains(bad.error().message, "offset 11"));
}

TEST_CASE("component decode: async and other unsupported features are rejected") {
  auto expect_unsupported = [](std::vector<uint8_t> bytes, const char* what) {
    auto r = decode_component(bytes);
    CHECK(contains(error_message(r, ErrorKind::Malformed), "unsupported: "));
    CHECK(contains(r.error().message, what));
  };
  expect_unsupported(with_section(7, {0x01, 0x66, 0x01, 0x7d}), "stream");  // (stream u8)
  expect_unsupported(with_section(7, {0x01, 0x65, 0x00}), "future");        // (future)
  expect_unsupported(with_section(7, {0x01, 0x64}), "error-context");
  expect_unsupported(with_section(7, {0x01, 0x43, 0x00, 0x01, 0x00}), "async function");
  expect_unsupported(with_section(8, {0x01, 0x09, 0x01, 0x00, 0x00}), "task.return");
  expect_unsupported(with_section(8, {0x01, 0x1f}), "waitable-set.new");
  expect_unsupported(with_section(8, {0x01, 0x24}), "backpressure.inc");
  expect_unsupported(with_section(8, {0x01, 0x0e, 0x00}), "stream.new");
  // canon lift with the `async` option.
  expect_unsupported(with_section(8, {0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x00}), "`async`");

  auto file = wippy::testing::load_fixture("async_stream.wasm");
  REQUIRE_FALSE(file.empty());
  expect_unsupported(file, "stream type");
}

TEST_CASE("component validate: type definitions") {
  auto invalid = [](std::vector<uint8_t> bytes, const char* msg) {
    auto c = decode_component(bytes);
    REQUIRE(c.ok());
    auto v = validate_component(*c);
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().kind == ErrorKind::Invalid);
    CHECK_MESSAGE(contains(v.error().message, msg), v.error().message);
  };
  invalid(with_section(7, {0x01, 0x72, 0x00}), "record type must have at least one field");
  invalid(with_section(7, {0x01, 0x71, 0x00}), "variant type must have at least one case");
  invalid(with_section(7, cat(std::vector<uint8_t>{0x01, 0x6d, 0x02}, str("x"), str("X"))),
          "enum tag name `X` conflicts with previous tag name `x`");
  invalid(with_section(7, cat(std::vector<uint8_t>{0x01, 0x6d, 0x01}, str("GIVe"))), "is not in kebab case");
  invalid(with_section(7, {0x01, 0x70, 0x05}), "unknown type 5: type index out of bounds");
  invalid(with_section(7, {0x02, 0x7f, 0x69, 0x00}), "type index 0 is not a resource type");
  // (func (result (borrow $r))) needs a resource in a concrete component:
  // type 0 = resource (rep i32), type 1 = borrow 0, type 2 = func -> 1.
  invalid(with_section(7, {0x03, 0x3f, 0x7f, 0x00, 0x68, 0x00, 0x40, 0x00, 0x00, 0x01}),
          "function result cannot contain a `borrow` type");
  // A resource defined inside an instance type.
  invalid(with_section(7, {0x01, 0x42, 0x01, 0x01, 0x3f, 0x7f, 0x00}),
          "resources can only be defined within a concrete component");
}

TEST_CASE("component validate: imports and exports") {
  // (type (func)) (import "a" (func (type 0))) (import "A" ...) -> conflict.
  auto types = std::vector<uint8_t>{0x07, 0x05, 0x01, 0x40, 0x00, 0x01, 0x00};
  auto imports = cat(std::vector<uint8_t>{0x02, 0x00}, str("a"), std::vector<uint8_t>{0x01, 0x00, 0x00},
                     str("A"), std::vector<uint8_t>{0x01, 0x00});
  auto b = cat(preamble(), types, std::vector<uint8_t>{0x0a, uint8_t(imports.size())}, imports);
  auto c = decode_component(b);
  REQUIRE(c.ok());
  CHECK(c->imports.size() == 2);
  CHECK(c->count(Sort::Func) == 2);
  auto v = validate_component(*c);
  REQUIRE_FALSE(v.ok());
  CHECK(contains(v.error().message, "import name `A` conflicts with previous name `a`"));

  // Not kebab case.
  auto bad_name = cat(std::vector<uint8_t>{0x01, 0x00}, str("not_kebab"), std::vector<uint8_t>{0x01, 0x00});
  auto b2 = cat(preamble(), types, std::vector<uint8_t>{0x0a, uint8_t(bad_name.size())}, bad_name);
  auto c2 = decode_component(b2);
  REQUIRE(c2.ok());
  CHECK(contains(validate_component(*c2).error().message, "`not_kebab` is not in kebab case"));

  // Import of type index 0 as an instance: wrong kind.
  auto wrong = cat(std::vector<uint8_t>{0x01, 0x00}, str("i"), std::vector<uint8_t>{0x05, 0x00});
  auto b3 = cat(preamble(), types, std::vector<uint8_t>{0x0a, uint8_t(wrong.size())}, wrong);
  auto c3 = decode_component(b3);
  REQUIRE(c3.ok());
  CHECK(contains(validate_component(*c3).error().message, "type index 0 is not an instance type"));

  // Export of a function index that does not exist.
  auto exp = cat(std::vector<uint8_t>{0x01, 0x00}, str("f"), std::vector<uint8_t>{0x01, 0x03, 0x00});
  auto c4 = decode_component(with_section(11, exp));
  REQUIRE(c4.ok());
  CHECK(contains(validate_component(*c4).error().message, "unknown function 3: function index out of bounds"));
}

TEST_CASE("component fixtures: lift/lower, nested instantiation, interface exports") {
  auto c = decode_fixture("lift_lower.wasm");
  auto v = validate_component(*c);
  REQUIRE_MESSAGE(v.ok(), v.error().message);
  CHECK(c->core_modules.size() == 2);
  CHECK(c->components.size() == 1);
  REQUIRE(c->imports.size() == 1);
  CHECK(c->imports[0].name.name == "host-log");
  CHECK(c->imports[0].desc.sort == Sort::Func);
  REQUIRE(c->exports.size() == 2);
  CHECK(c->exports[0].name.name == "wippy:test/api@0.1.0");
  CHECK(c->exports[0].item.sort == Sort::Instance);
  CHECK(c->exports[1].name.name == "add-numbers");

  // The string-lifting canon carries memory, realloc and post-return.
  bool found = false;
  for (auto& cn : c->canons) {
    if (cn.kind != Canon::Kind::Lift || !cn.options.post_return) continue;
    found = true;
    CHECK(cn.options.memory.has_value());
    CHECK(cn.options.realloc.has_value());
    CHECK(cn.options.string_encoding == StringEncoding::Utf8);
  }
  CHECK(found);
  int lowers = 0;
  for (auto& cn : c->canons) lowers += cn.kind == Canon::Kind::Lower;
  CHECK(lowers == 1);
  // The order list covers every definition.
  size_t defs = c->core_modules.size() + c->core_instances.size() + c->core_types.size() + c->components.size() +
                c->instances.size() + c->aliases.size() + c->types.size() + c->canons.size() + c->starts.size() +
                c->imports.size() + c->exports.size() + c->values.size();
  CHECK(c->order.size() == defs);
}

TEST_CASE("component fixtures: resources and annotated names") {
  auto c = decode_fixture("resources.wasm");
  auto v = validate_component(*c);
  CHECK_MESSAGE(v.ok(), v.error().message);
  int resource_builtins = 0;
  for (auto& cn : c->canons)
    resource_builtins += cn.kind == Canon::Kind::ResourceNew || cn.kind == Canon::Kind::ResourceRep ||
                         cn.kind == Canon::Kind::ResourceDrop;
  CHECK(resource_builtins == 3);
  bool has_dtor = false;
  for (auto& t : c->types)
    if (auto* r = std::get_if<ResourceType>(&t)) has_dtor = r->dtor.has_value();
  CHECK(has_dtor);
}

TEST_CASE("component fixtures: invalid canon options and names") {
  auto check_invalid = [](const char* file, const char* msg) {
    auto c = decode_fixture(file);
    auto v = validate_component(*c);
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().kind == ErrorKind::Invalid);
    CHECK_MESSAGE(contains(v.error().message, msg), v.error().message);
  };
  check_invalid("missing_memory.wasm", "canonical option `memory` is required");
  check_invalid("duplicate_export.wasm", "export name `RUN` conflicts with previous name `run`");
  check_invalid("bad_canon_type.wasm", "lowered parameter types `[I64]` do not match parameter types `[I32]`");
}

TEST_CASE("component fixtures: hello world WASI command from clang + jco") {
  auto c = decode_fixture("hello.component.wasm");
  auto v = validate_component(*c);
  REQUIRE_MESSAGE(v.ok(), v.error().message);

  bool cli_exit = false, io_streams = false, stdout_imp = false;
  for (auto& imp : c->imports) {
    auto p = parse_extern_name(imp.name.name);
    REQUIRE(p.ok());
    CHECK(p->kind == ParsedName::Kind::Interface);
    CHECK(p->version.rfind("0.2.", 0) == 0);
    CHECK(imp.desc.sort == Sort::Instance);
    cli_exit |= p->ns == "wasi" && p->package == "cli" && p->interface == "exit";
    io_streams |= p->ns == "wasi" && p->package == "io" && p->interface == "streams";
    stdout_imp |= p->ns == "wasi" && p->package == "cli" && p->interface == "stdout";
  }
  CHECK(cli_exit);
  CHECK(io_streams);
  CHECK(stdout_imp);

  bool run = false;
  for (auto& e : c->exports) {
    auto p = parse_extern_name(e.name.name);
    REQUIRE(p.ok());
    if (p->kind == ParsedName::Kind::Interface && p->ns == "wasi" && p->package == "cli" && p->interface == "run") {
      run = true;
      CHECK(e.item.sort == Sort::Instance);
      CHECK(p->version.rfind("0.2.", 0) == 0);
    }
  }
  CHECK(run);
  CHECK(c->core_modules.size() >= 2);  // the guest and the preview1 adapter (plus shims)
}
