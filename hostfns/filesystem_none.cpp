// filesystem_none.cpp — wasi:filesystem/types and preopens for a WasiCtx
// without preopened directories (the real fs/-backed implementation comes
// later): get-directories returns an empty list, so no descriptor or
// directory-entry-stream can ever reach the guest; their methods exist so
// that components importing them link, and trap if called.
// filesystem-error-code returns none (no stream error is a filesystem one).
#include "component/linker.h"
#include "hostfns/host_util.h"
#include "hostfns/wasi.h"

namespace wippy::hostfns {

using component::Linker;

namespace {

constexpr const char* kDescriptorMethods[] = {
    "read-via-stream", "write-via-stream", "append-via-stream", "advise", "sync-data", "get-flags",
    "get-type", "set-size", "set-times", "read", "write", "read-directory", "sync",
    "create-directory-at", "stat", "stat-at", "set-times-at", "link-at", "open-at", "readlink-at",
    "remove-directory-at", "rename-at", "symlink-at", "unlink-file-at", "is-same-object",
    "metadata-hash", "metadata-hash-at",
};

component::HostFn unreachable(std::string name) {
  return [name](Store&, std::span<const Val>) -> Result<Vals> {
    return host_trap(fmt::format("wasi:filesystem: {} called, but no descriptor exists (no preopens)", name));
  };
}

}  // namespace

void add_filesystem_none(Linker& linker, WasiCtx& ctx) {
  WasiState& st = ctx.state;
  auto& types = linker.instance(wasi_iface("wasi:filesystem/types"));
  st.types.descriptor = types.resource("descriptor");
  st.types.directory_entry_stream = types.resource("directory-entry-stream");
  for (const char* m : kDescriptorMethods) {
    std::string name = fmt::format("[method]descriptor.{}", m);
    types.func(name, unreachable(name));
  }
  types.func("[method]directory-entry-stream.read-directory-entry",
             unreachable("[method]directory-entry-stream.read-directory-entry"));
  types.func("filesystem-error-code", [](Store&, std::span<const Val>) -> Result<Vals> { return reply(Val::none()); });
  linker.instance(wasi_iface("wasi:filesystem/preopens"))
      .func("get-directories", [](Store&, std::span<const Val>) -> Result<Vals> { return reply(Val::list({})); });
}

}  // namespace wippy::hostfns
