// exe_dir.h — where the running wippy-bench binary lives, so it can find the
// kernel .wasm files and wippy-run in the build tree next to it.
#pragma once
#include <string>

namespace wippy::bench {

// Directory of the running executable (from /proc/self/exe), or "." if it
// cannot be determined.
std::string exe_dir();

// True if `path` names an existing regular file.
bool file_exists(const std::string& path);

}  // namespace wippy::bench
