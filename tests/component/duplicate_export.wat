;; duplicate_export.wat — invalid: `run` and `RUN` are not strongly unique.
(component
  (core module $M (func (export "f")))
  (core instance $m (instantiate $M))
  (func $f (canon lift (core func $m "f")))
  (export "run" (func $f))
  (export "RUN" (func $f))
)
