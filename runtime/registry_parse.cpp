// registry_parse.cpp — one YAML registry file to typed entries (see registry_parse.h).
#include "runtime/registry_parse.h"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <set>
#include <system_error>

#include "interp/quote.h"
#include "net/http_grant.h"
#include "net/rules.h"
#include "runtime/closest_key.h"
#include "runtime/confined_path.h"
#include "runtime/module_hash.h"
#include "runtime/module_source.h"
#include "runtime/source_file.h"

namespace wippy {

void Diagnostics::add(const SourceLoc& at, std::string_view entry_id, std::string_view message) {
  messages_.push_back({at, fmt::format("{}: entry {}: {}", at.str(), quote_input(entry_id), message)});
}

void Diagnostics::add_file(const SourceLoc& at, std::string_view message) {
  messages_.push_back({at, fmt::format("{}: {}", at.str(), message)});
}

void Diagnostics::warn(const SourceLoc& at, std::string_view entry_id, std::string_view message) {
  warnings_.push_back({at, entry_id.empty() ? fmt::format("{}: {}", at.str(), message)
                                            : fmt::format("{}: entry {}: {}", at.str(), quote_input(entry_id), message)});
}

void Diagnostics::set_kind(ErrorKind k) {
  if (!kind_) kind_ = k;
}

std::vector<const Diagnostics::Message*> Diagnostics::sorted(const std::vector<Message>& list) const {
  // Files in the given order (others after them, as they first reported);
  // lines ascend within each file.
  std::vector<std::filesystem::path> order = files_;
  auto rank = [&](const std::filesystem::path& f) {
    auto it = std::find(order.begin(), order.end(), f);
    return static_cast<size_t>(it - order.begin());
  };
  for (const Message& m : list)
    if (rank(m.at.file) == order.size()) order.push_back(m.at.file);
  std::vector<const Message*> out;
  for (const Message& m : list) out.push_back(&m);
  std::stable_sort(out.begin(), out.end(), [&](const Message* a, const Message* b) {
    size_t ra = rank(a->at.file), rb = rank(b->at.file);
    return ra != rb ? ra < rb : a->at.line < b->at.line;
  });
  return out;
}

std::vector<std::string> Diagnostics::warnings() const {
  std::vector<std::string> out;
  for (const Message* m : sorted(warnings_)) out.push_back(m->text);
  return out;
}

Error Diagnostics::to_error() const {
  std::string text;
  for (const Message* m : sorted(messages_)) {
    if (!text.empty()) text += '\n';
    text += m->text;
  }
  return make_error(kind_.value_or(ErrorKind::Invalid), std::move(text));
}

namespace {

namespace fs = std::filesystem;

int line_of(const YAML::Node& n, int fallback) {
  if (!n.IsDefined()) return fallback;
  YAML::Mark m = n.Mark();
  return m.line >= 0 ? m.line + 1 : fallback;
}

bool present(const YAML::Node& n) { return n.IsDefined() && !n.IsNull(); }

std::string normal_guest_path(std::string_view p) {
  std::string s = fs::path(p).lexically_normal().generic_string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// The keys each mapping may hold. Wippy's own fields that this host does not
// use yet (meta, wit, transport, pool.workers/buffer/warm_start) are known.
using Keys = std::span<const std::string_view>;
constexpr std::array<std::string_view, 5> kTopKeys = {"version", "namespace", "entries", "strict", "meta"};
constexpr std::array<std::string_view, 6> kFsKeys = {"name", "kind", "meta", "directory", "mode", "auto_init"};
constexpr std::array<std::string_view, 6> kEnvKeys = {"name", "kind", "meta", "variable", "default", "readonly"};
constexpr std::array<std::string_view, 15> kFunctionKeys = {
    "name",   "kind",    "meta", "fs",   "path",   "hash", "source",
    "method", "imports", "wasi", "pool", "limits", "wit",  "transport", "cache"};
constexpr std::array<std::string_view, 7> kWasiKeys = {"args", "cwd", "env", "mounts", "network", "http", "tcp_listen"};
constexpr std::array<std::string_view, 3> kWasiEnvKeys = {"id", "name", "required"};
constexpr std::array<std::string_view, 3> kMountKeys = {"fs", "guest", "read_only"};
constexpr std::array<std::string_view, 4> kNetworkKeys = {"allow", "allow_bind", "allow_listen", "allow_lookup"};
constexpr std::array<std::string_view, 5> kHttpKeys = {"allow_hosts", "ca_file", "connect_timeout_ms",
                                                       "first_byte_timeout_ms", "between_bytes_timeout_ms"};
constexpr std::array<std::string_view, 2> kCaFileKeys = {"fs", "path"};
constexpr std::array<std::string_view, 6> kPoolKeys = {"type", "max_size", "size", "workers", "buffer", "warm_start"};
constexpr std::array<std::string_view, 9> kLimitKeys = {
    "max_execution_ms", "memory_bytes",     "max_handles",      "max_open_files",     "max_file_bytes",
    "max_module_bytes", "max_open_sockets", "socket_timeout_ms", "http_max_body_bytes"};

// Unknown keys where a typo removes a protection are errors, others warnings.
enum class Unknown { Warn, Error };

// The entry being parsed: where it is and how errors name it.
struct EntryCtx {
  std::string ns;
  std::string id;
  int line = 0;
};

// The folder of `file`, absolute; relative as given when the working
// directory cannot be read (fs::absolute's throwing form would escape).
fs::path absolute_dir(const fs::path& file) {
  std::error_code ec;
  fs::path abs = fs::absolute(file, ec);
  return (ec ? file : abs).parent_path();
}

class FileParser {
 public:
  FileParser(const fs::path& file, Diagnostics& diag, bool strict)
      : file_(file), dir_(absolute_dir(file)), diag_(diag), strict_(strict) {}

  ParsedFile run(const YAML::Node& root);

 private:
  SourceLoc loc(int line) const { return SourceLoc{file_, line}; }
  SourceLoc loc_at(const EntryCtx& c, const YAML::Node& n) const {
    return loc(line_of(n, c.line));
  }
  void error(const EntryCtx& c, const YAML::Node& at, std::string_view msg) {
    diag_.add(loc_at(c, at), c.id, msg);
  }

  std::optional<std::string> get_string(const EntryCtx& c, const YAML::Node& map,
                                        const char* key, bool required, std::string_view label = {});
  std::optional<bool> get_bool(const EntryCtx& c, const YAML::Node& map, const char* key,
                               std::string_view label = {});
  std::optional<uint64_t> get_count(const EntryCtx& c, const YAML::Node& map, const char* key,
                                    std::string_view label);
  // Reports every key of `map` not in `known` at the key's line, with the
  // closest known key; `what` names the mapping ("limits").
  void check_keys(const EntryCtx* c, const YAML::Node& map, std::string_view what, Keys known, Unknown level);
  void parse_wat_source(const EntryCtx& c, const YAML::Node& node, FunctionEntry& f, const std::string& src);
  void parse_network(const EntryCtx& c, const YAML::Node& node, WasiConfig& out);
  void parse_http(const EntryCtx& c, const YAML::Node& node, WasiConfig& out);
  void add_ref(const EntryCtx& c, const YAML::Node& at, RefSite::Want want, std::string label,
               std::string_view ref);

  void parse_entry(const YAML::Node& node, size_t index);
  void parse_fs_directory(const EntryCtx& c, const YAML::Node& node, FsDirectoryEntry& e);
  void parse_env_variable(const EntryCtx& c, const YAML::Node& node, EnvVariableEntry& e);
  void parse_function(const EntryCtx& c, const YAML::Node& node, FunctionEntry& f);
  void parse_imports(const EntryCtx& c, const YAML::Node& node, hostfns::ProfileSet& out);
  void parse_wasi(const EntryCtx& c, const YAML::Node& node, WasiConfig& out);
  void parse_pool(const EntryCtx& c, const YAML::Node& node, PoolConfig& out);
  void parse_limits(const EntryCtx& c, const YAML::Node& node, EntryLimits& out);

  fs::path file_;
  fs::path dir_;
  std::string ns_;
  Diagnostics& diag_;
  bool strict_ = false;
  ParsedFile out_;
};

void FileParser::check_keys(const EntryCtx* c, const YAML::Node& map, std::string_view what, Keys known,
                            Unknown level) {
  if (!map.IsMap()) return;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node k = it->first;  // a copy: it-> is a temporary proxy
    std::string key = k.IsScalar() ? k.Scalar() : std::string("(not a string)");
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::optional<std::string_view> near = closest_key(key, known);
    std::string msg = fmt::format("unknown key {}{}{}", quote_input(key, 80),
                                  what.empty() ? std::string() : fmt::format(" in {}", what),
                                  near ? fmt::format(" (did you mean {}?)", *near) : std::string());
    SourceLoc at = loc(line_of(k, c ? c->line : 1));
    if (level == Unknown::Error || strict_)
      c ? diag_.add(at, c->id, msg) : diag_.add_file(at, msg);
    else
      diag_.warn(at, c ? std::string_view(c->id) : std::string_view(), msg);
  }
}

std::optional<std::string> FileParser::get_string(const EntryCtx& c, const YAML::Node& map,
                                                  const char* key, bool required,
                                                  std::string_view label) {
  std::string_view what = label.empty() ? std::string_view(key) : label;
  YAML::Node n = map[key];
  if (!present(n) || (n.IsScalar() && n.Scalar().empty())) {
    if (required) error(c, map, fmt::format("{} is required", what));
    return std::nullopt;
  }
  if (!n.IsScalar()) {
    error(c, n, fmt::format("{} must be a string", what));
    return std::nullopt;
  }
  if (Result<void> ok = refuse_nul(n.Scalar(), what); !ok) {
    error(c, n, ok.error().message);
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<bool> FileParser::get_bool(const EntryCtx& c, const YAML::Node& map,
                                         const char* key, std::string_view label) {
  YAML::Node n = map[key];
  if (!present(n)) return std::nullopt;
  bool b = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, b)) {
    error(c, n, fmt::format("{} must be true or false", label.empty() ? key : label));
    return std::nullopt;
  }
  return b;
}

std::optional<uint64_t> FileParser::get_count(const EntryCtx& c, const YAML::Node& map,
                                              const char* key, std::string_view label) {
  YAML::Node n = map[key];
  if (!present(n)) return std::nullopt;
  if (!n.IsScalar()) {
    error(c, n, fmt::format("{} must be a non-negative integer", label));
    return std::nullopt;
  }
  const std::string& s = n.Scalar();
  if (!s.empty() && s.front() == '-') {
    error(c, n, fmt::format("{} must not be negative (got {})", label, s));
    return std::nullopt;
  }
  uint64_t v = 0;
  const char* first = s.data() + (!s.empty() && s.front() == '+' ? 1 : 0);
  auto [end, ec] = std::from_chars(first, s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || first == s.data() + s.size()) {
    error(c, n, fmt::format("{} must be a non-negative integer (got {})", label, s));
    return std::nullopt;
  }
  return v;
}

void FileParser::add_ref(const EntryCtx& c, const YAML::Node& at, RefSite::Want want,
                         std::string label, std::string_view ref) {
  RefSite r;
  r.want = want;
  r.label = std::move(label);
  r.target = qualify_id(c.ns, ref);
  r.from_entry = c.id;
  r.loc = loc_at(c, at);
  out_.refs.push_back(std::move(r));
}

ParsedFile FileParser::run(const YAML::Node& root) {
  if (!root.IsMap()) {
    diag_.add_file(loc(line_of(root, 1)),
                   root.IsNull() || !root.IsDefined() ? "namespace is required"
                                                      : "a registry file must be a mapping");
    return std::move(out_);
  }
  YAML::Node ns = root["namespace"];
  if (!present(ns) || !ns.IsScalar() || ns.Scalar().empty()) {
    diag_.add_file(loc(present(ns) ? line_of(ns, 1) : line_of(root, 1)),
                   present(ns) ? "namespace must be a non-empty string" : "namespace is required");
    return std::move(out_);
  }
  ns_ = ns.Scalar();
  if (YAML::Node st = root["strict"]; present(st)) {
    bool b = false;
    if (!st.IsScalar() || !YAML::convert<bool>::decode(st, b))
      diag_.add_file(loc(line_of(st, 1)), "strict must be true or false");
    else
      strict_ = strict_ || b;
  }
  check_keys(nullptr, root, "", kTopKeys, Unknown::Warn);
  if (ns_.find(':') != std::string::npos) {
    diag_.add_file(loc(line_of(ns, 1)), fmt::format("namespace {} must not contain ':'", quote_input(ns_)));
    return std::move(out_);
  }
  YAML::Node entries = root["entries"];
  if (!present(entries)) return std::move(out_);
  if (!entries.IsSequence()) {
    diag_.add_file(loc(line_of(entries, 1)), "entries must be a list");
    return std::move(out_);
  }
  for (size_t i = 0; i < entries.size(); ++i) parse_entry(entries[i], i);
  return std::move(out_);
}

void FileParser::parse_entry(const YAML::Node& node, size_t index) {
  EntryCtx c{ns_, fmt::format("#{}", index + 1), line_of(node, 0)};
  if (!node.IsMap()) {
    diag_.add(loc(c.line), c.id, "must be a mapping");
    return;
  }
  std::optional<std::string> name = get_string(c, node, "name", true);
  if (!name) return;
  if (name->find(':') != std::string::npos) {
    error(c, node["name"], fmt::format("name {} must not contain ':'", quote_input(*name)));
    return;
  }
  c.id = fmt::format("{}:{}", ns_, *name);
  std::optional<std::string> kind = get_string(c, node, "kind", true);
  if (!kind) return;

  auto fill = [&](EntryInfo& info) {
    info.ns = ns_;
    info.name = *name;
    info.id = c.id;
    info.loc = loc(c.line);
  };
  Entry entry;
  if (*kind == "fs.directory") {
    FsDirectoryEntry e;
    fill(e);
    check_keys(&c, node, "", kFsKeys, Unknown::Warn);
    parse_fs_directory(c, node, e);
    entry = std::move(e);
  } else if (*kind == "env.variable") {
    EnvVariableEntry e;
    fill(e);
    check_keys(&c, node, "", kEnvKeys, Unknown::Warn);
    parse_env_variable(c, node, e);
    entry = std::move(e);
  } else if (*kind == "function.wasm" || *kind == "function.wat") {
    FunctionEntry f;
    fill(f);
    f.kind = *kind == "function.wasm" ? FunctionKind::Wasm : FunctionKind::Wat;
    check_keys(&c, node, "", kFunctionKeys, Unknown::Warn);
    parse_function(c, node, f);
    entry = std::move(f);
  } else {
    error(c, node["kind"], fmt::format("unknown kind {}", quote_input(*kind)));
    return;
  }
  // A faulty entry is still kept so that references to it and duplicate
  // names are reported precisely; the load fails anyway.
  out_.entries.push_back(std::move(entry));
}

void FileParser::parse_fs_directory(const EntryCtx& c, const YAML::Node& node,
                                    FsDirectoryEntry& e) {
  if (auto d = get_string(c, node, "directory", true)) e.directory = (dir_ / *d).lexically_normal();
  if (auto m = get_string(c, node, "mode", false)) {
    uint32_t mode = 0;
    auto [end, ec] = std::from_chars(m->data(), m->data() + m->size(), mode, 8);
    if (ec != std::errc() || end != m->data() + m->size() || mode > 07777)
      error(c, node["mode"], fmt::format("mode {} must be octal permission bits such as 0755", quote_input(*m)));
    else
      e.mode = mode;
  }
  e.auto_init = get_bool(c, node, "auto_init").value_or(false);
}

void FileParser::parse_env_variable(const EntryCtx& c, const YAML::Node& node,
                                    EnvVariableEntry& e) {
  if (auto v = get_string(c, node, "variable", true)) e.variable = *v;
  YAML::Node d = node["default"];
  if (present(d)) {
    if (d.IsScalar())
      e.default_value = d.Scalar();
    else
      error(c, d, "default must be a string");
  }
  e.readonly = get_bool(c, node, "readonly").value_or(false);
}

void FileParser::parse_function(const EntryCtx& c, const YAML::Node& node, FunctionEntry& f) {
  // Parsed first: the size cap applies to the module or WAT file read below.
  if (YAML::Node n = node["limits"]; present(n)) parse_limits(c, n, f.limits);
  if (f.kind == FunctionKind::Wasm) {
    if (auto fsid = get_string(c, node, "fs", true)) {
      f.fs = qualify_id(c.ns, *fsid);
      add_ref(c, node["fs"], RefSite::Want::FsDirectory, "fs", *fsid);
    }
    if (auto p = get_string(c, node, "path", true)) {
      f.path = *p;
      if (auto r = confine_path("/", *p); !r) error(c, node["path"], r.error().message);
    }
    if (auto h = get_string(c, node, "hash", true)) {
      if (auto r = parse_sha256_hash(*h))
        f.hash = "sha256:" + *r;
      else
        error(c, node["hash"], r.error().message);
    }
  } else if (auto src = get_string(c, node, "source", true)) {
    parse_wat_source(c, node, f, *src);
  }
  if (auto m = get_string(c, node, "method", true)) f.method = *m;
  if (YAML::Node n = node["imports"]; present(n)) parse_imports(c, n, f.imports);
  if (YAML::Node n = node["wasi"]; present(n)) parse_wasi(c, n, f.wasi);
  if (YAML::Node n = node["pool"]; present(n)) parse_pool(c, n, f.pool);
  if (auto w = get_string(c, node, "wit", false)) f.wit = *w;
  f.cache = get_bool(c, node, "cache").value_or(true);
  if (auto t = get_string(c, node, "transport", false); t && *t != "payload")
    error(c, node["transport"],
          fmt::format("transport {} is not supported yet (only payload)", quote_input(*t)));
}

// `source: file://PATH`: PATH is inside fs.directory `fs` when the entry
// names one (read by load_registry once references resolve), else inside the
// registry file's folder (read now); anything else is the WAT text itself.
void FileParser::parse_wat_source(const EntryCtx& c, const YAML::Node& node, FunctionEntry& f,
                                  const std::string& src) {
  constexpr std::string_view kFile = "file://";
  std::optional<std::string> fsid = get_string(c, node, "fs", false);
  if (!std::string_view(src).starts_with(kFile)) {
    if (fsid) error(c, node["fs"], "fs is only used with source: file://PATH");
    f.wat_source = src;
    return;
  }
  std::string inner = src.substr(kFile.size());
  if (fsid) {
    f.fs = qualify_id(c.ns, *fsid);
    add_ref(c, node["fs"], RefSite::Want::FsDirectory, "fs", *fsid);
    f.path = inner;
    if (auto r = confine_path("/", inner); !r) error(c, node["source"], r.error().message);
    return;
  }
  // Without fs, an absolute PATH must lie inside the registry file's folder.
  if (!inner.empty() && inner.front() == '/') {
    fs::path rel = fs::path(inner).lexically_normal().lexically_relative(dir_);
    if (rel.empty() || *rel.begin() == "..") {
      error(c, node["source"],
            fmt::format("source {} is outside the registry file's folder {} (a file:// source must be "
                        "inside it, or inside the fs.directory named by fs)",
                        quote_input(src), dir_.string()));
      return;
    }
    inner = rel.string();
  }
  auto text = read_wat_file(dir_, dir_.string(), inner, f.limits.max_module_bytes);
  if (!text) {
    error(c, node["source"], fmt::format("source {}: {}", quote_input(src), text.error().message));
    return;
  }
  f.wat_file = (dir_ / inner).lexically_normal();
  f.wat_source = std::move(*text);
}

void FileParser::parse_imports(const EntryCtx& c, const YAML::Node& node, hostfns::ProfileSet& out) {
  auto one = [&](const YAML::Node& item) {
    if (!item.IsScalar()) {
      error(c, item, "imports must be a list of strings");
      return;
    }
    if (auto p = hostfns::parse_profile(item.Scalar()))
      out.add(*p);
    else
      error(c, item, fmt::format("unsupported wasm host import: {}", item.Scalar()));
  };
  if (node.IsScalar()) {
    one(node);
    return;
  }
  if (!node.IsSequence()) {
    error(c, node, "imports must be a list of strings");
    return;
  }
  for (const YAML::Node& item : node) one(item);
}

void FileParser::parse_wasi(const EntryCtx& c, const YAML::Node& node, WasiConfig& out) {
  if (!node.IsMap()) {
    error(c, node, "wasi must be a mapping");
    return;
  }
  check_keys(&c, node, "wasi", kWasiKeys, Unknown::Error);
  if (YAML::Node args = node["args"]; present(args)) {
    std::vector<std::string> list;
    bool ok = args.IsSequence();
    if (ok)
      for (const YAML::Node& a : args) {
        ok = ok && a.IsScalar() && a.Scalar().find('\0') == std::string::npos;
        if (ok) list.push_back(a.Scalar());
      }
    if (ok)
      out.args = std::move(list);
    else
      error(c, args, "wasi args must be a list of strings (without NUL bytes)");
  }
  if (auto cwd = get_string(c, node, "cwd", false, "wasi cwd")) {
    if (cwd->front() != '/')
      error(c, node["cwd"], fmt::format("wasi cwd {} must be an absolute path", quote_input(*cwd)));
    else
      out.cwd = normal_guest_path(*cwd);
  }
  if (YAML::Node env = node["env"]; present(env)) {
    if (!env.IsSequence()) {
      error(c, env, "wasi env must be a list");
    } else {
      for (const YAML::Node& item : env) {
        EntryCtx ic = c;
        ic.line = line_of(item, c.line);
        if (!item.IsMap()) {
          error(ic, item, "wasi env items must be mappings with id, name, required");
          continue;
        }
        check_keys(&ic, item, "wasi env", kWasiEnvKeys, Unknown::Error);
        WasiEnvVar v;
        v.loc = loc(ic.line);
        auto id = get_string(ic, item, "id", true, "wasi env id");
        if (!id) continue;
        v.id = qualify_id(c.ns, *id);
        add_ref(ic, item["id"], RefSite::Want::EnvVariable, "wasi env", *id);
        if (auto name = get_string(ic, item, "name", false, "wasi env name")) {
          if (name->find('=') != std::string::npos)
            error(ic, item["name"], fmt::format("wasi env name {} must not contain '='", quote_input(*name)));
          v.name = *name;
        }
        v.required = get_bool(ic, item, "required", "wasi env required").value_or(false);
        out.env.push_back(std::move(v));
      }
    }
  }
  if (YAML::Node net = node["network"]; present(net)) parse_network(c, net, out);
  if (YAML::Node http = node["http"]; present(http)) parse_http(c, http, out);
  if (YAML::Node listen = node["tcp_listen"]; present(listen)) {
    if (!listen.IsSequence()) {
      error(c, listen, "wasi tcp_listen must be a list of HOST:PORT strings such as 127.0.0.1:8080");
    } else {
      for (const YAML::Node& item : listen) {
        std::optional<net::SocketAddress> at;
        if (item.IsScalar() && item.Scalar().find('\0') == std::string::npos) at = net::parse_socket_address(item.Scalar());
        if (!at) {
          error(c, item,
                fmt::format("wasi tcp_listen {}: expected HOST:PORT (127.0.0.1:8080, [::1]:8080)",
                            item.IsScalar() ? quote_input(item.Scalar()) : std::string("(not a string)")));
          continue;
        }
        out.tcp_listen.push_back(WasiListen{*at, item.Scalar(), loc_at(c, item)});
      }
    }
  }
  if (YAML::Node mounts = node["mounts"]; present(mounts)) {
    if (!mounts.IsSequence()) {
      error(c, mounts, "wasi mounts must be a list");
      return;
    }
    std::set<std::string> seen;
    for (const YAML::Node& item : mounts) {
      EntryCtx ic = c;
      ic.line = line_of(item, c.line);
      if (!item.IsMap()) {
        error(ic, item, "wasi mounts items must be mappings with fs, guest, read_only");
        continue;
      }
      check_keys(&ic, item, "wasi mounts", kMountKeys, Unknown::Error);
      WasiMount m;
      m.loc = loc(ic.line);
      auto fsid = get_string(ic, item, "fs", true, "mount fs");
      auto guest = get_string(ic, item, "guest", true, "mount guest");
      m.read_only = get_bool(ic, item, "read_only", "mount read_only").value_or(false);
      if (!fsid || !guest) continue;
      m.fs = qualify_id(c.ns, *fsid);
      add_ref(ic, item["fs"], RefSite::Want::FsDirectory, "mount fs", *fsid);
      if (guest->front() != '/') {
        error(ic, item["guest"], fmt::format("mount guest {} must be an absolute path", quote_input(*guest)));
        continue;
      }
      m.guest = normal_guest_path(*guest);
      if (!seen.insert(m.guest).second) {
        error(ic, item["guest"],
              fmt::format("duplicate mount: guest path {} is mounted twice", quote_input(m.guest)));
        continue;
      }
      out.mounts.push_back(std::move(m));
    }
  }
}

void FileParser::parse_pool(const EntryCtx& c, const YAML::Node& node, PoolConfig& out) {
  if (!node.IsMap()) {
    error(c, node, "pool must be a mapping");
    return;
  }
  check_keys(&c, node, "pool", kPoolKeys, Unknown::Warn);
  if (auto t = get_string(c, node, "type", false, "pool type")) {
    if (*t == "inline") out.type = PoolType::Inline;
    else if (*t == "lazy") out.type = PoolType::Lazy;
    else if (*t == "static") out.type = PoolType::Static;
    else if (*t == "adaptive") out.type = PoolType::Adaptive;
    else
      error(c, node["type"],
            fmt::format("unknown pool type {} (expected inline, lazy, static or adaptive)", quote_input(*t)));
  }
  auto size_field = [&](const char* key, uint32_t& dst) {
    std::string label = fmt::format("pool {}", key);
    std::optional<uint64_t> v = get_count(c, node, key, label);
    if (!v) return false;
    if (*v == 0) {
      error(c, node[key], fmt::format("{} must be at least 1", label));
      return false;
    }
    if (*v > std::numeric_limits<uint32_t>::max()) {
      error(c, node[key], fmt::format("{} {} is too large", label, *v));
      return false;
    }
    dst = static_cast<uint32_t>(*v);
    return true;
  };
  size_field("max_size", out.max_size);
  uint32_t size = 0;
  bool has_size = size_field("size", size);
  if (!size_field("workers", out.workers) && has_size) out.workers = size;
}

void FileParser::parse_limits(const EntryCtx& c, const YAML::Node& node, EntryLimits& out) {
  if (!node.IsMap()) {
    error(c, node, "limits must be a mapping");
    return;
  }
  check_keys(&c, node, "limits", kLimitKeys, Unknown::Error);
  auto count = [&](const char* key) { return get_count(c, node, key, fmt::format("limits {}", key)); };
  out.max_execution_ms = count("max_execution_ms");
  out.memory_bytes = count("memory_bytes");
  out.max_handles = count("max_handles").value_or(kDefaultMaxHandles);
  out.max_open_files = count("max_open_files");
  out.max_file_bytes = count("max_file_bytes");
  if (std::optional<uint64_t> m = count("max_module_bytes")) {
    if (*m == 0)
      error(c, node["max_module_bytes"], "limits max_module_bytes must be at least 1");
    else
      out.max_module_bytes = *m;
  }
  out.max_open_sockets = count("max_open_sockets");
  out.socket_timeout_ms = count("socket_timeout_ms");
  out.http_max_body_bytes = count("http_max_body_bytes");
}

void FileParser::parse_network(const EntryCtx& c, const YAML::Node& node, WasiConfig& out) {
  if (!node.IsMap()) {
    error(c, node, "wasi network must be a mapping");
    return;
  }
  check_keys(&c, node, "wasi network", kNetworkKeys, Unknown::Error);
  WasiNetwork net;
  net.loc = loc_at(c, node);
  if (YAML::Node allow = node["allow"]; present(allow)) {
    if (!allow.IsSequence()) {
      error(c, allow, "wasi network allow must be a list of strings such as tcp:127.0.0.1:8000-9000");
    } else {
      for (const YAML::Node& item : allow) {
        const bool text = item.IsScalar() && !item.Scalar().empty() &&
                          item.Scalar().find('\0') == std::string::npos;
        if (!text || !(item.Scalar().starts_with("tcp:") || item.Scalar().starts_with("udp:"))) {
          error(c, item,
                fmt::format("wasi network allow rule {} must be a string starting tcp: or udp: "
                            "(such as tcp:127.0.0.1:8000-9000)",
                            item.IsScalar() ? quote_input(item.Scalar().substr(0, item.Scalar().find('\0')))
                                            : std::string("(not a string)")));
          continue;
        }
        if (auto rule = net::parse_rule(item.Scalar()); !rule) {
          error(c, item, fmt::format("wasi network allow: {}", rule.error().message));
          continue;
        }
        net.allow.push_back(item.Scalar());
        net.allow_locs.push_back(loc_at(c, item));
      }
    }
  }
  net.allow_bind = get_bool(c, node, "allow_bind", "wasi network allow_bind").value_or(true);
  net.allow_listen = get_bool(c, node, "allow_listen", "wasi network allow_listen").value_or(true);
  net.allow_lookup = get_bool(c, node, "allow_lookup", "wasi network allow_lookup").value_or(true);
  out.network = std::move(net);
}

// wasi.http: allow_hosts patterns (each checked here, at its line),
// ca_file {fs, path} (the path confined lexically here, opened at load) and
// the default timeouts in ms (range-checked here).
void FileParser::parse_http(const EntryCtx& c, const YAML::Node& node, WasiConfig& out) {
  if (!node.IsMap()) {
    error(c, node, "wasi http must be a mapping");
    return;
  }
  check_keys(&c, node, "wasi http", kHttpKeys, Unknown::Error);
  WasiHttp http;
  http.loc = loc_at(c, node);
  if (YAML::Node hosts = node["allow_hosts"]; present(hosts)) {
    if (!hosts.IsSequence()) {
      error(c, hosts, "wasi http allow_hosts must be a list of host patterns such as api.example.com, "
                      "*.example.org or 127.0.0.1:8080");
    } else {
      for (const YAML::Node& item : hosts) {
        if (!item.IsScalar()) {
          error(c, item, "wasi http allow_hosts: each pattern must be a string");
          continue;
        }
        if (auto nul = refuse_nul(item.Scalar(), "wasi http allow_hosts pattern"); !nul) {
          error(c, item, nul.error().message);
          continue;
        }
        if (auto p = net::parse_host_pattern(item.Scalar()); !p) {
          error(c, item, fmt::format("wasi http allow_hosts: {}", p.error().message));
          continue;
        }
        http.allow_hosts.push_back(item.Scalar());
        http.allow_host_locs.push_back(loc_at(c, item));
      }
    }
  }
  if (YAML::Node ca = node["ca_file"]; present(ca)) {
    EntryCtx cc = c;
    cc.line = line_of(ca, c.line);
    if (!ca.IsMap()) {
      error(cc, ca, "wasi http ca_file must be a mapping {fs: NS:NAME, path: /FILE.pem} naming a file "
                    "inside an fs.directory entry");
    } else {
      check_keys(&cc, ca, "wasi http ca_file", kCaFileKeys, Unknown::Error);
      auto fsid = get_string(cc, ca, "fs", true, "wasi http ca_file fs");
      auto path = get_string(cc, ca, "path", true, "wasi http ca_file path");
      if (fsid && path) {
        if (auto ok = confine_path("/", *path); !ok) {
          error(cc, ca["path"], fmt::format("wasi http ca_file path: {}", ok.error().message));
        } else {
          http.ca_fs = qualify_id(c.ns, *fsid);
          http.ca_path = *path;
          http.ca_loc = loc_at(cc, ca);
          add_ref(cc, ca["fs"], RefSite::Want::FsDirectory, "wasi http ca_file fs", *fsid);
        }
      }
    }
  }
  auto timeout = [&](const char* key, net::HttpTimeout which, std::optional<uint64_t>& into) {
    std::optional<uint64_t> ms = get_count(c, node, key, fmt::format("wasi http {}", key));
    if (!ms) return;
    net::HttpGrant check;
    if (auto ok = net::set_http_timeout_ms(check, which, *ms, fmt::format("wasi http {}", key)); !ok)
      error(c, node[key], ok.error().message);
    else
      into = ms;
  };
  timeout("connect_timeout_ms", net::HttpTimeout::connect, http.connect_timeout_ms);
  timeout("first_byte_timeout_ms", net::HttpTimeout::first_byte, http.first_byte_timeout_ms);
  timeout("between_bytes_timeout_ms", net::HttpTimeout::between_bytes, http.between_bytes_timeout_ms);
  out.http = std::move(http);
}

}  // namespace

ParsedFile parse_registry_file(const std::filesystem::path& file, Diagnostics& diag, bool strict) {
  ReadSpec spec;
  spec.what = "registry file";
  spec.max_bytes = kMaxRegistryFileBytes;
  Result<SharedBytes> bytes = read_host_file(file, spec);
  if (!bytes) {
    diag.set_kind(ErrorKind::Io);
    diag.add_file(SourceLoc{file, 0}, bytes.error().message);
    return {};
  }
  try {
    YAML::Node root = YAML::Load(std::string(bytes->begin(), bytes->end()));
    FileParser parser(file, diag, strict);
    return parser.run(root);
  } catch (const YAML::DeepRecursion& e) {
    diag.set_kind(ErrorKind::Malformed);
    diag.add_file(SourceLoc{file, e.mark.line >= 0 ? e.mark.line + 1 : 0},
                  fmt::format("bad YAML: nested more than {} levels deep", e.depth()));
    return {};
  } catch (const YAML::Exception& e) {
    diag.set_kind(ErrorKind::Malformed);
    diag.add_file(SourceLoc{file, e.mark.line >= 0 ? e.mark.line + 1 : 0},
                  fmt::format("bad YAML: {}", quote_input(e.msg)));
    return {};
  }
}

}  // namespace wippy
