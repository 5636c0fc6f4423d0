// component_runner.h — runs a parsed component script (parse_component_wast)
// (the harness behind `wippy-run wast`): `(component ...)` is decoded, validated and
// instantiated with an empty Linker on the script's Store (named by its
// `$id` for later invokes); `(component definition $X ...)` is compiled only
// and `(component instance $i $X)` instantiates it; invokes convert their
// component values by the export's parameter types; assert_return compares
// Vals (floats by bits or NaN pattern); assert_trap/exhaustion/invalid/
// malformed/unlinkable/uninstantiable check the error kind and that the
// expected text is contained in our message. Core commands run in a core
// session (runner.h). A command that needs the async ABI or a
// WebAssembly 3.0 core feature (detected from the decoder's "unsupported: "
// errors and the core decoder's messages) is printed as
// "FILE:LINE: skipped: REASON" and counted in `skipped`; invokes on a
// component that was skipped are skipped too. Failures print
// "FILE:LINE: COMMAND: what failed", as for core scripts.
#pragma once
#include <string>
#include <vector>

#include "component/text/component_wast.h"
#include "wast/runner.h"

namespace wippy::wast {

WastCounts run_component_wast_commands(const std::string& file,
                                       const std::vector<component::ComponentWastCommand>& commands,
                                       const WastOptions& opts);

}  // namespace wippy::wast
