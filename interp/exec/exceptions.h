// exceptions.h — the run-time side of exception handling, for the dispatch
// loop's throw path (exceptions.inc). Throwing allocates an ExnInst from the
// store's pool; the unwinder walks the frame stack from the throwing frame
// outwards, finds each frame's compiled code from its pc (one binary search
// per frame that belongs to a module with handlers) and the innermost
// handler whose range holds the pc: O(frames + handlers), never quadratic.
// Tags match by TagInst identity, so exceptions cross module boundaries.
#pragma once
#include "code.h"

namespace wippy::exec {

// A new exception of `tag` with `n` payload slots copied from `vals`.
ExnInst* new_exn(Store::ExecState& st, TagInst* tag, const Value* vals, uint32_t n);
// Returns `x` to the pool (it must not be reachable through any exnref).
void recycle_exn(Store::ExecState& st, ExnInst* x);

// Records that `f` (just compiled, in `cm`) has handlers; call under cm.mu.
void register_eh_code(CompiledModule& cm, const CompiledFunc* f);
// The compiled function of `inst` whose code holds `pc`, if it has handlers.
const CompiledFunc* eh_code_at(Instance* inst, const Word* pc);
// The clause of `f` that catches `x` thrown at `pc` (code of `f`, run by
// `inst`), or nullptr.
const EhClause* find_clause(const CompiledFunc& f, const Word* pc, const ExnInst* x, const Instance* inst);

}  // namespace wippy::exec
