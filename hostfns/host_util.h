// host_util.h — small helpers shared by the hostfns/*.cpp interface files
// (not part of the public API): host traps, getrandom(2), and new handles
// in the instance's resource table (a Trap past limits.max_handles).
#pragma once
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/result.h"
#include "component/bind_values.h"
#include "component/val.h"
#include "hostfns/wasi_ctx.h"

namespace wippy::hostfns {

using component::Val;

inline Error host_trap(std::string msg) { return make_error(ErrorKind::Trap, std::move(msg)); }

// In a host function taking `WasiCtx& ctx`: declares `var`, the object of
// borrowed handle `self` in the calling instance's table of resource `res`,
// or returns the lookup's Trap. Declares `found` too (one use per scope).
#define WIPPY_HOST_SELF(var, res, self)  \
  auto found = in(ctx, res).get(self); \
  if (!found) return found.error();    \
  auto& var = **found

// A new own handle of resource `type` for `obj` (a child of handle
// `parent` when non-zero); a Trap past limits.max_handles. new_own gives
// it typed (bind.h), new_handle as a Val.
template <class T>
Result<component::Own<T>> new_own(WasiState& st, const component::ResourceRef& type,
                                  std::type_identity_t<std::shared_ptr<T>> obj, uint32_t parent = 0) {
  auto rep = st.table->insert<T>(std::move(obj), parent);
  if (!rep) return rep.error();
  return component::Own<T>(type, *rep);
}
template <class T>
Result<Val> new_handle(WasiState& st, const component::ResourceRef& type, std::type_identity_t<std::shared_ptr<T>> obj,
                       uint32_t parent = 0) {
  auto own = new_own<T>(st, type, std::move(obj), parent);
  if (!own) return own.error();
  return Val::own(own->type(), own->rep());
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

// Fills p..p+n from getrandom(2) (an Io error if it fails).
Result<void> fill_random(uint8_t* p, size_t n);

}  // namespace wippy::hostfns
