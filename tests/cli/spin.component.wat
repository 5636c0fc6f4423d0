;; spin.component.wat — a wasi:cli/run command whose run never returns (a
;; tight loop): only --timeout ends it.
(component
  (core module $m
    (func (export "run") (result i32) (loop $l (br $l)) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $inst)))
