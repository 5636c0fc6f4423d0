// capi.cpp — the C API (include/wippy/wippy.h) over the C++ embedding API
// (wippy/engine.h, linker.h, instance.h): opaque structs holding the C++
// objects, values converted by the declared types, errors as
// heap-allocated wippy_error_t, and no exception past any function.
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <iterator>
#include <new>

#include "base/utf8.h"
#include "component/json.h"
#include "component/val_json.h"
#include "runtime/api_impl.h"
#include "wippy/wippy.h"

using wippy::Error;
using wippy::ErrorKind;
using wippy::Result;
using wippy::component::Val;
using wippy::component::ValKind;
namespace api = wippy::api;

struct wippy_error {
  wippy_error_kind_t kind;
  std::string message;
};
struct wippy_engine {
  api::Engine engine;
};
struct wippy_component {
  api::Component component;
};
struct wippy_module {
  api::Module module;
};
struct wippy_linker {
  api::Linker linker;
};
struct wippy_wasi_config {
  api::WasiConfig wasi;
};
struct wippy_instance {
  api::Instance instance;
};
struct wippy_interrupt {
  api::InterruptHandle handle;
};

namespace {

wippy_error_kind_t c_kind(ErrorKind k) {
  switch (k) {
    case ErrorKind::Malformed: return WIPPY_ERROR_MALFORMED;
    case ErrorKind::Invalid: return WIPPY_ERROR_INVALID;
    case ErrorKind::Unlinkable: return WIPPY_ERROR_LINK;
    case ErrorKind::Uninstantiable: return WIPPY_ERROR_INSTANTIATE;
    case ErrorKind::Trap: return WIPPY_ERROR_TRAP;
    case ErrorKind::Exhaustion: return WIPPY_ERROR_EXHAUSTION;
    case ErrorKind::Io: return WIPPY_ERROR_IO;
    case ErrorKind::Interrupted: return WIPPY_ERROR_INTERRUPTED;
    case ErrorKind::Exit: return WIPPY_ERROR_EXIT;
    case ErrorKind::Other: break;
  }
  return WIPPY_ERROR_OTHER;
}

ErrorKind cxx_kind(wippy_error_kind_t k) {
  switch (k) {
    case WIPPY_ERROR_MALFORMED: return ErrorKind::Malformed;
    case WIPPY_ERROR_INVALID: return ErrorKind::Invalid;
    case WIPPY_ERROR_LINK: return ErrorKind::Unlinkable;
    case WIPPY_ERROR_INSTANTIATE: return ErrorKind::Uninstantiable;
    case WIPPY_ERROR_TRAP: return ErrorKind::Trap;
    case WIPPY_ERROR_EXHAUSTION: return ErrorKind::Exhaustion;
    case WIPPY_ERROR_IO: return ErrorKind::Io;
    case WIPPY_ERROR_INTERRUPTED: return ErrorKind::Interrupted;
    case WIPPY_ERROR_EXIT: return ErrorKind::Exit;
    case WIPPY_ERROR_OTHER: break;
  }
  return ErrorKind::Other;
}

// Allocation failures while making an error: one preallocated, immutable
// error (wippy_error_delete leaves it alone).
const wippy_error_t kOomError{WIPPY_ERROR_EXHAUSTION, std::string()};
wippy_error_t* oom_error() { return const_cast<wippy_error_t*>(&kOomError); }

wippy_error_t* c_error(wippy_error_kind_t kind, std::string msg) {
  try {
    return new wippy_error{kind, std::move(msg)};
  } catch (...) {
    return oom_error();
  }
}

wippy_error_t* c_error(const Error& e) { return c_error(c_kind(e.kind), e.message); }

wippy_error_t* null_arg(const char* what) { return c_error(WIPPY_ERROR_INVALID, fmt::format("{} is NULL", what)); }

// Runs f, turning exceptions into errors.
template <class F>
wippy_error_t* guard(F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return c_error(WIPPY_ERROR_EXHAUSTION, "out of memory");
  } catch (const std::exception& e) {
    return c_error(WIPPY_ERROR_OTHER, fmt::format("internal error: {}", e.what()));
  } catch (...) {
    return c_error(WIPPY_ERROR_OTHER, "internal error");
  }
}

// Runs f, which returns nothing; an exception makes it do nothing.
template <class F>
void quietly(F&& f) {
  try {
    f();
  } catch (...) {
  }
}

char* c_string(std::string_view s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p == nullptr) return nullptr;
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

std::string_view str_of(const wippy_val_t& v) { return {v.of.str.ptr ? v.of.str.ptr : "", v.of.str.len}; }

// The kinds host functions may use, and the component kind each is.
std::optional<ValKind> scalar_kind(wippy_val_kind_t k) {
  switch (k) {
    case WIPPY_VAL_BOOL: return ValKind::Bool;
    case WIPPY_VAL_S32: return ValKind::S32;
    case WIPPY_VAL_U32: return ValKind::U32;
    case WIPPY_VAL_S64: return ValKind::S64;
    case WIPPY_VAL_U64: return ValKind::U64;
    case WIPPY_VAL_F32: return ValKind::F32;
    case WIPPY_VAL_F64: return ValKind::F64;
    case WIPPY_VAL_CHAR: return ValKind::Char;
    case WIPPY_VAL_STRING: return ValKind::String;
    case WIPPY_VAL_JSON: break;
  }
  return std::nullopt;
}

const char* c_kind_name(wippy_val_kind_t k) {
  static constexpr const char* kNames[] = {"?",   "BOOL", "S32",  "U32",    "S64",
                                           "U64", "F32",  "F64",  "CHAR",   "STRING", "JSON"};
  const auto i = size_t(k);
  return i < std::size(kNames) ? kNames[i] : "?";
}

bool is_signed(ValKind k) { return k == ValKind::S8 || k == ValKind::S16 || k == ValKind::S32 || k == ValKind::S64; }

// A Val of a scalar or string kind as a C value (strings copied).
Result<wippy_val_t> to_c(const Val& v) {
  wippy_val_t out{};
  switch (v.kind) {
    case ValKind::Bool: out.kind = WIPPY_VAL_BOOL, out.of.b = v.u != 0; break;
    case ValKind::S8:
    case ValKind::S16:
    case ValKind::S32: out.kind = WIPPY_VAL_S32, out.of.s32 = int32_t(v.u); break;
    case ValKind::U8:
    case ValKind::U16:
    case ValKind::U32: out.kind = WIPPY_VAL_U32, out.of.u32 = uint32_t(v.u); break;
    case ValKind::S64: out.kind = WIPPY_VAL_S64, out.of.s64 = int64_t(v.u); break;
    case ValKind::U64: out.kind = WIPPY_VAL_U64, out.of.u64 = v.u; break;
    case ValKind::F32: out.kind = WIPPY_VAL_F32, out.of.f32 = v.f32; break;
    case ValKind::F64: out.kind = WIPPY_VAL_F64, out.of.f64 = v.f64; break;
    case ValKind::Char: out.kind = WIPPY_VAL_CHAR, out.of.ch = uint32_t(v.u); break;
    case ValKind::String: out = wippy_val_string(v.str.data(), v.str.size()); break;
    default:
      return wippy::make_error(ErrorKind::Invalid, fmt::format("a {} value has no C form here",
                                                               wippy::component::val_kind_name(v.kind)));
  }
  if ((out.kind == WIPPY_VAL_STRING) && out.of.str.ptr == nullptr)
    return wippy::make_error(ErrorKind::Exhaustion, "out of memory");
  return out;
}

// A C scalar or string as a Val of component kind `k` (the declared type).
Result<Val> from_c(const wippy_val_t& v, ValKind k, size_t index) {
  auto bad = [&] {
    return wippy::make_error(ErrorKind::Invalid, fmt::format("argument {}: a {} value does not fit {}",
                                                             index + 1, c_kind_name(v.kind),
                                                             wippy::component::val_kind_name(k)));
  };
  // Integers of any C kind go to any integer kind, range-checked.
  auto int_of = [&](bool& ok) -> std::pair<bool, uint64_t> {  // (negative, magnitude bits)
    ok = true;
    switch (v.kind) {
      case WIPPY_VAL_S32: return {v.of.s32 < 0, uint64_t(int64_t(v.of.s32))};
      case WIPPY_VAL_U32: return {false, v.of.u32};
      case WIPPY_VAL_S64: return {v.of.s64 < 0, uint64_t(v.of.s64)};
      case WIPPY_VAL_U64: return {false, v.of.u64};
      default: ok = false; return {false, 0};
    }
  };
  Val out;
  out.kind = k;
  switch (k) {
    case ValKind::Bool:
      if (v.kind != WIPPY_VAL_BOOL) return bad();
      out.u = v.of.b ? 1 : 0;
      return out;
    case ValKind::F32:
      if (v.kind == WIPPY_VAL_F32) out.f32 = v.of.f32;
      else if (v.kind == WIPPY_VAL_F64) out.f32 = float(v.of.f64);
      else return bad();
      return out;
    case ValKind::F64:
      if (v.kind == WIPPY_VAL_F64) out.f64 = v.of.f64;
      else if (v.kind == WIPPY_VAL_F32) out.f64 = v.of.f32;
      else return bad();
      return out;
    case ValKind::Char:
      if (v.kind != WIPPY_VAL_CHAR || !wippy::is_unicode_scalar(v.of.ch)) return bad();
      out.u = v.of.ch;
      return out;
    case ValKind::String: {
      if (v.kind != WIPPY_VAL_STRING) return bad();
      out.str = std::string(str_of(v));
      return out;
    }
    default: break;
  }
  bool ok = false;
  auto [neg, bits] = int_of(ok);
  if (!ok) return bad();
  const int width = (k == ValKind::S8 || k == ValKind::U8) ? 8 : (k == ValKind::S16 || k == ValKind::U16) ? 16
                    : (k == ValKind::S32 || k == ValKind::U32)                                            ? 32
                                                                                                          : 64;
  if (is_signed(k)) {
    const int64_t x = int64_t(bits);
    const bool u64_too_big = !neg && (v.kind == WIPPY_VAL_U64) && bits > uint64_t(INT64_MAX);
    const int64_t lo = width == 64 ? INT64_MIN : -(int64_t(1) << (width - 1));
    const int64_t hi = width == 64 ? INT64_MAX : (int64_t(1) << (width - 1)) - 1;
    if (u64_too_big || x < lo || x > hi) return bad();
  } else {
    if (neg || (width < 64 && bits >> width) != 0) return bad();
  }
  out.u = bits;
  return out;
}

// A call argument converted by its parameter type (JSON for anything).
Result<Val> arg_from_c(const wippy_val_t& v, const wippy::component::VType& t, size_t index) {
  if (v.kind == WIPPY_VAL_JSON) {
    auto j = wippy::component::parse_json(str_of(v));
    if (!j) return wippy::make_error(ErrorKind::Invalid, fmt::format("argument {}: {}", index + 1, j.error().message));
    auto val = wippy::component::val_from_json(*j, t);
    if (!val) return wippy::make_error(ErrorKind::Invalid, fmt::format("argument {}: {}", index + 1, val.error().message));
    return val;
  }
  return from_c(v, t.kind, index);
}

// A call result as a C value: JSON unless a scalar or a string.
Result<wippy_val_t> result_to_c(const Val& v, const wippy::component::VType& t) {
  if (t.kind == v.kind) {
    if (auto c = to_c(v)) return c;
  }
  auto j = wippy::component::val_to_json(v, t);
  if (!j) return j.error();
  std::string text = wippy::component::to_json_text(*j);
  wippy_val_t out = wippy_val_json(text.data(), text.size());
  if (out.of.str.ptr == nullptr) return wippy::make_error(ErrorKind::Exhaustion, "out of memory");
  return out;
}

// The HostFunction calling a C callback with `nresults` results of the
// given component kinds.
api::HostFunction c_host_function(std::string name, wippy_host_func_t fn, void* env, wippy_finalizer_t fin,
                                  std::vector<ValKind> result_kinds) {
  // The env is shared by every copy of the function; the finalizer runs
  // with the last one.
  std::shared_ptr<void> env_ref(env, [fin](void* e) {
    if (fin) fin(e);
  });
  return [name = std::move(name), fn, env_ref, result_kinds = std::move(result_kinds)](
             std::span<const Val> args) -> Result<std::vector<Val>> {
    std::vector<wippy_val_t> cargs;
    cargs.reserve(args.size());
    auto free_args = [&] {
      for (wippy_val_t& a : cargs) wippy_val_delete(&a);
    };
    for (const Val& a : args) {
      auto c = to_c(a);
      if (!c) {
        free_args();
        return wippy::make_error(ErrorKind::Trap, fmt::format("host function {}: {}", name, c.error().message));
      }
      cargs.push_back(*c);
    }
    std::vector<wippy_val_t> cres(result_kinds.size());
    wippy_error_t* err = fn(env_ref.get(), cargs.data(), cargs.size(), cres.data(), cres.size());
    free_args();
    std::optional<Error> failed;
    if (err != nullptr) {
      failed = Error{cxx_kind(err->kind), err->message};
      wippy_error_delete(err);
    }
    std::vector<Val> out;
    for (size_t i = 0; i < cres.size(); ++i) {
      if (!failed) {
        auto v = from_c(cres[i], result_kinds[i], i);
        if (v) out.push_back(std::move(*v));
        else failed = wippy::make_error(ErrorKind::Trap, fmt::format("host function {}: result {}: {}", name, i + 1,
                                                                     v.error().message));
      }
      wippy_val_delete(&cres[i]);
    }
    if (failed) return *failed;
    return out;
  };
}

}  // namespace

extern "C" {

wippy_error_t* wippy_error_new(wippy_error_kind_t kind, const char* message) {
  return c_error(kind, message ? message : "");
}
wippy_error_kind_t wippy_error_kind(const wippy_error_t* err) { return err ? err->kind : WIPPY_ERROR_OTHER; }
const char* wippy_error_message(const wippy_error_t* err) {
  if (err == &kOomError) return "out of memory";
  return err ? err->message.c_str() : "";
}
void wippy_error_delete(wippy_error_t* err) {
  if (err != &kOomError) delete err;
}

wippy_val_t wippy_val_string(const char* ptr, size_t len) {
  wippy_val_t v{};
  v.kind = WIPPY_VAL_STRING;
  v.of.str.ptr = c_string(std::string_view(ptr ? ptr : "", ptr ? len : 0));
  v.of.str.len = v.of.str.ptr ? len : 0;
  return v;
}
wippy_val_t wippy_val_json(const char* ptr, size_t len) {
  wippy_val_t v = wippy_val_string(ptr, len);
  v.kind = WIPPY_VAL_JSON;
  return v;
}
void wippy_val_delete(wippy_val_t* val) {
  if (val == nullptr || (val->kind != WIPPY_VAL_STRING && val->kind != WIPPY_VAL_JSON)) return;
  std::free(const_cast<char*>(val->of.str.ptr));
  val->of.str.ptr = nullptr;
  val->of.str.len = 0;
}
void wippy_string_delete(char* s) { std::free(s); }

wippy_engine_t* wippy_engine_new(void) {
  try {
    return new wippy_engine{api::Engine()};
  } catch (...) {
    return nullptr;
  }
}
void wippy_engine_delete(wippy_engine_t* engine) { delete engine; }

wippy_error_t* wippy_component_new(wippy_engine_t* engine, const uint8_t* bytes, size_t len,
                                   wippy_component_t** out) {
  if (!engine || (!bytes && len) || !out) return null_arg("engine, bytes or out");
  return guard([&]() -> wippy_error_t* {
    auto c = api::Component::from_bytes(engine->engine, {bytes, len});
    if (!c) return c_error(c.error());
    *out = new wippy_component{std::move(*c)};
    return nullptr;
  });
}
void wippy_component_delete(wippy_component_t* component) { delete component; }

wippy_error_t* wippy_module_new(wippy_engine_t* engine, const uint8_t* bytes, size_t len, wippy_module_t** out) {
  if (!engine || (!bytes && len) || !out) return null_arg("engine, bytes or out");
  return guard([&]() -> wippy_error_t* {
    auto m = api::Module::from_bytes(engine->engine, {bytes, len});
    if (!m) return c_error(m.error());
    *out = new wippy_module{std::move(*m)};
    return nullptr;
  });
}
wippy_error_t* wippy_module_new_wat(wippy_engine_t* engine, const char* text, size_t len, wippy_module_t** out) {
  if (!engine || (!text && len) || !out) return null_arg("engine, text or out");
  return guard([&]() -> wippy_error_t* {
    auto m = api::Module::from_wat(engine->engine, std::string_view(text ? text : "", len));
    if (!m) return c_error(m.error());
    *out = new wippy_module{std::move(*m)};
    return nullptr;
  });
}
void wippy_module_delete(wippy_module_t* module) { delete module; }

wippy_linker_t* wippy_linker_new(wippy_engine_t* engine) {
  if (!engine) return nullptr;
  try {
    return new wippy_linker{api::Linker(engine->engine)};
  } catch (...) {
    return nullptr;
  }
}
void wippy_linker_delete(wippy_linker_t* linker) { delete linker; }

wippy_error_t* wippy_linker_define_func(wippy_linker_t* linker, const char* interface, const char* name,
                                        const wippy_val_kind_t* params, size_t nparams,
                                        const wippy_val_kind_t* result, wippy_host_func_t fn, void* env,
                                        wippy_finalizer_t finalizer) {
  if (!linker || !interface || !name || (!params && nparams) || !fn) return null_arg("linker, interface, name, params or fn");
  return guard([&]() -> wippy_error_t* {
    api::WitFuncType type;
    for (size_t i = 0; i < nparams; ++i) {
      auto k = scalar_kind(params[i]);
      if (!k) return c_error(WIPPY_ERROR_INVALID, fmt::format("{}#{}: parameter {}: host functions take kinds BOOL .. STRING",
                                                              interface, name, i + 1));
      type.params.push_back(*k);
    }
    std::vector<ValKind> results;
    if (result) {
      auto k = scalar_kind(*result);
      if (!k) return c_error(WIPPY_ERROR_INVALID, fmt::format("{}#{}: the result must be of a kind BOOL .. STRING",
                                                              interface, name));
      type.result = *k;
      results.push_back(*k);
    }
    linker->linker.define_func(interface, name, std::move(type),
                               c_host_function(fmt::format("{}#{}", interface, name), fn, env, finalizer, results));
    return nullptr;
  });
}

wippy_error_t* wippy_linker_define_core_func(wippy_linker_t* linker, const char* module, const char* name,
                                             const wippy_val_kind_t* params, size_t nparams,
                                             const wippy_val_kind_t* results, size_t nresults,
                                             wippy_host_func_t fn, void* env, wippy_finalizer_t finalizer) {
  if (!linker || !module || !name || (!params && nparams) || (!results && nresults) || !fn)
    return null_arg("linker, module, name, params, results or fn");
  return guard([&]() -> wippy_error_t* {
    auto core = [&](wippy_val_kind_t k) -> std::optional<api::CoreType> {
      switch (k) {
        case WIPPY_VAL_S32: return api::CoreType::I32;
        case WIPPY_VAL_S64: return api::CoreType::I64;
        case WIPPY_VAL_F32: return api::CoreType::F32;
        case WIPPY_VAL_F64: return api::CoreType::F64;
        default: return std::nullopt;
      }
    };
    api::CoreFuncType type;
    std::vector<ValKind> kinds;
    for (size_t i = 0; i < nparams + nresults; ++i) {
      const bool is_param = i < nparams;
      auto t = core(is_param ? params[i] : results[i - nparams]);
      if (!t) return c_error(WIPPY_ERROR_INVALID, fmt::format("{}.{}: core functions use kinds S32, S64, F32, F64",
                                                              module, name));
      (is_param ? type.params : type.results).push_back(*t);
      if (!is_param) kinds.push_back(*scalar_kind(results[i - nparams]));
    }
    linker->linker.define_core_func(module, name, std::move(type),
                                    c_host_function(fmt::format("{}.{}", module, name), fn, env, finalizer, kinds));
    return nullptr;
  });
}

wippy_wasi_config_t* wippy_wasi_config_new(void) {
  try {
    return new wippy_wasi_config{};
  } catch (...) {
    return nullptr;
  }
}
void wippy_wasi_config_delete(wippy_wasi_config_t* config) { delete config; }
void wippy_wasi_config_push_arg(wippy_wasi_config_t* config, const char* arg) {
  if (config && arg) quietly([&] { config->wasi.args.emplace_back(arg); });
}
void wippy_wasi_config_push_env(wippy_wasi_config_t* config, const char* name, const char* value) {
  if (config && name && value) quietly([&] { config->wasi.env.emplace_back(name, value); });
}
void wippy_wasi_config_preopen_dir(wippy_wasi_config_t* config, const char* host_path, const char* guest_path,
                                   bool read_only) {
  if (config && host_path && guest_path)
    quietly([&] { config->wasi.preopens.push_back({host_path, guest_path, read_only}); });
}
void wippy_wasi_config_set_cwd(wippy_wasi_config_t* config, const char* cwd) {
  if (config && cwd) quietly([&] { config->wasi.cwd = cwd; });
}
void wippy_wasi_config_inherit_stdio(wippy_wasi_config_t* config, bool inherit) {
  if (config) config->wasi.inherit_stdio = inherit;
}
void wippy_wasi_config_set_stdin(wippy_wasi_config_t* config, const char* data, size_t len) {
  if (config && (data || !len)) quietly([&] { config->wasi.stdin_data.assign(data ? data : "", len); });
}

namespace {
api::Limits limits_of(const wippy_limits_t* l) {
  api::Limits out;
  if (l) {
    out.memory_bytes = l->memory_bytes;
    out.timeout_ms = l->timeout_ms;
    out.max_call_depth = l->max_call_depth;
  }
  return out;
}
}  // namespace

wippy_error_t* wippy_linker_instantiate(const wippy_linker_t* linker, const wippy_component_t* component,
                                        const wippy_wasi_config_t* wasi, const wippy_limits_t* limits,
                                        wippy_instance_t** out) {
  if (!linker || !component || !out) return null_arg("linker, component or out");
  return guard([&]() -> wippy_error_t* {
    api::InstanceOptions opts;
    if (wasi) opts.wasi = wasi->wasi;
    opts.limits = limits_of(limits);
    auto inst = linker->linker.instantiate(component->component, opts);
    if (!inst) return c_error(inst.error());
    *out = new wippy_instance{std::move(*inst)};
    return nullptr;
  });
}

wippy_error_t* wippy_linker_instantiate_module(const wippy_linker_t* linker, const wippy_module_t* module,
                                               const wippy_limits_t* limits, wippy_instance_t** out) {
  if (!linker || !module || !out) return null_arg("linker, module or out");
  return guard([&]() -> wippy_error_t* {
    api::InstanceOptions opts;
    opts.limits = limits_of(limits);
    auto inst = linker->linker.instantiate(module->module, opts);
    if (!inst) return c_error(inst.error());
    *out = new wippy_instance{std::move(*inst)};
    return nullptr;
  });
}
void wippy_instance_delete(wippy_instance_t* instance) { delete instance; }

wippy_error_t* wippy_instance_call(wippy_instance_t* instance, const char* func, const wippy_val_t* args,
                                   size_t nargs, wippy_val_t* results, size_t cap, size_t* nresults) {
  if (!instance || !func || (!args && nargs) || (!results && cap) || !nresults)
    return null_arg("instance, func, args, results or nresults");
  return guard([&]() -> wippy_error_t* {
    api::Instance::Impl& im = api::InstanceAccess::impl(instance->instance);
    auto t = api::find_export(im, func);
    if (!t) return c_error(t.error());
    const auto& sig = t->sig();
    if (nargs != sig.params.size())
      return c_error(WIPPY_ERROR_INVALID, fmt::format("{} takes {} arguments, {} given", func, sig.params.size(), nargs));
    std::vector<Val> vals;
    for (size_t i = 0; i < nargs; ++i) {
      auto v = arg_from_c(args[i], *sig.params[i], i);
      if (!v) return c_error(v.error());
      vals.push_back(std::move(*v));
    }
    auto r = api::call_export(im, *t, vals);
    if (!r) return c_error(r.error());
    size_t n = 0;
    for (size_t i = 0; i < r->size() && n < cap; ++i) {
      // Component functions have at most one result (sig.result); core
      // exports' results are scalars.
      const wippy::component::VType* type = sig.result ? sig.result->get() : nullptr;
      auto c = type ? result_to_c((*r)[i], *type) : to_c((*r)[i]);
      if (!c) {
        for (size_t j = 0; j < n; ++j) wippy_val_delete(&results[j]);
        return c_error(c.error());
      }
      results[n++] = *c;
    }
    *nresults = n;
    return nullptr;
  });
}

wippy_error_t* wippy_instance_call_json(wippy_instance_t* instance, const char* func, const char* const* args,
                                        size_t nargs, char** result) {
  if (!instance || !func || (!args && nargs) || !result) return null_arg("instance, func, args or result");
  return guard([&]() -> wippy_error_t* {
    std::vector<std::string> texts;
    for (size_t i = 0; i < nargs; ++i) {
      if (!args[i]) return null_arg("an argument");
      texts.emplace_back(args[i]);
    }
    auto r = instance->instance.call_json(func, texts);
    if (!r) return c_error(r.error());
    char* s = c_string(*r);
    if (!s) return c_error(WIPPY_ERROR_EXHAUSTION, "out of memory");
    *result = s;
    return nullptr;
  });
}

wippy_error_t* wippy_instance_run(wippy_instance_t* instance, int* exit_code) {
  if (!instance || !exit_code) return null_arg("instance or exit_code");
  return guard([&]() -> wippy_error_t* {
    auto r = instance->instance.run();
    if (!r) return c_error(r.error());
    *exit_code = *r;
    return nullptr;
  });
}

namespace {
// What the guest wrote to one captured stream, as a C string.
char* take(wippy_instance_t* instance, size_t* len, std::string (api::Instance::*which)()) {
  if (!instance) return nullptr;
  try {
    std::string s = (instance->instance.*which)();
    char* p = c_string(s);
    if (len) *len = p ? s.size() : 0;
    return p;
  } catch (...) {
    return nullptr;
  }
}
}  // namespace

char* wippy_instance_take_stdout(wippy_instance_t* instance, size_t* len) {
  return take(instance, len, &api::Instance::take_stdout);
}
char* wippy_instance_take_stderr(wippy_instance_t* instance, size_t* len) {
  return take(instance, len, &api::Instance::take_stderr);
}

wippy_interrupt_t* wippy_instance_interrupt_handle(const wippy_instance_t* instance) {
  if (!instance) return nullptr;
  try {
    return new wippy_interrupt{instance->instance.interrupt_handle()};
  } catch (...) {
    return nullptr;
  }
}
void wippy_interrupt_trigger(const wippy_interrupt_t* handle) {
  if (handle) quietly([&] { handle->handle.interrupt(); });
}
void wippy_interrupt_delete(wippy_interrupt_t* handle) { delete handle; }

const char* wippy_version(void) { return WIPPY_VERSION_STRING; }

}  // extern "C"
