;; spin_p1.wat — a preview1 command whose _start never returns.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (loop $l (br $l))))
