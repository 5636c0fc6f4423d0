// name_section.h — best-effort reading of the "name" custom section's
// function names into Module::func_names (indexed by function index).
// A malformed name section is ignored, never an error: whatever was read
// before the problem is kept.
#pragma once
#include "interp/module.h"

namespace wippy::decode {

void read_function_names(Module& m, const CustomSection& section);

}  // namespace wippy::decode
