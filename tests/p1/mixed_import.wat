;; mixed_import.wat — a preview1 module that also imports something else.
(module
  (import "wasi_snapshot_preview1" "sched_yield" (func (result i32)))
  (import "env" "helper" (func))
  (memory (export "memory") 1)
  (func (export "_start")))
