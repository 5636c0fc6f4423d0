// registry_load.cpp — load_registry: parse every file, then check what spans
// files (duplicate IDs, references) and the fs.directory folders on disk.
// auto_init folders are only created when everything else checked out;
// function.wat sources inside an fs.directory are read after that, and
// wasi.http.ca_file bundles are opened (confined to their fs.directory)
// and resolved to host paths.
#include <fmt/format.h>

#include <system_error>

#include "interp/quote.h"
#include "runtime/module_source.h"
#include "runtime/registry.h"
#include "runtime/registry_parse.h"
#include "runtime/source_file.h"

namespace wippy {
namespace {

namespace fs = std::filesystem;

void check_refs(const Registry& reg, const std::vector<RefSite>& refs, Diagnostics& diag) {
  for (const RefSite& r : refs) {
    const Entry* e = reg.find(r.target);
    if (!e) {
      diag.add(r.loc, r.from_entry, fmt::format("{} {} not found", r.label, quote_input(r.target)));
      continue;
    }
    bool right = r.want == RefSite::Want::FsDirectory ? std::holds_alternative<FsDirectoryEntry>(*e)
                                                      : std::holds_alternative<EnvVariableEntry>(*e);
    if (!right)
      diag.add(r.loc, r.from_entry,
               fmt::format("{} {} is not an {} entry (it is {})", r.label, quote_input(r.target),
                           r.want == RefSite::Want::FsDirectory ? "fs.directory" : "env.variable",
                           entry_kind_name(*e)));
  }
}

// Missing folders without auto_init are errors; the others are listed for creation.
std::vector<const FsDirectoryEntry*> check_directories(const Registry& reg, Diagnostics& diag) {
  std::vector<const FsDirectoryEntry*> to_create;
  for (const Entry& e : reg.entries()) {
    const auto* d = std::get_if<FsDirectoryEntry>(&e);
    if (!d || d->directory.empty()) continue;
    std::error_code ec;
    fs::file_status st = fs::status(d->directory, ec);
    if (fs::exists(st)) {
      if (!fs::is_directory(st))
        diag.add(d->loc, d->id, fmt::format("{} is not a directory", quote_input(d->directory.string())));
    } else if (d->auto_init) {
      to_create.push_back(d);
    } else {
      diag.add(d->loc, d->id,
               fmt::format("directory {} does not exist (set auto_init: true to create it)",
                           quote_input(d->directory.string())));
    }
  }
  return to_create;
}

void create_directory(const FsDirectoryEntry& d, Diagnostics& diag) {
  std::error_code ec;
  fs::create_directories(d.directory, ec);
  if (!ec && d.mode)
    fs::permissions(d.directory, static_cast<fs::perms>(*d.mode), fs::perm_options::replace, ec);
  if (ec) {
    diag.set_kind(ErrorKind::Io);
    diag.add(d.loc, d.id,
             fmt::format("cannot create directory {}: {}", quote_input(d.directory.string()), ec.message()));
  }
}

// function.wat entries with `fs` and `source: file://PATH`: PATH read from
// inside that directory (wat_source and wat_file filled in).
void read_wat_sources(Registry& reg, Diagnostics& diag) {
  for (const Entry& e : reg.entries()) {
    const auto* f = std::get_if<FunctionEntry>(&e);
    if (!f || f->kind != FunctionKind::Wat || f->fs.empty()) continue;
    const FsDirectoryEntry* dir = reg.find_fs(f->fs);
    if (!dir) continue;  // reported by check_refs
    auto text = read_wat_file(dir->directory, dir->id, f->path, f->limits.max_module_bytes);
    if (!text) {
      diag.set_kind(text.error().kind);
      diag.add(f->loc, f->id, fmt::format("source file://{}: {}", quote_input(f->path), text.error().message));
      continue;
    }
    FunctionEntry* fn = reg.find_function(f->id);
    fn->wat_source = std::move(*text);
    fn->wat_file = (dir->directory / std::filesystem::path(f->path).relative_path()).lexically_normal();
  }
}

// The largest CA bundle a wasi.http.ca_file may name.
constexpr uint64_t kMaxCaFileBytes = uint64_t{16} << 20;

// wasi.http.ca_file: the file must be a regular file inside its
// fs.directory (read_confined_file: no "..", no symlink out); its host path
// goes to ca_host_path for the TLS layer to load.
void resolve_ca_files(Registry& reg, Diagnostics& diag) {
  for (const FunctionEntry* f : reg.functions()) {
    if (!f->wasi.http || f->wasi.http->ca_fs.empty()) continue;
    const WasiHttp& http = *f->wasi.http;
    const FsDirectoryEntry* dir = reg.find_fs(http.ca_fs);
    if (!dir) continue;  // reported by check_refs
    ReadSpec spec;
    spec.what = "CA file";
    spec.max_bytes = kMaxCaFileBytes;
    spec.root_name = dir->id;
    if (auto bytes = read_confined_file(dir->directory, http.ca_path, spec); !bytes) {
      diag.set_kind(bytes.error().kind);
      diag.add(http.ca_loc, f->id,
               fmt::format("wasi http ca_file {}: {}", quote_input(http.ca_path), bytes.error().message));
      continue;
    }
    reg.find_function(f->id)->wasi.http->ca_host_path =
        (dir->directory / std::filesystem::path(http.ca_path).relative_path()).lexically_normal();
  }
}

}  // namespace

Result<Registry> load_registry(std::span<const std::filesystem::path> files, const RegistryOptions& opts) {
  Diagnostics diag(files);
  auto finish = [&]() {  // warnings go out whether or not the load succeeds
    if (opts.warn)
      for (const std::string& w : diag.warnings()) opts.warn(w);
  };
  Registry reg;
  std::vector<RefSite> refs;
  for (const fs::path& file : files) {
    ParsedFile parsed = parse_registry_file(file, diag, opts.strict);
    for (Entry& e : parsed.entries) {
      const EntryInfo& info = entry_info(e);
      if (const Entry* first = reg.find(info.id)) {
        diag.add(info.loc, info.id,
                 fmt::format("duplicate name {} (first defined at {})", quote_input(info.name),
                             entry_info(*first).loc.str()));
        continue;
      }
      reg.add(std::move(e));
    }
    for (RefSite& r : parsed.refs) refs.push_back(std::move(r));
  }
  check_refs(reg, refs, diag);
  std::vector<const FsDirectoryEntry*> to_create = check_directories(reg, diag);
  finish();
  if (!diag.empty()) return diag.to_error();
  for (const FsDirectoryEntry* d : to_create) create_directory(*d, diag);
  if (diag.empty()) read_wat_sources(reg, diag);
  if (diag.empty()) resolve_ca_files(reg, diag);
  if (!diag.empty()) return diag.to_error();
  return reg;
}

}  // namespace wippy
