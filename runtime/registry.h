// registry.h — the typed model of Wippy registry files and their loader.
// A registry is the union of several YAML files, each with one `namespace`
// and a list of `entries`. Every entry has the ID `namespace:name`, is unique
// across all files, and remembers the file and line it came from. References
// between entries (fs, wasi env ids, mount fs) are stored fully qualified and
// were checked to name an entry of the right kind by load_registry.
// Paths in the model are resolved against the YAML file's folder.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "hostfns/wasi_groups.h"
#include "net/address.h"

namespace wippy {

// Where something was written: "app.yaml:12".
struct SourceLoc {
  std::filesystem::path file;
  int line = 0;  // 1-based; 0 when unknown
  std::string str() const;
};

// What every entry carries.
struct EntryInfo {
  std::string ns;    // "myns"
  std::string name;  // "my_function"
  std::string id;    // "myns:my_function"
  SourceLoc loc;     // the entry's first line
};

// kind: fs.directory
struct FsDirectoryEntry : EntryInfo {
  std::filesystem::path directory;    // absolute (resolved against the YAML folder)
  std::optional<uint32_t> mode;       // permission bits, e.g. 0755
  bool auto_init = false;             // create when missing
};

// kind: env.variable
struct EnvVariableEntry : EntryInfo {
  std::string variable;                       // host variable to read
  std::optional<std::string> default_value;   // used when the host variable is unset
  bool readonly = false;
};

struct WasiEnvVar {
  std::string id;    // env.variable entry ID (qualified)
  std::string name;  // name the guest sees; empty = the host variable name
  bool required = false;
  SourceLoc loc;
};

struct WasiMount {
  std::string fs;     // fs.directory entry ID (qualified)
  std::string guest;  // absolute guest path, normalised (no trailing '/')
  bool read_only = false;
  SourceLoc loc;
};

// wasi.network: the entry's network grants (wired to WasiCtx by hostfns).
// `allow` rules are kept as written ("tcp:127.0.0.1:8000-9000", "udp:[::1]:53",
// "tcp:10.0.0.0/8:*", "tcp:*:443"); the parser only checks that each is a
// non-empty string starting "tcp:" or "udp:" — net/ parses the rest.
struct WasiNetwork {
  std::vector<std::string> allow;
  std::vector<SourceLoc> allow_locs;  // where each rule was written
  bool allow_bind = true;
  bool allow_listen = true;
  bool allow_lookup = true;
  SourceLoc loc;
};

// wasi.http: what the entry's wasi:http grant allows beyond wasi.network
// (wired to WasiCtx::http through InstanceConfig). `allow_hosts` patterns are
// kept as written and were checked with net::parse_host_pattern at parse
// time; `ca_file` names a PEM bundle inside an fs.directory entry, resolved
// at load (confined like module paths) to `ca_host_path`.
struct WasiHttp {
  std::vector<std::string> allow_hosts;
  std::vector<SourceLoc> allow_host_locs;  // where each pattern was written
  std::string ca_fs;                       // fs.directory entry ID (qualified); empty: no ca_file
  std::string ca_path;                     // path inside it, as written
  std::filesystem::path ca_host_path;      // filled by load_registry
  SourceLoc ca_loc;
  // Default timeouts (ms) of requests whose request-options leave them
  // unset; unset here: the host's (net/http_grant.h).
  std::optional<uint64_t> connect_timeout_ms, first_byte_timeout_ms, between_bytes_timeout_ms;
  SourceLoc loc;
};

// wasi.tcp_listen: a listening TCP socket a preview1 guest finds among its
// fds after the preopened directories (as `run --tcplisten`). The runtime
// opens each once, at load, under the entry's network grant; every instance
// of the entry shares it (sock_accept hands out the connections).
struct WasiListen {
  net::SocketAddress at;
  std::string text;  // as written
  SourceLoc loc;
};

struct WasiConfig {
  std::optional<std::vector<std::string>> args;  // argv; unset = runtime default
  std::string cwd = "/";
  std::vector<WasiEnvVar> env;
  std::vector<WasiMount> mounts;
  std::optional<WasiNetwork> network;  // unset: no `network` block
  std::optional<WasiHttp> http;        // unset: no `http` block
  std::vector<WasiListen> tcp_listen;  // preview1 entries only
};

enum class PoolType { Inline, Lazy, Static, Adaptive };
std::string_view pool_type_name(PoolType t);

struct PoolConfig {
  PoolType type = PoolType::Inline;
  uint32_t max_size = 16;  // lazy/adaptive upper bound
  uint32_t workers = 8;    // static: `workers` or `size`
};

inline constexpr uint64_t kDefaultMaxHandles = 65536;
inline constexpr uint64_t kDefaultMaxModuleBytes = uint64_t{256} << 20;  // 256 MiB

struct EntryLimits {  // `limits:` (named apart from interp's memory Limits)
  std::optional<uint64_t> max_execution_ms;
  std::optional<uint64_t> memory_bytes;
  uint64_t max_handles = kDefaultMaxHandles;  // guest-created host resources per instance
  std::optional<uint64_t> max_open_files;     // host fds per instance
  std::optional<uint64_t> max_file_bytes;     // size cap on files written through mounts
  uint64_t max_module_bytes = kDefaultMaxModuleBytes;  // module / WAT source file size (>= 1)
  std::optional<uint64_t> max_open_sockets;
  std::optional<uint64_t> socket_timeout_ms;
  std::optional<uint64_t> http_max_body_bytes;  // wasi:http request and response bodies
};

enum class FunctionKind { Wasm, Wat };

// kind: function.wasm / function.wat
struct FunctionEntry : EntryInfo {
  FunctionKind kind = FunctionKind::Wasm;
  // function.wasm: the module lives at `path` inside fs.directory `fs`.
  std::string fs;     // qualified fs.directory ID
  std::string path;   // as written ("/module.wasm"); confined to the directory
  std::string hash;   // "sha256:<64 lower-case hex>"
  // function.wat: the text, inline or read from `source: file://PATH`. PATH
  // is confined like `path` above: to fs.directory `fs` when the entry names
  // one (then read by load_registry), else to the registry file's folder.
  std::string wat_source;
  std::optional<std::filesystem::path> wat_file;  // set when source was file://
  std::string method;  // export to call
  hostfns::ProfileSet imports;
  WasiConfig wasi;
  PoolConfig pool;
  EntryLimits limits;
  std::string wit;
  bool cache = true;  // `cache: false`: never use the code cache (code_cache.h)
};

using Entry = std::variant<FsDirectoryEntry, EnvVariableEntry, FunctionEntry>;
const EntryInfo& entry_info(const Entry& e);
std::string_view entry_kind_name(const Entry& e);  // "fs.directory", ...

// All entries of all loaded files, in file then document order.
class Registry {
 public:
  // Adds an entry; false (and nothing added) when its ID is taken.
  bool add(Entry e);

  const Entry* find(std::string_view id) const;
  const FsDirectoryEntry* find_fs(std::string_view id) const;
  const EnvVariableEntry* find_env(std::string_view id) const;
  const FunctionEntry* find_function(std::string_view id) const;
  FunctionEntry* find_function(std::string_view id);  // for load_registry's late fields

  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<const FunctionEntry*> functions() const;
  size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;
  std::map<std::string, size_t, std::less<>> index_;
};

struct RegistryOptions {
  // Every warning becomes an error (as `strict: true` does for one file).
  bool strict = false;
  // Receives each warning ("file:line: entry ns:name: unknown key x (did you
  // mean y?)"), also when the load fails; unset: warnings are dropped.
  std::function<void(const std::string&)> warn;
};

// Loads, checks and cross-resolves the given files. fs.directory entries with
// auto_init are created when missing. Errors list every problem found, one
// per line, each as "file:line: entry ns:name: message". Unknown keys are
// warnings, except inside `limits` and `wasi` where they are errors.
Result<Registry> load_registry(std::span<const std::filesystem::path> files,
                               const RegistryOptions& opts = {});

// Qualifies a reference written inside namespace `ns`: "x" -> "ns:x".
std::string qualify_id(std::string_view ns, std::string_view ref);

}  // namespace wippy
