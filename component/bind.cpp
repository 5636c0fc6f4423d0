// bind.cpp — the non-template parts of the typed host API (bind.h,
// bind_convert.h): mismatch messages and the signature check.
#include "component/bind.h"

#include <fmt/format.h>

namespace wippy::component::bind_detail {

std::string mismatch(std::string_view host, const VType& t) {
  return fmt::format("the host has {}, the component declares {}", host, type_to_string(t));
}

std::string expect_kind(const VType& t, ValKind k, std::string_view host) {
  return t.kind == k ? std::string() : mismatch(host, t);
}

std::string unexpected_payload(const VType& t) {
  return fmt::format("the host has no payload, the component declares {}", type_to_string(t));
}

std::string expect_labels(const VType& t, std::span<const std::string_view> labels, std::string_view what) {
  auto join = [](auto begin, auto end) {
    std::string s;
    for (auto it = begin; it != end; ++it) s += (s.empty() ? "" : ", ") + std::string(*it);
    return s;
  };
  bool same = t.labels.size() == labels.size();
  for (size_t i = 0; same && i < labels.size(); ++i) same = t.labels[i] == labels[i];
  if (same) return {};
  return fmt::format("{}: the host has ({}), the component declares ({})", what, join(labels.begin(), labels.end()),
                     join(t.labels.begin(), t.labels.end()));
}

std::string nested(std::string_view where, std::string inner) {
  if (inner.empty()) return inner;
  return fmt::format("{}: {}", where, inner);
}

std::string expect_handle(const VType& t, ValKind k, const void* tag) {
  const char* kind = k == ValKind::Own ? "own" : "borrow";
  if (t.kind != k) return mismatch(fmt::format("{}<resource>", kind), t);
  if (!tag) return {};
  if (!t.resource || t.resource->host_type != tag)
    return fmt::format("the host takes {} of its own resource type, the component declares {} of `{}`", kind, kind,
                       t.resource ? t.resource->name : "?");
  return {};
}

Result<void> check_signature(const FuncSig& sig, std::span<const CheckFn> params, CheckFn result,
                             NameFn result_name) {
  auto fail = [](std::string msg) { return make_error(ErrorKind::Unlinkable, std::move(msg)); };
  if (sig.params.size() != params.size())
    return fail(fmt::format("the host function takes {} parameter(s), the component declares {}", params.size(),
                            sig.params.size()));
  for (size_t i = 0; i < params.size(); ++i) {
    std::string msg = params[i](*sig.params[i]);
    if (!msg.empty()) {
      std::string pname = i < sig.param_names.size() ? sig.param_names[i] : std::string();
      return fail(fmt::format("parameter {} `{}`: {}", i, pname, msg));
    }
  }
  if (!result && sig.result)
    return fail(fmt::format("the host function returns nothing, the component declares result {}",
                            type_to_string(**sig.result)));
  if (result && !sig.result)
    return fail(fmt::format("the host function returns {}, the component declares no result", result_name()));
  if (result) {
    std::string msg = result(**sig.result);
    if (!msg.empty()) return fail("result: " + msg);
  }
  return {};
}

Error bad_argument(const std::string& fn, size_t index, const Val& v) {
  return make_error(ErrorKind::Trap,
                    fmt::format("host function `{}`: argument {} ({}) does not fit its C++ type", fn, index,
                                to_string(v)));
}

Error wrong_arity(const std::string& fn, size_t expected, size_t given) {
  return make_error(ErrorKind::Trap,
                    fmt::format("host function `{}` takes {} argument(s), {} given", fn, expected, given));
}

Error unknown_handle(const ResourceRef& type, uint32_t rep) {
  return make_error(ErrorKind::Trap, fmt::format("resource `{}`: unknown handle (rep {})",
                                                 type ? type->name : "?", rep));
}

Error no_host_context(const std::string& fn) {
  return make_error(ErrorKind::Trap,
                    fmt::format("host function `{}`: the calling store has no host context for it", fn));
}

Error no_table(const ResourceRef& type) {
  return make_error(ErrorKind::Trap, fmt::format("resource `{}`: no resource table (a context resource used "
                                                 "without in())",
                                                 type ? type->name : "?"));
}

}  // namespace wippy::component::bind_detail
