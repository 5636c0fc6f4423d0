;; bad_canon_type.wat — invalid: the core function's type (i32) -> ()
;; does not match the lifted (param u64) signature.
(component
  (core module $M (func (export "f") (param i32)))
  (core instance $m (instantiate $M))
  (func (export "f") (param "x" u64) (canon lift (core func $m "f")))
)
