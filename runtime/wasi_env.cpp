// wasi_env.cpp — see wasi_env.h.
#include "runtime/wasi_env.h"

#include <fmt/format.h>

#include <cstdlib>

namespace wippy {

std::optional<std::string> process_env_lookup(std::string_view name) {
  std::string key(name);
  if (const char* v = std::getenv(key.c_str())) return std::string(v);
  return std::nullopt;
}

Result<EnvPairs> resolve_env(const Registry& reg, const FunctionEntry& fn,
                             const HostEnvLookup& lookup) {
  EnvPairs out;
  for (const WasiEnvVar& v : fn.wasi.env) {
    const EnvVariableEntry* var = reg.find_env(v.id);
    if (!var)
      return make_error(ErrorKind::Invalid,
                        fmt::format("{}: entry {}: wasi env {} is not an env.variable entry",
                                    v.loc.str(), fn.id, v.id));
    std::optional<std::string> value = lookup(var->variable);
    if (!value) value = var->default_value;
    if (!value) {
      if (v.required)
        return make_error(ErrorKind::Other,
                          fmt::format("required wasi env variable not found: {}", v.id));
      continue;
    }
    out.emplace_back(v.name.empty() ? var->variable : v.name, std::move(*value));
  }
  return out;
}

Result<EnvPairs> resolve_env(const Registry& reg, const FunctionEntry& fn) {
  return resolve_env(reg, fn, process_env_lookup);
}

}  // namespace wippy
