// host_util.h — small helpers shared by the hostfns/*.cpp interface files
// (not part of the public API): result vectors, handle lookups that trap on
// unknown reps, getrandom(2), new handles in the instance's resource table (a Trap past
// limits.max_handles), and stream-error values.
#pragma once
#include <string>
#include <vector>

#include <fmt/format.h>

#include "component/val.h"
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

// The object of type T behind a handle, or a Trap naming the resource.
template <class T>
Result<T*> lookup(const WasiState& st, const Val& handle, const char* what) {
  T* p = st.table->get<T>(handle.rep());
  if (!p) return host_trap(fmt::format("{}: unknown handle (rep {})", what, handle.rep()));
  return p;
}

// A new own handle of resource `type` for `obj` (a child of handle
// `parent` when non-zero); a Trap past limits.max_handles.
template <class T>
Result<Val> new_handle(WasiState& st, const component::ResourceRef& type, std::type_identity_t<std::shared_ptr<T>> obj,
                       uint32_t parent = 0) {
  auto rep = st.table->insert<T>(std::move(obj), parent);
  if (!rep) return rep.error();
  return Val::own(type, *rep);
}

// New handles of the wasi:io resources (and the pollable of anything
// subscribable), children of handle `parent` when non-zero.
inline Result<Val> new_pollable(WasiState& st, disp::Pollable p, uint32_t parent = 0) {
  return new_handle<disp::Pollable>(st, st.types.pollable, std::make_shared<disp::Pollable>(std::move(p)), parent);
}
inline Result<Val> new_input_stream(WasiState& st, std::shared_ptr<disp::InputStream> s, uint32_t parent = 0) {
  return new_handle<disp::InputStream>(st, st.types.input_stream, std::move(s), parent);
}
inline Result<Val> new_output_stream(WasiState& st, std::shared_ptr<disp::OutputStream> s, uint32_t parent = 0) {
  return new_handle<disp::OutputStream>(st, st.types.output_stream, std::move(s), parent);
}

// stream-error: variant { last-operation-failed(own<error>), closed }.
inline Val stream_closed() { return Val::variant(1); }
// `code`: the OS error behind the failure, if any.
inline Result<Val> stream_failed(WasiCtx& ctx, std::string why, std::optional<fs::FsErrc> code = std::nullopt,
                                 std::any cause = {}) {
  auto err = new_handle<IoError>(ctx.state, ctx.state.types.error,
                                 std::make_shared<IoError>(IoError{std::move(why), code, std::move(cause)}));
  if (!err) return err.error();
  return Val::variant(0, std::move(*err));
}

// Fills p..p+n from getrandom(2) (an Io error if it fails).
Result<void> fill_random(uint8_t* p, size_t n);

// list<u8> from bytes (a packed Val, see component/val.h), and back (any
// list<u8> Val, packed or not).
Val bytes_val(std::vector<uint8_t> bytes);
std::vector<uint8_t> val_bytes(const Val& list);

}  // namespace wippy::hostfns
