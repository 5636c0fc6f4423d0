// host_util.h — small helpers shared by the hostfns/*.cpp interface files
// (not part of the public API): result vectors, handle lookups that trap on
// unknown reps, and stream-error values.
#pragma once
#include <string>
#include <vector>

#include <fmt/format.h>

#include "component/val.h"
#include "hostfns/handle_table.h"
#include "hostfns/wasi_ctx.h"
#include "interp/result.h"

namespace wippy::hostfns {

using component::Val;
using Vals = std::vector<Val>;

inline Result<Vals> reply() { return Vals{}; }
inline Result<Vals> reply(Val v) {
  Vals out;
  out.push_back(std::move(v));
  return out;
}

inline Error host_trap(std::string msg) { return make_error(ErrorKind::Trap, std::move(msg)); }

// The object behind a borrowed handle, or a Trap naming the resource.
template <class T>
Result<T*> lookup(const HandleTable<T>& table, const Val& handle, const char* what) {
  T* p = table.get(handle.rep());
  if (!p) return host_trap(fmt::format("{}: unknown handle (rep {})", what, handle.rep()));
  return p;
}

// stream-error: variant { last-operation-failed(own<error>), closed }.
inline Val stream_closed() { return Val::variant(1); }
// `code`: the OS error behind the failure, if any.
inline Val stream_failed(WasiCtx& ctx, std::string why, std::optional<fs::FsErrc> code = std::nullopt) {
  uint32_t rep = ctx.state.errors.insert(std::make_unique<IoError>(IoError{std::move(why), code}));
  return Val::variant(0, Val::own(ctx.state.types.error, rep));
}

// list<u8> from bytes (a packed Val, see component/val.h), and back (any
// list<u8> Val, packed or not).
Val bytes_val(std::vector<uint8_t> bytes);
std::vector<uint8_t> val_bytes(const Val& list);

}  // namespace wippy::hostfns
