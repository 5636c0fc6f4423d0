// The embedding API (include/wippy/runtime.h) on real guests: typed calls
// with values, a command with captured stdio, errors that run nothing, the
// deadline, and recovery after a trap; and every entry point of
// include/wippy/ (runtime.h, engine.h, linker.h, instance.h, wippy.h) given
// failing input returns an error value, never an exception.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "dispatcher/clock.h"
#include "tests/unit/runtime_fixture.h"
#include "wippy/engine.h"
#include "wippy/instance.h"
#include "wippy/linker.h"
#include "wippy/runtime.h"
#include "wippy/wippy.h"

using namespace wippy;
using component::Val;

namespace {

std::string typed_entry(const RegistryScratch& s, std::string_view name, std::string_view method,
                        std::string_view extra = "") {
  return fmt::format(
      "  - name: {}\n    kind: function.wasm\n    fs: files\n    path: /typed.component.wasm\n"
      "    hash: sha256:{}\n    method: \"{}\"\n    imports: [wasi:cli, wasi:io, wasi:clocks, wasi:filesystem]\n{}",
      name, s.hash("typed.component.wasm"), method, extra);
}

std::string cmd_entry(const RegistryScratch& s, std::string_view name, std::string_view extra = "") {
  return fmt::format(
      "  - name: {}\n    kind: function.wasm\n    fs: files\n    path: /wasi_cmd.component.wasm\n"
      "    hash: sha256:{}\n    method: run\n    imports: [wasi:cli, wasi:io, wasi:clocks, wasi:filesystem, wasi:random]\n{}",
      name, s.hash("wasi_cmd.component.wasm"), extra);
}

constexpr const char* kHead = "namespace: api\nentries:\n  - {name: files, kind: fs.directory, directory: .}\n";

// A core module with a trap (t), a typed export (add) and an import that
// nothing provides in the api:: tests (env.f).
constexpr const char* kTrapWat =
    "(module (func (export \"t\") unreachable) "
    "(func (export \"add\") (param i32) (result i32) local.get 0))";
constexpr const char* kImportWat = "(module (import \"env\" \"f\" (func)))";

// Calls an entry point that must fail: no exception escapes, and the error
// is of `kind`.
template <class F>
void check_fails(ErrorKind kind, F&& call) {
  std::optional<decltype(call())> r;
  CHECK_NOTHROW(r.emplace(call()));
  REQUIRE(r.has_value());
  REQUIRE_FALSE(r->ok());
  CHECK_MESSAGE(r->error().kind == kind, r->error().message);
}

// The same for the C API: an error of `kind` comes back (and is freed).
template <class F>
void check_c_fails(wippy_error_kind_t kind, F&& call) {
  wippy_error_t* err = nullptr;
  CHECK_NOTHROW(err = call());
  REQUIRE(err != nullptr);
  CHECK_MESSAGE(wippy_error_kind(err) == kind, wippy_error_message(err));
  wippy_error_delete(err);
}

}  // namespace

TEST_CASE("runtime api: typed calls with values and JSON, entry names") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  auto rt = Runtime::load(s.write("a.yaml", std::string(kHead) + typed_entry(s, "greet", "greet") +
                                                typed_entry(s, "centroid", "geometry#centroid")));
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  Runtime& r = **rt;

  std::vector<Val> args{Val::string("api")};
  auto out = r.call("api:greet", args);
  REQUIRE_MESSAGE(out.ok(), (out.ok() ? "" : out.error().message));
  REQUIRE(out->values.size() == 1);
  CHECK(out->values[0].str == "hello, api");
  CHECK(out->json == "\"hello, api\"");
  CHECK(!out->exit_code);

  std::vector<Val> pts{Val::list({Val::record({Val::f64v(0), Val::f64v(0)}), Val::record({Val::f64v(4), Val::f64v(2)})})};
  auto c = r.call("api:centroid", pts);
  REQUIRE(c.ok());
  CHECK(c->json == "{\"ok\":{\"x\":2,\"y\":1}}");
  REQUIRE(c->values.size() == 1);
  CHECK(c->values[0].is_ok());

  CHECK(r.resolve("greet").value() == "api:greet");
  CHECK(r.resolve("api:centroid").value() == "api:centroid");
  CHECK(r.resolve("").error().message ==
        "the registry holds 2 function entries; name one: api:greet, api:centroid");
  CHECK(r.resolve("nope").error().message == "no function entry nope (entries: api:greet, api:centroid)");
  CHECK(r.functions() == std::vector<std::string>{"api:greet", "api:centroid"});

  auto wrong = r.call("api:greet", std::vector<Val>{});
  REQUIRE(!wrong.ok());
  CHECK(wrong.error().message == "entry api:greet: greet takes 1 arguments, 0 given");
}

TEST_CASE("runtime api: a command with captured stdio; a missing required env runs nothing") {
  RegistryScratch s;
  s.copy_guest("wasi_cmd.component.wasm");
  std::string text = std::string(kHead) +
                     "  - {name: need, kind: env.variable, variable: WIPPY_API_TEST_UNSET_VAR}\n" +
                     "  - {name: tag, kind: env.variable, variable: WIPPY_API_TEST_TAG}\n" + cmd_entry(s, "cmd",
                     "    wasi:\n      env: [{id: tag, name: TAG}]\n") +
                     cmd_entry(s, "strict", "    wasi:\n      env: [{id: need, required: true}]\n");
  RuntimeOptions opts;
  opts.inherit_stdio = false;
  opts.env_lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "WIPPY_API_TEST_TAG") return std::string("from-lookup");
    return std::nullopt;
  };
  auto rt = Runtime::load(s.write("a.yaml", text), opts);
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  Runtime& r = **rt;
  CHECK(r.is_command("api:cmd"));

  CallOptions co;
  co.extra_args = {"x", "-1"};
  auto out = r.call_json("api:cmd", std::vector<std::string>{}, co);
  REQUIRE_MESSAGE(out.ok(), (out.ok() ? "" : out.error().message));
  CHECK(out->exit_code == 0);
  CHECK(out->out == "arg 0: cmd\narg 1: x\narg 2: -1\nenv TAG=from-lookup\ncwd /\n");
  CHECK(out->json.empty());

  auto strict = r.call_json("api:strict", std::vector<std::string>{});
  REQUIRE(!strict.ok());
  CHECK(strict.error().message == "required wasi env variable not found: api:need");
  auto info = r.pool_info("api:strict");
  REQUIRE(info.ok());
  CHECK(info->live == 0);  // no instance was even created
}

TEST_CASE("runtime api: load errors name the entry and nothing can run") {
  RegistryScratch s;
  s.copy_guest("wasi_cmd.component.wasm");
  std::string entry = cmd_entry(s, "cmd");
  // Undeclared import: wasi:io left out of the grants.
  std::string no_io = entry;
  no_io.replace(no_io.find("wasi:io, "), 9, "");
  auto rt = Runtime::load(s.write("a.yaml", std::string(kHead) + no_io));
  REQUIRE(!rt.ok());
  CHECK(rt.error().kind == ErrorKind::Unlinkable);
  CHECK(rt.error().message ==
        fmt::format("{}:4: component imports wasi:io/error@0.2.12, which entry api:cmd does not grant (add "
                    "wasi:io to imports)",
                    (s.dir() / "a.yaml").string()));

  // The module changed after the registry was written.
  std::string good = s.hash("wasi_cmd.component.wasm");
  std::ofstream(s.dir() / "wasi_cmd.component.wasm", std::ios::app) << "x";
  auto mismatch = Runtime::load(s.write("b.yaml", std::string(kHead) + entry));
  REQUIRE(!mismatch.ok());
  CHECK(mismatch.error().message ==
        fmt::format("{}:4: entry api:cmd: hash mismatch: expected {}, got {}", (s.dir() / "b.yaml").string(), good,
                    s.hash("wasi_cmd.component.wasm")));
}

TEST_CASE("runtime api: load_on_first_use loads each entry at its first use; a broken one fails only its own uses") {
  RegistryScratch s;
  s.copy_guest("wasi_cmd.component.wasm");
  s.copy_guest("typed.component.wasm");
  std::string good_cmd = s.hash("wasi_cmd.component.wasm");
  // `bad` names typed.component.wasm with the command's hash.
  std::string bad = typed_entry(s, "bad", "greet");
  bad.replace(bad.find(s.hash("typed.component.wasm")), 64, good_cmd);
  std::string text = std::string(kHead) + cmd_entry(s, "cmd") + bad;
  auto files = s.write("r.yaml", text);
  const int bad_line = 11;  // "  - name: bad"
  std::string want = fmt::format("{}:{}: entry api:bad: hash mismatch: expected {}, got {}", files[0].string(), bad_line,
                                 good_cmd, s.hash("typed.component.wasm"));

  // The default loads every entry: the broken one fails the load.
  auto eager = Runtime::load(files);
  REQUIRE(!eager.ok());
  CHECK(eager.error().message == want);

  RuntimeOptions o;
  o.load_on_first_use = true;
  o.inherit_stdio = false;
  auto rt = Runtime::load(files, o);
  REQUIRE(rt.ok());
  CHECK((*rt)->functions() == std::vector<std::string>{"api:cmd", "api:bad"});
  CHECK((*rt)->is_command("api:cmd"));
  auto out = (*rt)->call_json("cmd", std::vector<std::string>{});
  REQUIRE_MESSAGE(out.ok(), out.error().message);
  CHECK(out->exit_code == 0);
  for (int i = 0; i < 2; ++i) {  // every use fails the same way
    auto r = (*rt)->call_json("bad", std::vector<std::string>{"1", "2"});
    REQUIRE(!r.ok());
    CHECK(r.error().message == want);
  }
  CHECK_FALSE((*rt)->is_command("api:bad"));
  auto info = (*rt)->pool_info("api:bad");
  REQUIRE(!info.ok());
  CHECK(info.error().message == want);
  CHECK(!(*rt)->warm("api:bad").ok());
}

TEST_CASE("runtime api: files that are not registries or modules are errors, never exceptions") {
  RegistryScratch s;
  std::filesystem::create_directories(s.dir() / "adir.yaml");
  std::filesystem::create_directories(s.dir() / "mods" / "m.wasm");
  for (const std::filesystem::path& bad : {s.dir() / "adir.yaml", std::filesystem::path("/dev/zero")}) {
    Result<std::unique_ptr<Runtime>> rt = make_error(ErrorKind::Other, "not loaded");
    CHECK_NOTHROW(rt = Runtime::load(std::vector<std::filesystem::path>{bad}));
    REQUIRE(!rt.ok());
    CHECK(rt.error().kind == ErrorKind::Io);
    CHECK_MESSAGE(rt.error().message.find(", not a regular file") != std::string::npos, rt.error().message);
  }
  // A function.wasm path naming a directory (this aborted the process once).
  auto dir_module = Runtime::load(s.write(
      "m.yaml", std::string(kHead) + "  - {name: m, kind: function.wasm, fs: files, path: /mods/m.wasm, hash: sha256:" +
                    std::string(64, '0') + ", method: run}\n"));
  REQUIRE(!dir_module.ok());
  CHECK(dir_module.error().message == fmt::format("{}:4: entry api:m: module /mods/m.wasm is a directory, not a "
                                                  "regular file",
                                                  (s.dir() / "m.yaml").string()));
}

TEST_CASE("runtime api: registry warnings go to on_warning; strict makes them errors") {
  RegistryScratch s;
  auto files = s.write("w.yaml", std::string(kHead) +
                                     "  - {name: f, kind: function.wat, method: f, source: '(module (func (export \"f\")))', "
                                     "metod: f}\n");
  std::vector<std::string> warnings;
  RuntimeOptions opts;
  opts.on_warning = [&](const std::string& w) { warnings.push_back(w); };
  auto rt = Runtime::load(files, opts);
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == fmt::format("{}:4: entry api:f: unknown key metod (did you mean method?)",
                                   (s.dir() / "w.yaml").string()));
  warnings.clear();
  opts.strict = true;
  auto strict = Runtime::load(files, opts);
  REQUIRE(!strict.ok());
  CHECK(warnings.empty());
  CHECK(strict.error().message ==
        fmt::format("{}:4: entry api:f: unknown key metod (did you mean method?)", (s.dir() / "w.yaml").string()));
}

TEST_CASE("runtime api: max_execution_ms stops a tight loop; the next call gets a fresh instance") {
  RegistryScratch s;
  s.copy_guest("typed.component.wasm");
  auto rt = Runtime::load(s.write(
      "a.yaml", std::string(kHead) + typed_entry(s, "spin", "spin", "    limits: {max_execution_ms: 1500}\n")));
  REQUIRE(rt.ok());
  // The limit is generous so that the second, short call (a fresh instance
  // and 1000 iterations) fits it on a loaded machine too.
  const uint64_t t0 = disp::now_ns();
  auto out = (*rt)->call_json("api:spin", std::vector<std::string>{"0"});
  const double ms = double(disp::now_ns() - t0) / 1e6;
  REQUIRE(!out.ok());
  CHECK(out.error().kind == ErrorKind::Interrupted);
  CHECK(out.error().message == "entry api:spin: deadline exceeded");
  CHECK(ms >= 1499);
  auto again = (*rt)->call_json("api:spin", std::vector<std::string>{"1000"});
  REQUIRE_MESSAGE(again.ok(), (again.ok() ? "" : again.error().message));
  CHECK(again->json == "1000");
}

TEST_CASE("runtime api: every Runtime entry point reports failing input as a value") {
  RegistryScratch s;
  using Paths = std::vector<std::filesystem::path>;
  check_fails(ErrorKind::Io, [&] { return Runtime::load(Paths{s.dir() / "missing.yaml"}); });
  check_fails(ErrorKind::Malformed, [&] { return Runtime::load(s.write("bad.yaml", "entries: [unclosed\n")); });

  const std::string trap_entry = std::string("  - {name: t, kind: function.wat, method: t, source: '") + kTrapWat + "'}\n";
  const std::string add_entry = std::string("  - {name: add, kind: function.wat, method: add, source: '") + kTrapWat + "'}\n";
  auto rt = Runtime::load(s.write("a.yaml", std::string(kHead) + trap_entry + add_entry));
  REQUIRE_MESSAGE(rt.ok(), (rt.ok() ? "" : rt.error().message));
  Runtime& r = **rt;
  const std::vector<std::string> no_json;
  const std::vector<Val> no_vals;

  check_fails(ErrorKind::Other, [&] { return r.resolve("nope"); });
  check_fails(ErrorKind::Other, [&] { return r.call("nope", no_vals); });  // unknown entry
  check_fails(ErrorKind::Other, [&] { return r.call_json("nope", no_json); });
  check_fails(ErrorKind::Invalid, [&] { return r.call("api:add", no_vals); });  // bad args
  check_fails(ErrorKind::Invalid, [&] { return r.call_json("api:add", std::vector<std::string>{"\"x\""}); });
  check_fails(ErrorKind::Trap, [&] { return r.call("api:t", no_vals); });
  check_fails(ErrorKind::Trap, [&] { return r.call_json("api:t", no_json); });
  check_fails(ErrorKind::Other, [&] { return r.warm("nope"); });
  check_fails(ErrorKind::Other, [&] { return r.pool_info("nope"); });
  check_fails(ErrorKind::Other, [&] { return r.spawn([] {}); });  // no worker threads
  bool command = true;
  CHECK_NOTHROW(command = r.is_command("nope"));
  CHECK_FALSE(command);
  CHECK_NOTHROW((void)r.functions());
}

TEST_CASE("runtime api: every api:: entry point reports failing input as a value") {
  RegistryScratch s;
  api::Engine engine;
  const std::vector<uint8_t> junk{1, 2, 3};
  check_fails(ErrorKind::Io, [&] { return api::Module::from_file(engine, s.dir() / "missing.wasm"); });
  check_fails(ErrorKind::Malformed, [&] { return api::Module::from_bytes(engine, junk); });
  check_fails(ErrorKind::Malformed, [&] { return api::Module::from_wat(engine, "(module"); });
  check_fails(ErrorKind::Io, [&] { return api::Component::from_file(engine, s.dir() / "missing.wasm"); });
  check_fails(ErrorKind::Malformed, [&] { return api::Component::from_bytes(engine, junk); });

  api::Linker linker(engine);
  auto needs_import = api::Module::from_wat(engine, kImportWat);
  REQUIRE(needs_import);
  check_fails(ErrorKind::Unlinkable, [&] { return linker.instantiate(*needs_import, {}); });
  s.copy_guest("typed.component.wasm");
  auto comp = api::Component::from_file(engine, s.dir() / "typed.component.wasm");
  REQUIRE(comp);
  api::InstanceOptions tiny;
  tiny.limits.memory_bytes = 1;  // no room for the component's memory
  check_fails(ErrorKind::Uninstantiable, [&] { return linker.instantiate(*comp, tiny); });

  auto m = api::Module::from_wat(engine, kTrapWat);
  REQUIRE(m);
  auto inst = linker.instantiate(*m, {});
  REQUIRE_MESSAGE(inst.ok(), (inst.ok() ? "" : inst.error().message));
  const std::vector<Val> no_vals;
  check_fails(ErrorKind::Other, [&] { return inst->call("nope", no_vals); });  // unknown export
  check_fails(ErrorKind::Invalid, [&] { return inst->call("add", no_vals); });  // bad args
  check_fails(ErrorKind::Invalid, [&] { return inst->call_json("add", {"\"x\""}); });
  check_fails(ErrorKind::Trap, [&] { return inst->call("t", no_vals); });
  check_fails(ErrorKind::Trap, [&] { return inst->call_json("t", std::vector<std::string>{}); });
  check_fails(ErrorKind::Other, [&] { return inst->run(); });  // no _start
}

TEST_CASE("runtime api: every fallible C API function reports failing input as an error") {
  wippy_engine_t* engine = wippy_engine_new();
  REQUIRE(engine != nullptr);
  const uint8_t junk[] = {1, 2, 3};
  wippy_module_t* m = nullptr;
  wippy_component_t* c = nullptr;
  check_c_fails(WIPPY_ERROR_MALFORMED, [&] { return wippy_module_new(engine, junk, sizeof junk, &m); });
  check_c_fails(WIPPY_ERROR_MALFORMED, [&] { return wippy_module_new_wat(engine, "(module", 7, &m); });
  check_c_fails(WIPPY_ERROR_MALFORMED, [&] { return wippy_component_new(engine, junk, sizeof junk, &c); });

  wippy_linker_t* linker = wippy_linker_new(engine);
  REQUIRE(linker != nullptr);
  const wippy_val_kind_t s32 = WIPPY_VAL_S32;
  check_c_fails(WIPPY_ERROR_INVALID, [&] {
    return wippy_linker_define_core_func(nullptr, "env", "f", &s32, 1, nullptr, 0, nullptr, nullptr, nullptr);
  });
  check_c_fails(WIPPY_ERROR_INVALID, [&] {
    return wippy_linker_define_func(nullptr, "my:app/host", "f", nullptr, 0, nullptr, nullptr, nullptr, nullptr);
  });
  wippy_instance_t* inst = nullptr;
  check_c_fails(WIPPY_ERROR_INVALID, [&] { return wippy_linker_instantiate(linker, nullptr, nullptr, nullptr, &inst); });
  REQUIRE(wippy_module_new_wat(engine, kImportWat, std::strlen(kImportWat), &m) == nullptr);
  check_c_fails(WIPPY_ERROR_LINK, [&] { return wippy_linker_instantiate_module(linker, m, nullptr, &inst); });
  wippy_module_delete(m);

  REQUIRE(wippy_module_new_wat(engine, kTrapWat, std::strlen(kTrapWat), &m) == nullptr);
  REQUIRE(wippy_linker_instantiate_module(linker, m, nullptr, &inst) == nullptr);
  size_t n = 0;
  char* json = nullptr;
  int exit_code = 0;
  check_c_fails(WIPPY_ERROR_OTHER, [&] { return wippy_instance_call(inst, "nope", nullptr, 0, nullptr, 0, &n); });
  check_c_fails(WIPPY_ERROR_INVALID, [&] { return wippy_instance_call(inst, "add", nullptr, 0, nullptr, 0, &n); });
  const char* bad_arg = "\"x\"";
  check_c_fails(WIPPY_ERROR_INVALID, [&] { return wippy_instance_call_json(inst, "add", &bad_arg, 1, &json); });
  check_c_fails(WIPPY_ERROR_TRAP, [&] { return wippy_instance_call_json(inst, "t", nullptr, 0, &json); });
  check_c_fails(WIPPY_ERROR_OTHER, [&] { return wippy_instance_run(inst, &exit_code); });
  wippy_instance_delete(inst);
  wippy_module_delete(m);
  wippy_linker_delete(linker);
  wippy_engine_delete(engine);
}
