;; missing_memory.wat — invalid: lifting a function with a string parameter
;; without the `memory` and `realloc` canonical options.
(component
  (core module $M (func (export "f") (param i32 i32)))
  (core instance $m (instantiate $M))
  (func (export "f") (param "s" string) (canon lift (core func $m "f")))
)
