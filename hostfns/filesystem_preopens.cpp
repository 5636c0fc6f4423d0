// filesystem_preopens.cpp — add_filesystem (wasi.h): wasi:filesystem/types
// (the descriptor and directory-entry-stream resources, every method, and
// filesystem-error-code; the parts live in filesystem_*.cpp) and
// wasi:filesystem/preopens. Each WasiCtx::preopens entry is opened here,
// when the interfaces are added to a linker (a missing or unreadable host
// directory fails add_filesystem with an Io error naming it), read-only
// grants as fs::Access::ReadOnly. get-directories returns a fresh
// descriptor per preopen on every call, in configuration order, all
// sharing the one opened directory.
#include <fmt/format.h>

#include "hostfns/filesystem.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Own;
using wasifs::Descriptor;

namespace {

struct Opened {
  std::shared_ptr<const fs::Dir> dir;
  std::string guest_path;
};

Result<std::vector<Opened>> open_preopens(const std::vector<Preopen>& preopens) {
  std::vector<Opened> out;
  for (const Preopen& p : preopens) {
    if (!wasifs::valid_utf8(p.guest_path))
      return make_error(ErrorKind::Io, fmt::format("preopen {}: the guest path is not UTF-8", p.host_path));
    auto dir = fs::Dir::open_host(p.host_path, p.read_only ? fs::Access::ReadOnly : fs::Access::ReadWrite);
    if (!dir)
      return make_error(ErrorKind::Io, fmt::format("preopen {}: {}", p.host_path, fs::fs_errc_name(dir.error())));
    out.push_back({std::make_shared<const fs::Dir>(std::move(*dir)), p.guest_path});
  }
  return out;
}

}  // namespace

Result<void> add_filesystem(component::Linker& linker, WasiCtx& ctx) {
  auto opened = open_preopens(ctx.preopens);
  if (!opened) return opened.error();

  HostInterface types(linker, wasi_iface("wasi:filesystem/types"));
  wasifs::FsHost h;
  h.ctx = &ctx;
  h.descriptors = types.resource<Descriptor>("descriptor", ctx.state.table);
  h.dir_streams = types.resource<wasifs::DirStream>("directory-entry-stream", ctx.state.table);
  ctx.state.types.descriptor = h.descriptors.type();
  ctx.state.types.directory_entry_stream = h.dir_streams.type();

  wasifs::add_descriptor_methods(types, h);
  wasifs::add_path_methods(types, h);
  wasifs::add_directory_methods(types, h);
  wasifs::add_filesystem_error_code(types, h);

  auto descs = h.descriptors;
  HostInterface(linker, wasi_iface("wasi:filesystem/preopens"))
      .func("get-directories", [descs, dirs = std::move(*opened)]() -> Result<std::vector<std::pair<Own<Descriptor>, std::string>>> {
        std::vector<std::pair<Own<Descriptor>, std::string>> out;
        for (const Opened& o : dirs) {
          auto d = std::make_shared<Descriptor>();
          d->dir = o.dir;
          d->flags = wasifs::dir_flags(*o.dir);
          auto own = descs.add(std::move(d));
          if (!own) return own.error();
          out.emplace_back(std::move(*own), o.guest_path);
        }
        return out;
      });
  return {};
}

}  // namespace wippy::hostfns
