// filesystem_preopens.cpp — add_filesystem (wasi.h): wasi:filesystem/types
// (the descriptor and directory-entry-stream resources, every method, and
// filesystem-error-code; the parts live in filesystem_*.cpp) and
// wasi:filesystem/preopens. open_preopens opens each WasiCtx::preopens
// entry when an instance is readied (a missing or unreadable host
// directory fails it with an Io error naming it), read-only grants as
// fs::Access::ReadOnly. get-directories returns a fresh
// descriptor per preopen on every call, in configuration order, all
// sharing the one opened directory.
#include <fmt/format.h>

#include "base/utf8.h"
#include "hostfns/filesystem.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::HostInterface;
using component::Own;
using wasifs::Descriptor;

Result<void> open_preopens(WasiCtx& ctx) {
  std::vector<std::pair<std::shared_ptr<const fs::Dir>, std::string>> out;
  for (const Preopen& p : ctx.preopens) {
    if (!wippy::valid_utf8(p.guest_path))
      return make_error(ErrorKind::Io, fmt::format("preopen {}: the guest path is not UTF-8", p.host_path));
    auto dir = fs::Dir::open_host(p.host_path, p.read_only ? fs::Access::ReadOnly : fs::Access::ReadWrite);
    if (!dir)
      return make_error(ErrorKind::Io, fmt::format("preopen {}: {}", p.host_path, fs::fs_errc_name(dir.error())));
    out.emplace_back(std::make_shared<const fs::Dir>(std::move(*dir)), p.guest_path);
  }
  ctx.state.preopened = std::move(out);
  return {};
}

void add_filesystem(component::Linker& linker, WasiTypes& wasi_types) {
  HostInterface types(linker, wasi_iface("wasi:filesystem/types"));
  wasifs::FsHost h;
  h.descriptors = types.context_resource<Descriptor, WasiCtx>("descriptor");
  h.dir_streams = types.context_resource<wasifs::DirStream, WasiCtx>("directory-entry-stream");
  wasi_types.descriptor = h.descriptors.type();
  wasi_types.directory_entry_stream = h.dir_streams.type();

  wasifs::add_descriptor_methods(types, h);
  wasifs::add_path_methods(types, h);
  wasifs::add_directory_methods(types, h);
  wasifs::add_filesystem_error_code(types);

  auto descs = h.descriptors;
  HostInterface(linker, wasi_iface("wasi:filesystem/preopens"))
      .func("get-directories", [descs](WasiCtx& ctx) -> Result<std::vector<std::pair<Own<Descriptor>, std::string>>> {
        const auto table = in(ctx, descs);
        std::vector<std::pair<Own<Descriptor>, std::string>> out;
        for (const auto& [dir, guest_path] : ctx.state.preopened) {
          auto d = std::make_shared<Descriptor>();
          d->dir = dir;
          d->flags = wasifs::dir_flags(*dir);
          auto own = table.add(std::move(d));
          if (!own) return own.error();
          out.emplace_back(std::move(*own), guest_path);
        }
        return out;
      });
}

}  // namespace wippy::hostfns
