// registry_parse.cpp — one YAML registry file to typed entries (see registry_parse.h).
#include "runtime/registry_parse.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "runtime/confined_path.h"
#include "runtime/module_hash.h"

namespace wippy {

void Diagnostics::add(const SourceLoc& at, std::string_view entry_id, std::string_view message) {
  messages_.push_back({at, fmt::format("{}: entry {}: {}", at.str(), entry_id, message)});
}

void Diagnostics::add_file(const SourceLoc& at, std::string_view message) {
  messages_.push_back({at, fmt::format("{}: {}", at.str(), message)});
}

void Diagnostics::set_kind(ErrorKind k) {
  if (!kind_) kind_ = k;
}

Error Diagnostics::to_error() const {
  // Files in the given order (others after them, as they first reported);
  // lines ascend within each file.
  std::vector<std::filesystem::path> order = files_;
  auto rank = [&](const std::filesystem::path& f) {
    auto it = std::find(order.begin(), order.end(), f);
    return static_cast<size_t>(it - order.begin());
  };
  for (const Message& m : messages_)
    if (rank(m.at.file) == order.size()) order.push_back(m.at.file);
  std::vector<const Message*> sorted;
  for (const Message& m : messages_) sorted.push_back(&m);
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Message* a, const Message* b) {
    size_t ra = rank(a->at.file), rb = rank(b->at.file);
    return ra != rb ? ra < rb : a->at.line < b->at.line;
  });
  std::string text;
  for (const Message* m : sorted) {
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

// The entry being parsed: where it is and how errors name it.
struct EntryCtx {
  std::string ns;
  std::string id;
  int line = 0;
};

class FileParser {
 public:
  FileParser(const fs::path& file, Diagnostics& diag)
      : file_(file), dir_(fs::absolute(file).parent_path()), diag_(diag) {}

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
  void add_ref(const EntryCtx& c, const YAML::Node& at, RefSite::Want want, std::string label,
               std::string_view ref);

  void parse_entry(const YAML::Node& node, size_t index);
  void parse_fs_directory(const EntryCtx& c, const YAML::Node& node, FsDirectoryEntry& e);
  void parse_env_variable(const EntryCtx& c, const YAML::Node& node, EnvVariableEntry& e);
  void parse_function(const EntryCtx& c, const YAML::Node& node, FunctionEntry& f);
  void parse_imports(const EntryCtx& c, const YAML::Node& node, ProfileSet& out);
  void parse_wasi(const EntryCtx& c, const YAML::Node& node, WasiConfig& out);
  void parse_pool(const EntryCtx& c, const YAML::Node& node, PoolConfig& out);
  void parse_limits(const EntryCtx& c, const YAML::Node& node, EntryLimits& out);

  fs::path file_;
  fs::path dir_;
  std::string ns_;
  Diagnostics& diag_;
  ParsedFile out_;
};

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
  if (ns_.find(':') != std::string::npos) {
    diag_.add_file(loc(line_of(ns, 1)), fmt::format("namespace {} must not contain ':'", ns_));
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
    error(c, node["name"], fmt::format("name {} must not contain ':'", *name));
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
    parse_fs_directory(c, node, e);
    entry = std::move(e);
  } else if (*kind == "env.variable") {
    EnvVariableEntry e;
    fill(e);
    parse_env_variable(c, node, e);
    entry = std::move(e);
  } else if (*kind == "function.wasm" || *kind == "function.wat") {
    FunctionEntry f;
    fill(f);
    f.kind = *kind == "function.wasm" ? FunctionKind::Wasm : FunctionKind::Wat;
    parse_function(c, node, f);
    entry = std::move(f);
  } else {
    error(c, node["kind"], fmt::format("unknown kind {}", *kind));
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
      error(c, node["mode"], fmt::format("mode {} must be octal permission bits such as 0755", *m));
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
    constexpr std::string_view kFile = "file://";
    if (std::string_view(*src).starts_with(kFile)) {
      fs::path p = (dir_ / src->substr(kFile.size())).lexically_normal();
      std::ifstream in(p, std::ios::binary);
      std::ostringstream text;
      if (in) text << in.rdbuf();
      if (!in || in.bad())
        error(c, node["source"], fmt::format("source file {} cannot be read", p.string()));
      f.wat_file = p;
      f.wat_source = text.str();
    } else {
      f.wat_source = *src;
    }
  }
  if (auto m = get_string(c, node, "method", true)) f.method = *m;
  if (YAML::Node n = node["imports"]; present(n)) parse_imports(c, n, f.imports);
  if (YAML::Node n = node["wasi"]; present(n)) parse_wasi(c, n, f.wasi);
  if (YAML::Node n = node["pool"]; present(n)) parse_pool(c, n, f.pool);
  if (YAML::Node n = node["limits"]; present(n)) parse_limits(c, n, f.limits);
  if (auto w = get_string(c, node, "wit", false)) f.wit = *w;
}

void FileParser::parse_imports(const EntryCtx& c, const YAML::Node& node, ProfileSet& out) {
  auto one = [&](const YAML::Node& item) {
    if (!item.IsScalar()) {
      error(c, item, "imports must be a list of strings");
      return;
    }
    if (auto p = parse_profile(item.Scalar()))
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
  if (YAML::Node args = node["args"]; present(args)) {
    std::vector<std::string> list;
    bool ok = args.IsSequence();
    if (ok)
      for (const YAML::Node& a : args) {
        ok = ok && a.IsScalar();
        if (ok) list.push_back(a.Scalar());
      }
    if (ok)
      out.args = std::move(list);
    else
      error(c, args, "wasi args must be a list of strings");
  }
  if (auto cwd = get_string(c, node, "cwd", false, "wasi cwd")) {
    if (cwd->front() != '/')
      error(c, node["cwd"], fmt::format("wasi cwd {} must be an absolute path", *cwd));
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
        WasiEnvVar v;
        v.loc = loc(ic.line);
        auto id = get_string(ic, item, "id", true, "wasi env id");
        if (!id) continue;
        v.id = qualify_id(c.ns, *id);
        add_ref(ic, item["id"], RefSite::Want::EnvVariable, "wasi env", *id);
        if (auto name = get_string(ic, item, "name", false, "wasi env name")) {
          if (name->find('=') != std::string::npos)
            error(ic, item["name"], fmt::format("wasi env name {} must not contain '='", *name));
          v.name = *name;
        }
        v.required = get_bool(ic, item, "required", "wasi env required").value_or(false);
        out.env.push_back(std::move(v));
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
      WasiMount m;
      m.loc = loc(ic.line);
      auto fsid = get_string(ic, item, "fs", true, "mount fs");
      auto guest = get_string(ic, item, "guest", true, "mount guest");
      m.read_only = get_bool(ic, item, "read_only", "mount read_only").value_or(false);
      if (!fsid || !guest) continue;
      m.fs = qualify_id(c.ns, *fsid);
      add_ref(ic, item["fs"], RefSite::Want::FsDirectory, "mount fs", *fsid);
      if (guest->front() != '/') {
        error(ic, item["guest"], fmt::format("mount guest {} must be an absolute path", *guest));
        continue;
      }
      m.guest = normal_guest_path(*guest);
      if (!seen.insert(m.guest).second) {
        error(ic, item["guest"], fmt::format("duplicate mount: guest path {} is mounted twice", m.guest));
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
  if (auto t = get_string(c, node, "type", false, "pool type")) {
    if (*t == "inline") out.type = PoolType::Inline;
    else if (*t == "lazy") out.type = PoolType::Lazy;
    else if (*t == "static") out.type = PoolType::Static;
    else if (*t == "adaptive") out.type = PoolType::Adaptive;
    else
      error(c, node["type"],
            fmt::format("unknown pool type {} (expected inline, lazy, static or adaptive)", *t));
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
  out.max_execution_ms = get_count(c, node, "max_execution_ms", "limits max_execution_ms");
  out.memory_bytes = get_count(c, node, "memory_bytes", "limits memory_bytes");
  out.max_open_sockets = get_count(c, node, "max_open_sockets", "limits max_open_sockets");
  out.socket_timeout_ms = get_count(c, node, "socket_timeout_ms", "limits socket_timeout_ms");
}

}  // namespace

ParsedFile parse_registry_file(const std::filesystem::path& file, Diagnostics& diag) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    diag.set_kind(ErrorKind::Io);
    diag.add_file(SourceLoc{file, 0}, "cannot read registry file");
    return {};
  } catch (const YAML::ParserException& e) {
    diag.set_kind(ErrorKind::Malformed);
    diag.add_file(SourceLoc{file, e.mark.line >= 0 ? e.mark.line + 1 : 0},
                  fmt::format("bad YAML: {}", e.msg));
    return {};
  }
  try {
    FileParser parser(file, diag);
    return parser.run(root);
  } catch (const YAML::Exception& e) {
    diag.set_kind(ErrorKind::Malformed);
    diag.add_file(SourceLoc{file, e.mark.line >= 0 ? e.mark.line + 1 : 0},
                  fmt::format("bad YAML: {}", e.msg));
    return {};
  }
}

}  // namespace wippy
