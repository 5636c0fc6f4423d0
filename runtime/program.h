// program.h — a function entry made ready to run: its module read (hash
// checked before decoding), decoded, validated, gated and its `method`
// resolved, once per Runtime, and its WASI linker built (one WasiHost for
// every instance). Instances (instance.h) are made from it.
// Contract of load_program():
//  * function.wasm: read_module (module_source.h) then the `layer` field
//    decides: a component is decoded and validated, and every import it has
//    must be granted by the entry's `imports` profiles, else
//    "component imports wasi:sockets/tcp@0.2.0, which entry ns:name does
//    not grant (add wasi:sockets to imports)" (hostfns/wasi_groups.h) — nothing is
//    instantiated or run then; a core module is decoded and validated.
//  * function.wat: the text is compiled (interp/text) into a core module.
//  * Core modules may import nothing but wasi_snapshot_preview1 functions,
//    and those only with the `wasi1` grant ("core module imports
//    wasi_snapshot_preview1, which entry ns:name does not grant (add wasi1
//    to imports)"); an unknown function or a wrong signature is refused
//    naming the import. Method `_start` is then a command (exit code), any
//    other export a reactor function (`_initialize` runs at instantiation).
//  * method resolution for components: `run` on a component exporting
//    wasi:cli/run selects the command; `iface#func` names a function of an
//    exported interface, where iface is the full name (version optional,
//    "guests:c-exports/geometry#centroid") or just the interface's own name
//    ("test-sleep#sleep-ms"); anything else is a top-level function export.
//    For core modules `method` is the raw export name, typed by `wit:`.
//  * Every error names the entry: "entry ns:f: ...".
#pragma once
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.h"
#include "component/component.h"
#include "component/rtype.h"
#include "hostfns/wasi.h"
#include "interp/store.h"
#include "runtime/code_cache.h"
#include "runtime/registry.h"

namespace wippy {

struct Program {
  const FunctionEntry* entry = nullptr;  // owned by the Runtime's Registry
  bool is_component = false;

  // Components.
  std::shared_ptr<const component::Component> component;
  bool command = false;     // method `run` -> wasi:cli/run#run (core: `_start`)
  std::string export_name;  // what ComponentInstance::func resolves
  // The WASI interfaces it imports, defined once for all its instances.
  std::shared_ptr<const hostfns::WasiHost> wasi_host;

  // Core modules (function.wat always; function.wasm with a core layer).
  std::shared_ptr<const Module> module;
  std::shared_ptr<CompiledModule> code;  // shared by every instance
  std::optional<component::FuncSig> core_sig;  // JSON <-> core values
  bool preview1 = false;  // imports wasi_snapshot_preview1 (command when `command`)

  // The memory images of the first instance's snapshot, offered to every
  // later instance's (StoreSnapshot::capture `like`): instances whose
  // memories start out the same share one image instead of each writing
  // its own. Instances on several worker threads use it: under `mu`.
  struct FirstImages {
    std::mutex mu;
    bool taken = false;
    std::vector<std::shared_ptr<const MemoryImage>> images;
  };
  std::shared_ptr<FirstImages> first_images = std::make_shared<FirstImages>();
};

// `cache` (may be null): components go through load_component_cached
// (component_cache.h) keyed by the entry's hash, unless the entry says
// `cache: false`.
Result<std::shared_ptr<const Program>> load_program(const Registry& reg, const FunctionEntry& fn,
                                                    const CodeCache* cache = nullptr);

// Rewrites a component program's cache entry when more of its functions
// are compiled now than the entry holds (save_component_code); nothing for
// core modules, `cache: false` entries or a null cache.
void save_program_code(const Program& p, const CodeCache* cache);

}  // namespace wippy
