// test_entry_grants.cpp — an entry's wasi.network block and limits become
// the WASI host's network policy and caps, and its wasi.http block the
// wasi:http grant (runtime/entry_grants.h).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "runtime/entry_grants.h"
#include "runtime/registry.h"

using namespace wippy;

namespace {

struct Dir {
  std::filesystem::path root;
  Dir() {
    char tmpl[] = "/tmp/wippy-grants-XXXXXX";
    root = mkdtemp(tmpl);
  }
  ~Dir() { std::filesystem::remove_all(root); }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(root / name) << text;
    return root / name;
  }
};

const std::string kHead = R"(version: "1.0"
namespace: myns
entries:
  - name: f
    kind: function.wat
    source: '(module)'
    method: run
)";

// The registry of the one file `file`, which must load.
Registry load_ok(const std::filesystem::path& file) {
  Result<Registry> r = load_registry(std::span(&file, 1));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return std::move(*r);
}

// Entry myns:f of `reg` (the function every file here defines).
const FunctionEntry& entry_f(const Registry& reg) {
  const FunctionEntry* f = reg.find_function("myns:f");
  REQUIRE(f);
  return *f;
}

}  // namespace

TEST_CASE("registry: an entry's wasi.network and limits become the WASI host's policy and caps") {
  Dir dir;
  const Registry reg = load_ok(dir.write("app.yaml", kHead + R"(
    limits: {max_handles: 100, max_open_files: 10, max_file_bytes: 4096}
    wasi:
      network:
        allow: [tcp:127.0.0.1:8000-9000, "udp:[::1]:53"]
        allow_listen: false
)"));
  const FunctionEntry& f = entry_f(reg);
  net::Policy p = network_policy(f.wasi);
  CHECK(p.allow.size() == 2);
  CHECK(p.allow_bind);
  CHECK_FALSE(p.allow_listen);
  CHECK(p.allow_lookup);
  auto ip4 = net::parse_ip("127.0.0.1");
  auto ip6 = net::parse_ip("::1");
  REQUIRE(ip4);
  REQUIRE(ip6);
  CHECK(p.allows(net::Proto::tcp, *ip4, 8080));
  CHECK_FALSE(p.allows(net::Proto::tcp, *ip4, 7999));
  CHECK_FALSE(p.allows(net::Proto::udp, *ip4, 8080));
  CHECK(p.allows(net::Proto::udp, *ip6, 53));
  hostfns::WasiLimits l = wasi_limits(f.limits);
  CHECK(l.max_handles == 100u);
  CHECK(l.max_open_files == 10u);
  CHECK(l.max_file_bytes == 4096u);
  // No block and no keys: everything allowed, the host's defaults.
  const Registry plain = load_ok(dir.write("plain.yaml", kHead));
  const FunctionEntry& g = entry_f(plain);
  CHECK(network_policy(g.wasi).allow.empty());
  CHECK(wasi_limits(g.limits).max_open_files == hostfns::WasiLimits{}.max_open_files);
}

TEST_CASE("registry: socket limits and the wasi.http block become WasiLimits and the HttpGrant") {
  Dir dir;
  std::filesystem::create_directories(dir.root / "certs");
  dir.write("certs/extra.pem", "-----BEGIN CERTIFICATE-----\n");
  const Registry reg = load_ok(dir.write("app.yaml", R"(version: "1.0"
namespace: myns
entries:
  - {name: certs, kind: fs.directory, directory: certs}
  - name: f
    kind: function.wat
    source: '(module)'
    method: run
    limits: {max_open_sockets: 3, socket_timeout_ms: 1500, http_max_body_bytes: 65536}
    wasi:
      http:
        allow_hosts: [api.example.com, "*.example.org:443"]
        ca_file: {fs: certs, path: extra.pem}
        connect_timeout_ms: 250
        first_byte_timeout_ms: 1500
)"));
  const FunctionEntry& f = entry_f(reg);
  hostfns::WasiLimits l = wasi_limits(f.limits);
  CHECK(l.max_open_sockets == 3u);
  CHECK(l.socket_timeout_ms == 1500u);
  net::HttpGrant g = http_grant(f.wasi, f.limits);
  CHECK(g.max_body_bytes == 65536u);
  CHECK(g.ca_file == (dir.root / "certs/extra.pem").lexically_normal().string());
  REQUIRE(g.allow_hosts.size() == 2);
  CHECK(g.allows("api.example.com", 80));
  CHECK(g.allows("API.example.com.", 8080));
  CHECK(g.allows("www.example.org", 443));
  CHECK_FALSE(g.allows("www.example.org", 80));
  CHECK_FALSE(g.allows("example.org", 443));
  CHECK_FALSE(g.allows("evil.com", 80));
  // The timeouts given, the host's default for the one left out.
  CHECK(g.connect_timeout_ns == 250'000'000u);
  CHECK(g.first_byte_timeout_ns == 1'500'000'000u);
  CHECK(g.between_bytes_timeout_ns == 60'000'000'000u);
  // No block, no keys: any authority, no extra CA, no cap, no socket limits.
  const Registry plain = load_ok(dir.write("plain.yaml", kHead));
  const FunctionEntry& e = entry_f(plain);
  net::HttpGrant none = http_grant(e.wasi, e.limits);
  CHECK(none.allow_hosts.empty());
  CHECK(none.ca_file.empty());
  CHECK(none.max_body_bytes == 0u);
  CHECK(none.allows("anything.example", 1));
  CHECK(none.connect_timeout_ns == 30'000'000'000u);
  CHECK(none.first_byte_timeout_ns == 60'000'000'000u);
  CHECK(none.between_bytes_timeout_ns == 60'000'000'000u);
  CHECK(wasi_limits(e.limits).max_open_sockets == 0u);
  CHECK(wasi_limits(e.limits).socket_timeout_ms == 0u);
}
