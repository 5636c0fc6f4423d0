// echo_host.h — test helper for components that echo values through the
// canonical ABI (canon.wat, lists.wat): host functions put-NAME, which
// records its one argument in got[NAME], and get-NAME, which returns
// give[NAME]. The maps must outlive the linker's instances.
#pragma once
#include <map>
#include <span>
#include <string>
#include <vector>

#include "component/linker.h"

namespace wippy::testing {

inline void add_put_get(component::Linker& linker, const std::string& name,
                        std::map<std::string, component::Val>& got, std::map<std::string, component::Val>& give) {
  using component::Val;
  linker.func("put-" + name, [&got, name](Store&, std::span<const Val> args) -> Result<std::vector<Val>> {
    got[name] = args[0];
    return std::vector<Val>{};
  });
  linker.func("get-" + name, [&give, name](Store&, std::span<const Val>) -> Result<std::vector<Val>> {
    return std::vector<Val>{give.at(name)};
  });
}

}  // namespace wippy::testing
