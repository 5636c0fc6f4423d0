// Unit tests for runtime/ (registry): loading and checking Wippy registry
// files, module hashes, env resolution and WASI import profiles. Each test
// writes small YAML files into its own temporary folder.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <array>

#include "runtime/closest_key.h"
#include "runtime/confined_path.h"
#include "runtime/input_file.h"
#include "runtime/module_hash.h"
#include "runtime/module_source.h"
#include "runtime/source_file.h"
#include "hostfns/wasi_groups.h"
#include "runtime/registry.h"
#include "runtime/wasi_env.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using namespace wippy;
using namespace wippy::hostfns;

namespace {

// sha256("abc")
constexpr const char* kAbcHash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

class TempDir {
 public:
  TempDir() {
    path_ = wippy::testing::make_temp_dir("wippy-reg-");
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

  // Writes `text` (one leading newline dropped, so raw strings read naturally).
  fs::path write(const std::string& name, std::string_view text) const {
    if (!text.empty() && text.front() == '\n') text.remove_prefix(1);
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

 private:
  fs::path path_;
};

Result<Registry> load(const std::vector<fs::path>& files) { return load_registry(files); }

// The entry `id` of `r`, a registry that must have loaded; never null.
const FunctionEntry* loaded_function(const Result<Registry>& r, std::string_view id) {
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  const FunctionEntry* fn = r->find_function(id);
  REQUIRE(fn);
  return fn;
}

// Loads `files`, which are expected to fail; returns the error text.
std::string load_error(const std::vector<fs::path>& files) {
  Result<Registry> r = load(files);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

// Loads one file that is expected to fail; returns the error text.
std::string load_error(const TempDir& dir, std::string_view yaml, std::string name = "app.yaml") {
  return load_error({dir.write(name, yaml)});
}

#define CHECK_HAS(text, part)                                               \
  CHECK_MESSAGE((text).find(part) != std::string::npos, "message: " << (text) \
                                                                          << "\nwanted: " << (part))

const std::string kDirs = R"(
namespace: myns
entries:
  - name: assets
    kind: fs.directory
    directory: ./assets
    auto_init: true)";

// Entry myns:f, a function.wat with no fields past method: add them after it.
const std::string kWat = R"(
  - name: f
    kind: function.wat
    source: '(module)'
    method: run)";

// Loads kDirs + kWat + `fields` (more fields of myns:f), expected to fail;
// returns the error text.
std::string f_error(const TempDir& dir, std::string_view fields) {
  return load_error(dir, kDirs + kWat + std::string(fields));
}

}  // namespace

TEST_CASE("registry: loads the documented example with every field") {
  TempDir dir;
  dir.write("assets/module.wasm", "abc");
  fs::path f = dir.write("app.yaml", std::string(R"(
version: "1.0"
namespace: myns
entries:
  - name: assets
    kind: fs.directory
    directory: ./assets
  - name: data
    kind: fs.directory
    directory: ./data
    auto_init: true
    mode: "0750"
  - name: api_key
    kind: env.variable
    variable: API_KEY
    default: none
  - name: my_function
    kind: function.wasm
    fs: myns:assets
    path: /module.wasm
    hash: sha256:)") + std::string(kAbcHash) + R"(
    method: run
    imports: [wasi:cli, wasi:io, wasi:clocks, wasi:filesystem]
    pool: {type: inline}
    limits: {max_execution_ms: 1000, memory_bytes: 16777216}
    wit: "world w {}"
    wasi:
      args: [my_function, "--flag"]
      cwd: /data
      env:
        - {id: myns:api_key, name: API_KEY, required: true}
      mounts:
        - {fs: myns:data, guest: /data, read_only: true}
)");
  Result<Registry> r = load({f});
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  const Registry& reg = *r;
  CHECK(reg.size() == 4);
  CHECK(fs::is_directory(dir.path() / "data"));  // auto_init created it

  const FsDirectoryEntry* assets = reg.find_fs("myns:assets");
  REQUIRE(assets);
  CHECK(assets->directory == (fs::absolute(dir.path()) / "assets").lexically_normal());
  CHECK(assets->loc.line == 4);
  CHECK_FALSE(assets->auto_init);
  const FsDirectoryEntry* data = reg.find_fs("myns:data");
  REQUIRE(data);
  CHECK(data->auto_init);
  CHECK(data->mode == 0750u);

  const EnvVariableEntry* key = reg.find_env("myns:api_key");
  REQUIRE(key);
  CHECK(key->variable == "API_KEY");
  CHECK(key->default_value == "none");

  const FunctionEntry* fn = reg.find_function("myns:my_function");
  REQUIRE(fn);
  CHECK(fn->loc.line == 16);
  CHECK(fn->loc.file == f);
  CHECK(fn->kind == FunctionKind::Wasm);
  CHECK(fn->fs == "myns:assets");
  CHECK(fn->path == "/module.wasm");
  CHECK(fn->hash == std::string("sha256:") + kAbcHash);
  CHECK(fn->method == "run");
  CHECK(fn->imports.has(Profile::Cli));
  CHECK(fn->imports.has(Profile::Io));
  CHECK(fn->imports.has(Profile::Clocks));
  CHECK(fn->imports.has(Profile::Filesystem));
  CHECK_FALSE(fn->imports.has(Profile::Sockets));
  CHECK(fn->pool.type == PoolType::Inline);
  CHECK(fn->pool.max_size == 16);
  CHECK(fn->limits.max_execution_ms == 1000u);
  CHECK(fn->limits.memory_bytes == 16777216u);
  CHECK_FALSE(fn->limits.max_open_sockets.has_value());
  CHECK(fn->wit == "world w {}");
  REQUIRE(fn->wasi.args.has_value());
  CHECK(*fn->wasi.args == std::vector<std::string>{"my_function", "--flag"});
  CHECK(fn->wasi.cwd == "/data");
  REQUIRE(fn->wasi.env.size() == 1);
  CHECK(fn->wasi.env[0].id == "myns:api_key");
  CHECK(fn->wasi.env[0].name == "API_KEY");
  CHECK(fn->wasi.env[0].required);
  REQUIRE(fn->wasi.mounts.size() == 1);
  CHECK(fn->wasi.mounts[0].fs == "myns:data");
  CHECK(fn->wasi.mounts[0].guest == "/data");
  CHECK(fn->wasi.mounts[0].read_only);
  CHECK(reg.functions().size() == 1);

  Result<SharedBytes> bytes = read_module(reg, *fn);
  REQUIRE_MESSAGE(bytes.ok(), bytes.error().message);
  CHECK(std::string(bytes->begin(), bytes->end()) == "abc");
}

TEST_CASE("registry: defaults when optional fields are absent") {
  TempDir dir;
  fs::path f = dir.write("app.yaml", kDirs + R"(
  - name: f
    kind: function.wasm
    fs: assets
    path: m.wasm
    hash: SHA256:)" + std::string(kAbcHash) + R"(
    method: run
)");
  Result<Registry> r = load({f});
  const FunctionEntry* fn = loaded_function(r, "myns:f");
  CHECK(fn->fs == "myns:assets");  // plain name resolved in its namespace
  CHECK(fn->hash == std::string("sha256:") + kAbcHash);
  CHECK(fn->imports.empty());
  CHECK_FALSE(fn->wasi.args.has_value());
  CHECK(fn->wasi.cwd == "/");
  CHECK(fn->pool.type == PoolType::Inline);
  CHECK(fn->pool.max_size == 16);
  CHECK(fn->pool.workers == 8);
}

TEST_CASE("registry: pool types and static worker counts") {
  TempDir dir;
  auto fn_yaml = [&](std::string pool) {
    return kDirs + kWat + "\n    pool: " + pool + "\n";
  };
  struct Case {
    std::string pool;
    PoolType type;
    uint32_t max_size, workers;
  };
  for (const Case& c : std::vector<Case>{
           {"{type: lazy, max_size: 4}", PoolType::Lazy, 4, 8},
           {"{type: static, workers: 3}", PoolType::Static, 16, 3},
           {"{type: static, size: 5}", PoolType::Static, 16, 5},
           {"{type: static}", PoolType::Static, 16, 8},
           {"{type: adaptive, max_size: 32}", PoolType::Adaptive, 32, 8},
       }) {
    CAPTURE(c.pool);
    Result<Registry> r = load({dir.write("app.yaml", fn_yaml(c.pool))});
    const FunctionEntry* fn = loaded_function(r, "myns:f");
    CHECK(fn->pool.type == c.type);
    CHECK(fn->pool.max_size == c.max_size);
    CHECK(fn->pool.workers == c.workers);
  }
}

TEST_CASE("registry: required fields are reported with file, line and entry") {
  TempDir dir;
  std::string msg = load_error(dir, kDirs + R"(
  - name: f
    kind: function.wasm
    method: run
)");
  CHECK_HAS(msg, "app.yaml:7: entry myns:f: fs is required");
  CHECK_HAS(msg, "app.yaml:7: entry myns:f: path is required");
  CHECK_HAS(msg, "app.yaml:7: entry myns:f: hash is required");

  msg = load_error(dir, kDirs + R"(
  - name: f
    kind: function.wasm
    fs: assets
    path: /m.wasm
    hash: sha256:)" + std::string(kAbcHash) + "\n");
  CHECK_HAS(msg, "app.yaml:7: entry myns:f: method is required");

  msg = load_error(dir, R"(
namespace: ns
entries:
  - name: d
    kind: fs.directory
  - name: v
    kind: env.variable
    default: x
  - name: w
    kind: function.wat
    method: run
)");
  CHECK_HAS(msg, "app.yaml:3: entry ns:d: directory is required");
  CHECK_HAS(msg, "app.yaml:5: entry ns:v: variable is required");
  CHECK_HAS(msg, "app.yaml:8: entry ns:w: source is required");

  msg = load_error(dir, R"(
namespace: ns
entries:
  - kind: fs.directory
    directory: .
)");
  CHECK_HAS(msg, "app.yaml:3: entry #1: name is required");
}

TEST_CASE("registry: bad YAML reports the parser's line") {
  TempDir dir;
  std::string msg = load_error(dir, R"(
namespace: ns
entries:
  - name: a
    kind: [unclosed
)");
  CHECK_HAS(msg, "app.yaml:");
  CHECK_HAS(msg, "bad YAML");
  fs::path f = dir.write("bad.yaml", "namespace: ns\nentries:\n  - name: a\n   kind: x\n");
  Result<Registry> r = load({f});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::Malformed);
  CHECK_HAS(r.error().message, "bad.yaml:4: bad YAML");

  Result<Registry> missing = load({dir.path() / "nope.yaml"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == ErrorKind::Io);
  CHECK_HAS(missing.error().message, "nope.yaml: cannot read registry file");
}

TEST_CASE("registry: missing namespace and unknown kind") {
  TempDir dir;
  CHECK_HAS(load_error(dir, "entries: []\n"), "app.yaml:1: namespace is required");
  CHECK_HAS(load_error(dir, ""), "app.yaml:1: namespace is required");
  std::string msg = load_error(dir, R"(
namespace: ns
entries:
  - name: x
    kind: fs.dir
)");
  CHECK_HAS(msg, "app.yaml:4: entry ns:x: unknown kind fs.dir");
}

TEST_CASE("registry: bad ID references") {
  TempDir dir;
  std::string msg = load_error(dir, kDirs + R"(
  - name: key
    kind: env.variable
    variable: KEY
  - name: f
    kind: function.wat
    source: '(module)'
    method: run
  - name: g
    kind: function.wasm
    fs: myns:nope
    path: /m.wasm
    hash: sha256:)" + std::string(kAbcHash) + R"(
    method: run
  - name: h
    kind: function.wasm
    fs: key
    path: /m.wasm
    hash: sha256:)" + std::string(kAbcHash) + R"(
    method: run
    wasi:
      env:
        - {id: assets}
        - {id: other:key}
      mounts:
        - {fs: f, guest: /x}
)");
  CHECK_HAS(msg, "app.yaml:16: entry myns:g: fs myns:nope not found");
  CHECK_HAS(msg, "app.yaml:22: entry myns:h: fs myns:key is not an fs.directory entry");
  CHECK_HAS(msg, "app.yaml:28: entry myns:h: wasi env myns:assets is not an env.variable entry");
  CHECK_HAS(msg, "app.yaml:29: entry myns:h: wasi env other:key not found");
  CHECK_HAS(msg, "app.yaml:31: entry myns:h: mount fs myns:f is not an fs.directory entry");
}

TEST_CASE("registry: duplicate names within and across files") {
  TempDir dir;
  std::string msg = load_error(dir, kDirs + R"(
  - name: assets
    kind: env.variable
    variable: X
)");
  CHECK_HAS(msg, "app.yaml:7: entry myns:assets: duplicate name assets (first defined at ");
  CHECK_HAS(msg, "app.yaml:3)");

  fs::path a = dir.write("a.yaml", kDirs);
  fs::path b = dir.write("b.yaml", R"(
namespace: myns
entries:
  - name: assets
    kind: fs.directory
    directory: ./other
    auto_init: true
)");
  std::string across = load_error({a, b});
  CHECK_HAS(across, "b.yaml:3: entry myns:assets: duplicate name");
  CHECK_HAS(across, "a.yaml:3)");
  // Nothing is created when the registry is rejected.
  CHECK_FALSE(fs::exists(dir.path() / "assets"));
  CHECK_FALSE(fs::exists(dir.path() / "other"));
}

TEST_CASE("registry: negative, zero and malformed pool and limit values") {
  TempDir dir;
  std::string msg = f_error(dir, R"(
    pool:
      type: lazy
      max_size: -1
      workers: 0
    limits:
      memory_bytes: -5
      max_execution_ms: 1.5
      socket_timeout_ms: -1
)");
  CHECK_HAS(msg, "app.yaml:13: entry myns:f: pool max_size must not be negative (got -1)");
  CHECK_HAS(msg, "app.yaml:14: entry myns:f: pool workers must be at least 1");
  CHECK_HAS(msg, "app.yaml:16: entry myns:f: limits memory_bytes must not be negative");
  CHECK_HAS(msg, "app.yaml:17: entry myns:f: limits max_execution_ms must be a non-negative integer");
  CHECK_HAS(msg, "app.yaml:18: entry myns:f: limits socket_timeout_ms must not be negative");
}

TEST_CASE("registry: unknown pool type") {
  TempDir dir;
  std::string msg = f_error(dir, R"(
    pool: {type: elastic}
)");
  CHECK_HAS(msg, "app.yaml:11: entry myns:f: unknown pool type elastic");
}

TEST_CASE("registry: guest paths must be absolute and mounted once") {
  TempDir dir;
  std::string msg = f_error(dir, R"(
    wasi:
      cwd: data
      mounts:
        - {fs: assets, guest: data}
        - {fs: assets, guest: /data}
        - {fs: assets, guest: /data/}
        - {fs: assets, guest: /other}
)");
  CHECK_HAS(msg, "app.yaml:12: entry myns:f: wasi cwd data must be an absolute path");
  CHECK_HAS(msg, "app.yaml:14: entry myns:f: mount guest data must be an absolute path");
  CHECK_HAS(msg, "app.yaml:16: entry myns:f: duplicate mount: guest path /data is mounted twice");
  CHECK(msg.find("/other") == std::string::npos);
}

TEST_CASE("registry: hash format") {
  TempDir dir;
  auto with_hash = [&](std::string hash) {
    return kDirs + R"(
  - name: f
    kind: function.wasm
    fs: assets
    path: /m.wasm
    hash: )" + hash + R"(
    method: run
)";
  };
  CHECK_HAS(load_error(dir, with_hash("md5:900150983cd24fb0d6963f7d28e17f72")),
            "app.yaml:11: entry myns:f: only sha256 is supported (got md5)");
  CHECK_HAS(load_error(dir, with_hash("sha512:abcd")), "only sha256 is supported");
  CHECK_HAS(load_error(dir, with_hash("sha256:1234")),
            "app.yaml:11: entry myns:f: hash must be sha256:<64 hex digits>");
  CHECK_HAS(load_error(dir, with_hash(std::string(kAbcHash))), "hash must be sha256:<64 hex digits>");
  std::string bad_digit(kAbcHash);
  bad_digit[10] = 'g';
  CHECK_HAS(load_error(dir, with_hash("sha256:" + bad_digit)), "hash must be sha256:<64 hex digits>");
}

TEST_CASE("registry: imports profiles are checked") {
  TempDir dir;
  std::string msg = f_error(dir, R"(
    imports:
      - WASI:CLI@0.2.0
      - wasi:nn
      - wasi:io/poll
      - wasi:cli/nope
)");
  CHECK_HAS(msg, "app.yaml:13: entry myns:f: unsupported wasm host import: wasi:nn");
  CHECK_HAS(msg, "app.yaml:15: entry myns:f: unsupported wasm host import: wasi:cli/nope");
  CHECK(msg.find("WASI:CLI") == std::string::npos);
  CHECK(msg.find("wasi:io/poll") == std::string::npos);
}

TEST_CASE("registry: profile parsing and grants") {
  CHECK(parse_profile("wasi:cli") == Profile::Cli);
  CHECK(parse_profile("WASI:Sockets@0.2.3") == Profile::Sockets);
  CHECK(parse_profile("wasi:poll") == Profile::Poll);
  CHECK(parse_profile("wasi:io/poll") == Profile::Poll);
  CHECK(parse_profile("wasi:io/streams@0.2.0") == Profile::Io);
  CHECK(parse_profile("wasi:filesystem/types@0.2.0") == Profile::Filesystem);
  CHECK(parse_profile("wasi:http/outgoing-handler") == Profile::Http);
  CHECK_FALSE(parse_profile("wasi:nn").has_value());
  CHECK_FALSE(parse_profile("wasi:io/nope").has_value());
  CHECK_FALSE(parse_profile("").has_value());

  ProfileSet set;
  set.add(Profile::Cli);
  set.add(Profile::Poll);
  CHECK(profile_grants(set, "wasi:cli/stdout@0.2.0"));
  CHECK(profile_grants(set, "wasi:cli/terminal-stderr@0.2.3"));
  CHECK(profile_grants(set, "wasi:cli/environment"));
  CHECK(profile_grants(set, "wasi:io/poll@0.2.1"));
  CHECK_FALSE(profile_grants(set, "wasi:io/streams@0.2.0"));  // wasi:poll is poll alone
  CHECK_FALSE(profile_grants(set, "wasi:cli/stdout@0.3.0"));
  CHECK_FALSE(profile_grants(set, "wasi:sockets/tcp@0.2.3"));
  CHECK_FALSE(profile_grants(set, "wasi:cli"));
  set.add(Profile::Sockets);
  CHECK(profile_grants(set, "wasi:sockets/tcp@0.2.3"));
  CHECK(profile_grants(set, "wasi:sockets/ip-name-lookup@0.2.0"));
  CHECK_FALSE(profile_grants(set, "wasi:http/types@0.2.0"));
  set.add(Profile::Http);
  CHECK(profile_grants(set, "wasi:http/types@0.2.0"));
  CHECK_FALSE(profile_grants(set, "wasi:filesystem/types@0.2.0"));

  ProfileSet none;
  Result<void> denied = check_import_granted(none, "ns:name", "wasi:sockets/tcp@0.2.0");
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().message ==
        "component imports wasi:sockets/tcp@0.2.0, which entry ns:name does not grant (add "
        "wasi:sockets to imports)");
  Result<void> poll = check_import_granted(none, "ns:name", "wasi:io/poll@0.2.0");
  REQUIRE_FALSE(poll.ok());
  CHECK_HAS(poll.error().message, "(add wasi:io to imports)");
  CHECK(check_import_granted(set, "ns:name", "wasi:cli/exit@0.2.0").ok());
  Result<void> unknown = check_import_granted(set, "ns:name", "acme:thing/x@1.0.0");
  REQUIRE_FALSE(unknown.ok());
  CHECK_HAS(unknown.error().message, "which no wasm host import provides");
}

TEST_CASE("registry: several files resolve IDs across namespaces") {
  TempDir dir;
  dir.write("shared/lib/m.wasm", "abc");
  fs::path shared = dir.write("shared/shared.yaml", R"(
namespace: shared
entries:
  - name: modules
    kind: fs.directory
    directory: lib
  - name: token
    kind: env.variable
    variable: TOKEN
)");
  fs::path app = dir.write("app/app.yaml", std::string(R"(
namespace: app
entries:
  - name: scratch
    kind: fs.directory
    directory: ../scratch
    auto_init: true
  - name: f
    kind: function.wasm
    fs: shared:modules
    path: m.wasm
    hash: sha256:)") + kAbcHash + R"(
    method: go
    wasi:
      env:
        - {id: shared:token, name: T}
      mounts:
        - {fs: scratch, guest: /tmp}
)");
  std::vector<fs::path> files{app, shared};  // order does not matter
  Result<Registry> r = load(files);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(r->size() == 4);
  const FunctionEntry* fn = r->find_function("app:f");
  REQUIRE(fn);
  CHECK(fn->fs == "shared:modules");
  CHECK(fn->wasi.env.at(0).id == "shared:token");
  CHECK(fn->wasi.mounts.at(0).fs == "app:scratch");
  CHECK(r->find_fs("shared:modules")->directory.filename() == "lib");
  CHECK(fs::is_directory(dir.path() / "scratch"));
  CHECK(r->find_function("shared:modules") == nullptr);
  CHECK(r->find("app:nope") == nullptr);
  Result<SharedBytes> bytes = read_module(*r, *fn);
  REQUIRE_MESSAGE(bytes.ok(), bytes.error().message);
  CHECK(bytes->size() == 3);

  // Without the shared file the references dangle.
  std::string alone = load_error({app});
  CHECK_HAS(alone, "entry app:f: fs shared:modules not found");
  CHECK_HAS(alone, "entry app:f: wasi env shared:token not found");
}

TEST_CASE("registry: fs.directory must exist unless auto_init") {
  TempDir dir;
  std::string msg = load_error(dir, R"(
namespace: ns
entries:
  - name: d
    kind: fs.directory
    directory: ./missing
)");
  CHECK_HAS(msg, "app.yaml:3: entry ns:d: directory ");
  CHECK_HAS(msg, "missing does not exist");
  dir.write("file.txt", "x");
  msg = load_error(dir, R"(
namespace: ns
entries:
  - name: d
    kind: fs.directory
    directory: file.txt
)");
  CHECK_HAS(msg, "app.yaml:3: entry ns:d: ");
  CHECK_HAS(msg, "is not a directory");
  CHECK_HAS(load_error(dir, R"(
namespace: ns
entries:
  - name: d
    kind: fs.directory
    directory: x
    mode: rwx
)"), "app.yaml:6: entry ns:d: mode rwx must be octal");
}

TEST_CASE("registry: module hash verification") {
  const std::string abc = "abc";
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(abc.data()), abc.size());
  CHECK(sha256_hex(bytes) == kAbcHash);
  CHECK(sha256_hex({}) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(verify_hash(bytes, std::string("sha256:") + kAbcHash).ok());
  std::string upper(kAbcHash);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(verify_hash(bytes, "sha256:" + upper).ok());
  std::string wrong(64, '0');
  Result<void> bad = verify_hash(bytes, "sha256:" + wrong);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message ==
        fmt::format("hash mismatch: expected {}, got {}", wrong, kAbcHash));
  CHECK_HAS(verify_hash(bytes, "md5:00").error().message, "only sha256 is supported");
}

TEST_CASE("registry: read_module checks the hash and confines the path") {
  TempDir dir;
  dir.write("assets/m.wasm", "abd");  // not "abc": the hash will not match
  dir.write("assets/ok.wasm", "abc");
  dir.write("secret.wasm", "abc");
  auto fn = [&](std::string name, std::string path) {
    return R"(
  - name: )" + name + R"(
    kind: function.wasm
    fs: assets
    path: )" + path + R"(
    hash: sha256:)" + kAbcHash + R"(
    method: run)";
  };
  fs::create_symlink(dir.path() / "secret.wasm", dir.path() / "assets" / "link.wasm");
  fs::path f = dir.write("app.yaml", kDirs + fn("bad", "/m.wasm") + fn("ok", "/sub/../ok.wasm") +
                                         fn("link", "link.wasm") + fn("gone", "/gone.wasm"));
  Result<Registry> r = load({f});
  REQUIRE_MESSAGE(r.ok(), r.error().message);

  Result<SharedBytes> bad = read_module(*r, *r->find_function("myns:bad"));
  REQUIRE_FALSE(bad.ok());
  CHECK_HAS(bad.error().message, "entry myns:bad: hash mismatch: expected ");
  CHECK_HAS(bad.error().message, std::string(", got ") + sha256_hex(std::vector<uint8_t>{'a', 'b', 'd'}));
  CHECK(read_module(*r, *r->find_function("myns:ok")).ok());
  Result<SharedBytes> link = read_module(*r, *r->find_function("myns:link"));
  REQUIRE_FALSE(link.ok());
  CHECK_HAS(link.error().message, "resolves outside directory myns:assets");
  Result<SharedBytes> gone = read_module(*r, *r->find_function("myns:gone"));
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().kind == ErrorKind::Io);
  CHECK_HAS(gone.error().message, "entry myns:gone: cannot read module");

  // Lexical escapes are refused when the registry is loaded.
  std::string msg = load_error(dir, kDirs + fn("up", "../secret.wasm") + fn("abs", "/a/../../secret.wasm"));
  CHECK_HAS(msg, "app.yaml:10: entry myns:up: path ../secret.wasm escapes its directory");
  CHECK_HAS(msg, "app.yaml:16: entry myns:abs: path /a/../../secret.wasm escapes its directory");
}

TEST_CASE("registry: function.wat source inline or from a file") {
  TempDir dir;
  dir.write("wat/add.wat", "(module (func (export \"add\")))");
  fs::path f = dir.write("app.yaml", kDirs + R"(
  - name: inline
    kind: function.wat
    source: |
      (module)
    method: run
  - name: file
    kind: function.wat
    source: file://wat/add.wat
    method: add
)");
  Result<Registry> r = load({f});
  const FunctionEntry* in = loaded_function(r, "myns:inline");
  CHECK(in->kind == FunctionKind::Wat);
  CHECK(in->wat_source == "(module)\n");
  CHECK_FALSE(in->wat_file.has_value());
  const FunctionEntry* file = loaded_function(r, "myns:file");
  CHECK(file->wat_source == "(module (func (export \"add\")))");
  REQUIRE(file->wat_file.has_value());
  CHECK(file->wat_file->filename() == "add.wat");
  CHECK_FALSE(read_module(*r, *file).ok());

  CHECK_HAS(load_error(dir, kDirs + R"(
  - name: w
    kind: function.wat
    source: file://nope.wat
    method: run
)"), "app.yaml:9: entry myns:w: source file://nope.wat: cannot read file nope.wat: no such file");
}

TEST_CASE("registry: env resolution through env.variable entries") {
  TempDir dir;
  fs::path f = dir.write("app.yaml", R"(
namespace: ns
entries:
  - name: key
    kind: env.variable
    variable: HOST_KEY
    default: fallback
  - name: token
    kind: env.variable
    variable: HOST_TOKEN
  - name: opt
    kind: env.variable
    variable: HOST_OPT
  - name: f
    kind: function.wat
    source: '(module)'
    method: run
    wasi:
      env:
        - {id: key, name: KEY}
        - {id: ns:token, required: true}
        - {id: opt}
)");
  Result<Registry> r = load({f});
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  const FunctionEntry& fn = *r->find_function("ns:f");

  std::map<std::string, std::string> host{{"HOST_TOKEN", "t0k"}};
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto it = host.find(std::string(name));
    if (it == host.end()) return std::nullopt;
    return it->second;
  };
  Result<EnvPairs> env = resolve_env(*r, fn, lookup);
  REQUIRE_MESSAGE(env.ok(), env.error().message);
  CHECK(*env == EnvPairs{{"KEY", "fallback"}, {"HOST_TOKEN", "t0k"}});

  host["HOST_KEY"] = "real";
  host["HOST_OPT"] = "";
  env = resolve_env(*r, fn, lookup);
  REQUIRE(env.ok());
  CHECK(*env == EnvPairs{{"KEY", "real"}, {"HOST_TOKEN", "t0k"}, {"HOST_OPT", ""}});

  host.erase("HOST_TOKEN");
  env = resolve_env(*r, fn, lookup);
  REQUIRE_FALSE(env.ok());
  CHECK(env.error().message == "required wasi env variable not found: ns:token");

  // The process environment is the default source.
  ::setenv("WIPPY_REG_TEST_TOKEN", "from-process", 1);
  fs::path g = dir.write("proc.yaml", R"(
namespace: p
entries:
  - name: t
    kind: env.variable
    variable: WIPPY_REG_TEST_TOKEN
  - name: f
    kind: function.wat
    source: '(module)'
    method: run
    wasi:
      env: [{id: t, name: T, required: true}]
)");
  Result<Registry> pr = load({g});
  REQUIRE_MESSAGE(pr.ok(), pr.error().message);
  Result<EnvPairs> penv = resolve_env(*pr, *pr->find_function("p:f"));
  ::unsetenv("WIPPY_REG_TEST_TOKEN");
  REQUIRE(penv.ok());
  CHECK(*penv == EnvPairs{{"T", "from-process"}});
}

TEST_CASE("registry: WASI versions other than 0.2.x are named in the refusal") {
  ProfileSet all;
  for (int i = 0; i < kProfileCount; ++i) all.add(static_cast<Profile>(i));
  Result<void> r = check_import_granted(all, "ns:f", "wasi:cli/stdout@0.3.0");
  REQUIRE_FALSE(r.ok());
  CHECK_HAS(r.error().message, "only WASI 0.2.x is supported");
  CHECK(check_import_granted(all, "ns:f", "wasi:cli/stdout@0.2.6").ok());
  CHECK(check_import_granted(all, "ns:f", "wasi:clocks/monotonic-clock").ok());
}

TEST_CASE("registry: problems are listed by file, then line") {
  TempDir dir;
  fs::path a = dir.write("a.yaml", R"(
namespace: a
entries:
  - name: f
    kind: function.wat
    source: '(module)'
    method: run
    wasi: {mounts: [{fs: missing, guest: /m}]}
  - name: d
    kind: fs.directory
    directory: ./absent
)");
  fs::path b = dir.write("b.yaml", "namespace: b\nentries:\n  - name: g\n    kind: nope\n");
  const std::string msg = load_error({a, b});
  size_t ref = msg.find("a.yaml:7: entry a:f: mount fs a:missing not found");
  size_t dir_missing = msg.find("a.yaml:8: entry a:d: directory ");
  size_t kind = msg.find("b.yaml:4: entry b:g: unknown kind nope");
  REQUIRE_MESSAGE(ref != std::string::npos, msg);
  REQUIRE_MESSAGE(dir_missing != std::string::npos, msg);
  REQUIRE_MESSAGE(kind != std::string::npos, msg);
  CHECK(ref < dir_missing);
  CHECK(dir_missing < kind);
  CHECK(std::count(msg.begin(), msg.end(), '\n') == 2);
}

// --- strict configuration: unknown keys, did-you-mean, --strict ----------

namespace {

struct Loaded {
  Result<Registry> reg;
  std::vector<std::string> warnings;
};

Loaded load_with(const std::vector<fs::path>& files, bool strict = false) {
  Loaded out{make_error(ErrorKind::Other, "not loaded"), {}};
  RegistryOptions opts;
  opts.strict = strict;
  opts.warn = [&](const std::string& w) { out.warnings.push_back(w); };
  out.reg = load_registry(files, opts);
  return out;
}

}  // namespace

TEST_CASE("registry strict: closest key by edit distance") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("max_exection_ms", "max_execution_ms") == 1);
  constexpr std::array<std::string_view, 3> keys = {"memory_bytes", "max_execution_ms", "max_handles"};
  CHECK(closest_key("max_exection_ms", keys) == "max_execution_ms");
  CHECK(closest_key("memory_byte", keys) == "memory_bytes");
  CHECK(closest_key("max_handels", keys) == "max_handles");
  CHECK_FALSE(closest_key("colour", keys).has_value());
  CHECK_FALSE(closest_key(std::string(1000, 'm'), keys).has_value());  // bounded work
}

TEST_CASE("registry strict: unknown keys warn with FILE:LINE and a suggestion") {
  TempDir dir;
  fs::path f = dir.write("app.yaml", R"(
namespace: myns
extra: 1
entries:
  - name: f
    kind: function.wat
    source: '(module)'
    methd: run
    method: run
    pool: {type: inline, max_sise: 3}
)");
  Loaded l = load_with({f});
  REQUIRE_MESSAGE(l.reg.ok(), l.reg.error().message);
  REQUIRE(l.warnings.size() == 3);
  CHECK(l.warnings[0] == f.string() + ":2: unknown key extra");
  CHECK(l.warnings[1] == f.string() + ":7: entry myns:f: unknown key methd (did you mean method?)");
  CHECK(l.warnings[2] == f.string() + ":9: entry myns:f: unknown key max_sise in pool (did you mean max_size?)");

  // --strict (RegistryOptions::strict) turns each into an error.
  Loaded s = load_with({f}, true);
  REQUIRE_FALSE(s.reg.ok());
  CHECK(s.warnings.empty());
  CHECK_HAS(s.reg.error().message, "app.yaml:2: unknown key extra");
  CHECK_HAS(s.reg.error().message, "app.yaml:7: entry myns:f: unknown key methd (did you mean method?)");
  CHECK_HAS(s.reg.error().message, "app.yaml:9: entry myns:f: unknown key max_sise in pool (did you mean max_size?)");
}

TEST_CASE("registry strict: a strict: true file turns its warnings into errors") {
  TempDir dir;
  fs::path strict = dir.write("s.yaml", "namespace: s\nstrict: true\nentires: []\n");
  fs::path loose = dir.write("l.yaml", "namespace: l\nentires: []\n");
  Loaded l = load_with({loose, strict});
  REQUIRE_FALSE(l.reg.ok());
  CHECK_HAS(l.reg.error().message, "s.yaml:3: unknown key entires (did you mean entries?)");
  CHECK(l.reg.error().message.find("l.yaml") == std::string::npos);
  REQUIRE(l.warnings.size() == 1);
  CHECK_HAS(l.warnings[0], "l.yaml:2: unknown key entires (did you mean entries?)");
  CHECK_HAS(load_error(dir, "namespace: s\nstrict: maybe\n"), "app.yaml:2: strict must be true or false");
}

TEST_CASE("registry strict: unknown keys inside limits and wasi are errors") {
  TempDir dir;
  fs::path f = dir.write("app.yaml", kDirs + kWat + R"(
    limits: {max_exection_ms: 500}
    wasi:
      cwdd: /
      env: [{id: k, nmae: K}]
      mounts: [{fs: assets, guest: /a, readonly: true}]
      network: {allow_lisen: false}
  - {name: k, kind: env.variable, variable: K}
)");
  Loaded l = load_with({f});
  REQUIRE_FALSE(l.reg.ok());
  const std::string& msg = l.reg.error().message;
  CHECK_HAS(msg, "app.yaml:11: entry myns:f: unknown key max_exection_ms in limits (did you mean max_execution_ms?)");
  CHECK_HAS(msg, "app.yaml:13: entry myns:f: unknown key cwdd in wasi (did you mean cwd?)");
  CHECK_HAS(msg, "app.yaml:14: entry myns:f: unknown key nmae in wasi env (did you mean name?)");
  CHECK_HAS(msg, "app.yaml:15: entry myns:f: unknown key readonly in wasi mounts (did you mean read_only?)");
  CHECK_HAS(msg, "app.yaml:16: entry myns:f: unknown key allow_lisen in wasi network (did you mean allow_listen?)");
  CHECK(l.warnings.empty());
}

TEST_CASE("registry strict: Wippy's own fields not used yet are accepted") {
  TempDir dir;
  fs::path f = dir.write("app.yaml", R"(
version: "1.0"
namespace: myns
meta: {owner: me}
entries:
  - name: f
    kind: function.wat
    meta: {comment: any shape, tags: [a, b]}
    source: '(module)'
    method: run
    wit: "world w {}"
    transport: payload
    pool: {type: static, workers: 2, buffer: 64, warm_start: true}
  - {name: d, kind: fs.directory, directory: ., meta: {x: 1}}
  - {name: v, kind: env.variable, variable: V, meta: {}}
)");
  Loaded l = load_with({f}, true);
  REQUIRE_MESSAGE(l.reg.ok(), l.reg.error().message);
  CHECK(l.warnings.empty());
  CHECK(l.reg->find_function("myns:f")->pool.workers == 2);
  CHECK_HAS(f_error(dir, "\n    transport: http\n"),
            "app.yaml:11: entry myns:f: transport http is not supported yet (only payload)");
}

TEST_CASE("registry strict: new limits and wasi.network keys with their defaults") {
  TempDir dir;
  fs::path f = dir.write("app.yaml", kDirs + kWat + R"(
  - name: g
    kind: function.wat
    source: '(module)'
    method: run
    limits:
      max_handles: 100
      max_open_files: 10
      max_file_bytes: 1048576
      max_module_bytes: 4096
      max_open_sockets: 5
      socket_timeout_ms: 250
    wasi:
      network:
        allow: ["tcp:127.0.0.1:8000-9000", "udp:[::1]:53", "tcp:10.0.0.0/8:*", "tcp:*:443"]
        allow_bind: false
        allow_lookup: false
)");
  Result<Registry> r = load({f});
  const FunctionEntry* d = loaded_function(r, "myns:f");
  CHECK(d->limits.max_handles == kDefaultMaxHandles);
  CHECK(kDefaultMaxHandles == 65536u);
  CHECK(d->limits.max_module_bytes == kDefaultMaxModuleBytes);
  CHECK(kDefaultMaxModuleBytes == 256u * 1024 * 1024);
  CHECK_FALSE(d->limits.max_open_files.has_value());
  CHECK_FALSE(d->limits.max_file_bytes.has_value());
  CHECK_FALSE(d->wasi.network.has_value());
  const FunctionEntry* g = loaded_function(r, "myns:g");
  CHECK(g->limits.max_handles == 100u);
  CHECK(g->limits.max_open_files == 10u);
  CHECK(g->limits.max_file_bytes == 1048576u);
  CHECK(g->limits.max_module_bytes == 4096u);
  CHECK(g->limits.max_open_sockets == 5u);
  CHECK(g->limits.socket_timeout_ms == 250u);
  REQUIRE(g->wasi.network.has_value());
  const WasiNetwork& n = *g->wasi.network;
  CHECK(n.allow == std::vector<std::string>{"tcp:127.0.0.1:8000-9000", "udp:[::1]:53", "tcp:10.0.0.0/8:*",
                                            "tcp:*:443"});
  REQUIRE(n.allow_locs.size() == 4);
  CHECK(n.allow_locs[0].line == 24);
  CHECK_FALSE(n.allow_bind);
  CHECK(n.allow_listen);
  CHECK_FALSE(n.allow_lookup);

  std::string msg = f_error(dir, R"(
    limits: {max_module_bytes: 0, max_handles: -1, max_open_files: lots}
    wasi: {network: {allow: ["icmp:1.2.3.4", 5, [x]], allow_bind: sometimes}}
)");
  CHECK_HAS(msg, "limits max_module_bytes must be at least 1");
  CHECK_HAS(msg, "limits max_handles must not be negative (got -1)");
  CHECK_HAS(msg, "limits max_open_files must be a non-negative integer (got lots)");
  CHECK_HAS(msg, "wasi network allow rule icmp:1.2.3.4 must be a string starting tcp: or udp:");
  CHECK_HAS(msg, "wasi network allow rule 5 must be a string starting tcp: or udp:");
  CHECK_HAS(msg, "wasi network allow rule (not a string) must be a string");
  CHECK_HAS(msg, "wasi network allow_bind must be true or false");
  CHECK_HAS(f_error(dir, "\n    wasi: {network: {allow: tcp:*:80}}\n"),
            "wasi network allow must be a list of strings");
  // Each rule is parsed with the registry, so a bad one names its line.
  std::string bad = f_error(dir, R"(
    wasi:
      network:
        allow:
          - tcp:127.0.0.1:80
          - tcp:300.1.1.1:80
)");
  CHECK_HAS(bad, "app.yaml:15: entry myns:f: wasi network allow: bad network rule 'tcp:300.1.1.1:80': the host");
  CHECK_HAS(f_error(dir, "\n    wasi: {network: {allow: [\"udp:[::1]:70000\"]}}\n"),
            "bad network rule 'udp:[::1]:70000'");
}


TEST_CASE("registry strict: wasi.http allow_hosts, ca_file and limits.http_max_body_bytes") {
  TempDir dir;
  dir.write("assets/certs/ca.pem", "-----BEGIN CERTIFICATE-----\n");
  fs::path f = dir.write("app.yaml", kDirs + kWat + R"(
    limits: {http_max_body_bytes: 1048576}
    wasi:
      http:
        allow_hosts: [api.example.com, "*.example.org", "127.0.0.1:8080", "[::1]:8443"]
        ca_file: {fs: assets, path: /certs/ca.pem}
)");
  Loaded l = load_with({f}, true);
  REQUIRE_MESSAGE(l.reg.ok(), l.reg.error().message);
  CHECK(l.warnings.empty());
  const FunctionEntry* e = l.reg->find_function("myns:f");
  REQUIRE(e);
  CHECK(e->limits.http_max_body_bytes == 1048576u);
  REQUIRE(e->wasi.http.has_value());
  const WasiHttp& h = *e->wasi.http;
  CHECK(h.allow_hosts == std::vector<std::string>{"api.example.com", "*.example.org", "127.0.0.1:8080", "[::1]:8443"});
  REQUIRE(h.allow_host_locs.size() == 4);
  CHECK(h.allow_host_locs[0].line == 14);
  CHECK(h.ca_fs == "myns:assets");
  CHECK(h.ca_host_path == (dir.path() / "assets/certs/ca.pem").lexically_normal());

  // Errors name FILE:LINE; a typo gets the closest key.
  std::string msg = f_error(dir, R"(
    limits: {http_max_body_byte: 5}
    wasi:
      http:
        allow_host: [a.example]
        ca_fil: {fs: assets, path: /ca.pem}
)");
  CHECK_HAS(msg, "app.yaml:11: entry myns:f: unknown key http_max_body_byte in limits (did you mean http_max_body_bytes?)");
  CHECK_HAS(msg, "app.yaml:14: entry myns:f: unknown key allow_host in wasi http (did you mean allow_hosts?)");
  CHECK_HAS(msg, "app.yaml:15: entry myns:f: unknown key ca_fil in wasi http (did you mean ca_file?)");
  // Each pattern is parsed at load, at its own line.
  std::string bad = f_error(dir, R"(
    wasi:
      http:
        allow_hosts:
          - api.example.com
          - "api.example.com:99999"
          - [nested]
)");
  CHECK_HAS(bad, "app.yaml:15: entry myns:f: wasi http allow_hosts: invalid host pattern api.example.com:99999: the port must be a number from 1 to 65535");
  CHECK_HAS(bad, "app.yaml:16: entry myns:f: wasi http allow_hosts: each pattern must be a string");
  // The default timeouts: milliseconds, 1 ms to one day, checked at their line.
  fs::path t = dir.write("app.yaml", kDirs + kWat + R"(
    wasi:
      http: {connect_timeout_ms: 100, first_byte_timeout_ms: 2000, between_bytes_timeout_ms: 86400000}
)");
  Loaded lt = load_with({t}, true);
  REQUIRE_MESSAGE(lt.reg.ok(), lt.reg.error().message);
  const WasiHttp& th = *lt.reg->find_function("myns:f")->wasi.http;
  CHECK(th.connect_timeout_ms == 100u);
  CHECK(th.first_byte_timeout_ms == 2000u);
  CHECK(th.between_bytes_timeout_ms == 86400000u);

  // One wasi: value each, with the error it gives. ca_file is a mapping naming
  // an fs.directory entry and a confined path to a regular file; a symlink out
  // of the directory is refused like a module path's.
  std::error_code ec;
  fs::create_symlink("/etc/passwd", dir.path() / "assets/link.pem", ec);
  REQUIRE_FALSE(ec);
  const std::pair<const char*, const char*> refusals[] = {
      {"{htp: {}}", "app.yaml:11: entry myns:f: unknown key htp in wasi (did you mean http?)"},
      {"{http: {allow_hosts: api.example.com}}",
       "app.yaml:11: entry myns:f: wasi http allow_hosts must be a list of host patterns"},
      {"{http: [x]}", "wasi http must be a mapping"},
      {"{http: {ca_file: /etc/ssl/ca.pem}}",
       "app.yaml:11: entry myns:f: wasi http ca_file must be a mapping {fs: NS:NAME, path: /FILE.pem}"},
      {"{http: {ca_file: {fs: assets}}}", "wasi http ca_file path is required"},
      {"{http: {ca_file: {fs: nowhere, path: /ca.pem}}}",
       "app.yaml:11: entry myns:f: wasi http ca_file fs myns:nowhere not found"},
      {"{http: {ca_file: {fs: assets, path: ../../etc/passwd}}}",
       "app.yaml:11: entry myns:f: wasi http ca_file path: path ../../etc/passwd escapes its directory"},
      {"{http: {ca_file: {fs: assets, path: /missing.pem}}}",
       "app.yaml:11: entry myns:f: wasi http ca_file /missing.pem:"},
      {"{http: {ca_file: {fs: assets, path: /certs}}}", "is a directory, not a regular file"},
      {"{http: {ca_file: {fs: assets, path: /link.pem}}}", "app.yaml:11: entry myns:f: wasi http ca_file /link.pem:"},
      {"{http: {connect_timeout_ms: 0}}",
       "app.yaml:11: entry myns:f: wasi http connect_timeout_ms must be from 1 to 86400000 milliseconds (got 0)"},
      {"{http: {between_bytes_timeout_ms: 86400001}}",
       "wasi http between_bytes_timeout_ms must be from 1 to 86400000 milliseconds (got 86400001)"},
      {"{http: {first_byte_timeout_ms: 2s}}",
       "wasi http first_byte_timeout_ms must be a non-negative integer (got 2s)"},
      {"{http: {first_byte_timeout: 5}}",
       "unknown key first_byte_timeout in wasi http (did you mean first_byte_timeout_ms?)"},
  };
  for (const auto& [wasi, want] : refusals) {
    CAPTURE(wasi);
    CHECK_HAS(f_error(dir, std::string("\n    wasi: ") + wasi + "\n"), want);
  }
}

// --- files read safely ---------------------------------------------------

TEST_CASE("registry files: NUL bytes in paths are refused, not truncated") {
  TempDir dir;
  dir.write("assets/m.wasm", "abc");
  std::string msg = load_error(dir, kDirs + R"(
  - name: f
    kind: function.wasm
    fs: assets
    path: "/m.wasm\0x"
    hash: sha256:)" + kAbcHash + R"(
    method: run
  - name: g
    kind: fs.directory
    directory: "./assets\0/../.."
)");
  CHECK_HAS(msg, "app.yaml:10: entry myns:f: path /m.wasm\\0... contains a NUL byte");
  CHECK_HAS(msg, "app.yaml:15: entry myns:g: directory ./assets\\0... contains a NUL byte");
  CHECK_FALSE(confine_path("/", std::string_view("a\0b", 3)).ok());
  ReadSpec spec;
  spec.max_bytes = 100;
  CHECK_HAS(read_confined_file(dir.path(), std::string_view("assets/m.wasm\0z", 15), spec).error().message,
            "contains a NUL byte");
}

TEST_CASE("registry files: directories, FIFOs, devices and oversized files are refused") {
  TempDir dir;
  dir.write("assets/sub/x", "");
  REQUIRE(mkfifo((dir.path() / "assets/fifo.wasm").c_str(), 0600) == 0);
  dir.write("assets/big.wasm", "");
  fs::resize_file(dir.path() / "assets/big.wasm", uint64_t{1} << 40);  // sparse 1 TiB
  dir.write("assets/small.wasm", std::string(5000, 'x'));
  auto fn = [&](std::string name, std::string path, std::string extra = "") {
    return "\n  - name: " + name + "\n    kind: function.wasm\n    fs: assets\n    path: " + path +
           "\n    hash: sha256:" + kAbcHash + "\n    method: run" + extra;
  };
  fs::path f = dir.write("app.yaml", kDirs + fn("dir", "/sub") + fn("fifo", "/fifo.wasm") +
                                         fn("big", "/big.wasm") +
                                         fn("small", "/small.wasm", "\n    limits: {max_module_bytes: 4999}"));
  Result<Registry> r = load({f});
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  auto err = [&](const char* id) {
    Result<SharedBytes> b = read_module(*r, *r->find_function(id));
    REQUIRE_FALSE(b.ok());
    return b.error().message;
  };
  CHECK(err("myns:dir") == "entry myns:dir: module /sub is a directory, not a regular file");
  CHECK(err("myns:fifo") == "entry myns:fifo: module /fifo.wasm is a FIFO, not a regular file");
  CHECK(err("myns:big") == "entry myns:big: module /big.wasm is 1099511627776 bytes, over the limit of "
                           "268435456 (limits.max_module_bytes)");
  CHECK(err("myns:small") == "entry myns:small: module /small.wasm is 5000 bytes, over the limit of 4999 "
                             "(limits.max_module_bytes)");

  ReadSpec spec;
  spec.what = "registry file";
  spec.max_bytes = 1 << 20;
  CHECK(read_host_file("/dev/zero", spec).error().message ==
        "registry file /dev/zero is a character device, not a regular file");
  Result<SharedBytes> d = read_host_file(dir.path(), spec);
  REQUIRE_FALSE(d.ok());
  CHECK_HAS(d.error().message, "is a directory, not a regular file");
  CHECK(read_host_file(dir.path() / "absent", spec).error().kind == ErrorKind::Io);

  // Registry files themselves: a sparse 1 TiB file is refused by its size,
  // a directory, a FIFO and a device by their type.
  fs::path huge = dir.write("huge.yaml", "");
  fs::resize_file(huge, uint64_t{1} << 40);
  CHECK(load_error({huge}) == huge.string() + ": registry file " + huge.string() +
                                 " is 1099511627776 bytes, over the limit of 16777216");
  for (fs::path bad : {dir.path(), dir.path() / "assets/fifo.wasm", fs::path("/dev/zero")}) {
    std::string msg = load_error({bad});
    CHECK_HAS(msg, "registry file ");
    CHECK_HAS(msg, ", not a regular file");
  }
}

TEST_CASE("registry files: hashing while reading matches the one-shot hash") {
  TempDir dir;
  // Below 4 MiB the reader hashes each chunk itself; from 4 MiB on a second
  // thread hashes behind it (source_file.cpp, HashBehind).
  for (size_t size : {size_t(3 * 1024 * 1024 + 17), size_t(4) << 20, size_t(9 * 1024 * 1024 + 5)}) {
    CAPTURE(size);
    std::string big(size, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + (i >> 9));
    const fs::path file = dir.write("m.bin", big);
    Sha256 h;
    ReadSpec spec;
    spec.max_bytes = big.size();
    spec.hasher = &h;
    Result<SharedBytes> got = read_confined_file(dir.path(), "/m.bin", spec);
    REQUIRE_MESSAGE(got.ok(), got.error().message);
    CHECK(got->size() == big.size());
    std::span<const uint8_t> want(reinterpret_cast<const uint8_t*>(big.data()), big.size());
    CHECK(*got == want);
    const std::string want_hex = sha256_hex(want);
    CHECK(h.finish_hex() == want_hex);
    CHECK(check_digest(want_hex, "sha256:" + want_hex).ok());
    // The command line's reader gives the same digest.
    std::string digest;
    Result<SharedBytes> input = read_input_binary(file.string(), &digest);
    REQUIRE_MESSAGE(input.ok(), input.error().message);
    CHECK(digest == want_hex);
    spec.hasher = nullptr;
    spec.max_bytes = big.size() - 1;
    CHECK_HAS(read_confined_file(dir.path(), "m.bin", spec).error().message, "over the limit of");
  }
}

TEST_CASE("registry files: file:// WAT sources are confined") {
  TempDir dir;
  dir.write("wat/add.wat", "(module)");
  dir.write("assets/lib/w.wat", "(module $w)");
  fs::create_symlink("/etc/passwd", dir.path() / "wat/link.wat");
  auto wat = [](std::string name, std::string src, std::string extra = "") {
    return "\n  - name: " + name + "\n    kind: function.wat\n    source: \"" + src + "\"\n    method: run" + extra;
  };
  std::string abs_inside = "file://" + (dir.path() / "wat/add.wat").string();
  fs::path f = dir.write("app.yaml", kDirs + wat("rel", "file://wat/add.wat") + wat("abs", abs_inside) +
                                         wat("infs", "file:///lib/w.wat", "\n    fs: assets"));
  Result<Registry> r = load({f});
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(r->find_function("myns:rel")->wat_source == "(module)");
  CHECK(r->find_function("myns:abs")->wat_source == "(module)");
  const FunctionEntry* infs = r->find_function("myns:infs");
  CHECK(infs->wat_source == "(module $w)");
  REQUIRE(infs->wat_file.has_value());
  CHECK(*infs->wat_file == (dir.path() / "assets/lib/w.wat").lexically_normal());

  std::string msg = load_error(dir, kDirs + wat("passwd", "file:///etc/passwd") + wat("up", "file://../../etc/passwd") +
                                        wat("link", "file://wat/link.wat") +
                                        wat("fsup", "file://../x.wat", "\n    fs: assets") +
                                        wat("dir", "file://wat"));
  CHECK_HAS(msg, "app.yaml:9: entry myns:passwd: source file:///etc/passwd is outside the registry file's folder");
  CHECK_HAS(msg, "app.yaml:13: entry myns:up: source file://../../etc/passwd: path ../../etc/passwd escapes its directory");
  CHECK_HAS(msg, "app.yaml:17: entry myns:link: source file://wat/link.wat: path wat/link.wat resolves outside directory");
  CHECK_HAS(msg, "app.yaml:21: entry myns:fsup: path ../x.wat escapes its directory");
  CHECK_HAS(msg, "app.yaml:26: entry myns:dir: source file://wat: file wat is a directory, not a regular file");
}

TEST_CASE("registry files: deeply nested YAML is a bounded error") {
  TempDir dir;
  std::string deep = "namespace: x\nentries: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  CHECK_HAS(load_error(dir, deep), "app.yaml:2: bad YAML: nested more than ");
}

TEST_CASE("registry files: files of chunk-boundary sizes read whole") {
  TempDir dir;
  for (size_t n : {size_t{0}, size_t{1}, size_t{1} << 20, (size_t{1} << 20) + 1, size_t{5} << 20}) {
    dir.write("f.bin", std::string(n, 'z'));
    ReadSpec spec;
    spec.max_bytes = n + 10;
    Result<SharedBytes> got = read_confined_file(dir.path(), "f.bin", spec);
    REQUIRE_MESSAGE(got.ok(), got.error().message);
    CHECK(got->size() == n);
    CHECK(std::all_of(got->begin(), got->end(), [](uint8_t b) { return b == 'z'; }));
  }
}
