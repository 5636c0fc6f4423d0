;; add.wat — core exports for `wippy-run run --invoke` (tests/cli/run_cli.sh).
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "boom") (unreachable))
  (func (export "spin") (loop $l (br $l))))
