// inspect_command.h — `wippy-run inspect FILE.wasm`: prints what a binary
// needs and offers. A component (decoded and validated) is printed as a
// WIT-like `world` named after the file: one `import`/`export` line per
// function, instance (with its named types and its functions' signatures,
// `name: func(a: string, n: u32) -> result<list<u8>, error-code>`), type,
// component or core module. Types are printed by name where the binary
// names them (type imports/exports) and structurally otherwise; what cannot
// be resolved statically (e.g. the type of an instance made by
// instantiating a nested component) is printed as `/* unknown */`.
// A core module is printed as its imports and exports with their kinds and
// function types. Returns the exit status: 0, or 1 (with the error on
// stderr) when the file cannot be read, decoded or validated.
#pragma once
#include <string>

namespace wippy::cli {

int inspect_command(const std::string& path);

}  // namespace wippy::cli
