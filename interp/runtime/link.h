// link.h — import matching: checks that each provided Extern fits the
// module's import (kind, exact function type, table/memory limits
// subtyping against the instance's current size, global type and
// mutability). Errors are ErrorKind::Unlinkable naming "module" "name".
#pragma once
#include <span>

#include "interp/module.h"
#include "interp/result.h"
#include "interp/store.h"

namespace wippy {

Result<void> check_imports(const Module& module, std::span<const Extern> imports);

// Limits subtyping: `actual` (min = current size) matches `declared`.
bool limits_match(const Limits& actual, const Limits& declared);

}  // namespace wippy
