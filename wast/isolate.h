// isolate.h — runs one script file in a forked child process so that a
// crash (or a hang past `timeout_seconds`) in the engine costs one file, not
// the whole run. The child sends its running counts through a pipe after
// every command; a child that dies is reported as "FILE: crashed (...)" and
// counted as one more failure on top of its last counts.
#pragma once
#include <functional>
#include <string>

#include "wast/runner.h"

namespace wippy::wast {

// `body` runs in the child and must call `report` with its running counts.
using ReportFn = std::function<void(const WastCounts&)>;
WastCounts run_isolated(const std::string& file, unsigned timeout_seconds,
                        const std::function<WastCounts(const ReportFn& report)>& body);

}  // namespace wippy::wast
