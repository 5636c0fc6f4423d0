// link.h — import matching: checks that each provided Extern fits the
// module's import (kind, function type or a declared subtype of it, tag
// type exactly, table/memory limits
// subtyping against the instance's current size, global type and
// mutability). Errors are ErrorKind::Unlinkable naming "module" "name".
#pragma once
#include <span>

#include "base/result.h"
#include "interp/module.h"
#include "interp/store.h"

namespace wippy {

// type_ids: the store's canonical id of each type index of `module`
// (Store::intern_types); the store's objects carry canonical types.
Result<void> check_imports(const Store& store, const Module& module, std::span<const uint32_t> type_ids,
                           std::span<const Extern> imports);

// Limits subtyping: `actual` (min = current size) matches `declared`.
bool limits_match(const Limits& actual, const Limits& declared);

}  // namespace wippy
