// wasi_env.h — the environment a function entry's guest sees.
// Each `wasi.env` item names an env.variable entry; its host variable is read
// (the entry's default when unset) and exposed under the item's `name` (the
// host variable's name when none was given). An item with no value is left
// out, unless it is required: then the result is
// "required wasi env variable not found: ns:id".
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "runtime/registry.h"

namespace wippy {

using EnvPairs = std::vector<std::pair<std::string, std::string>>;
// Reads one host variable; nullopt when unset.
using HostEnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// Reads the process environment (std::getenv).
std::optional<std::string> process_env_lookup(std::string_view name);

Result<EnvPairs> resolve_env(const Registry& reg, const FunctionEntry& fn,
                             const HostEnvLookup& lookup);
Result<EnvPairs> resolve_env(const Registry& reg, const FunctionEntry& fn);

}  // namespace wippy
