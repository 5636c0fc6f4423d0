;; simd.wat — v128 parameters and results for `wippy-run run --invoke`
;; (tests/cli/run_cli.sh).
(module
  (func (export "add4") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
  (func (export "id") (param v128) (result v128) (local.get 0))
  (func (export "fmul") (param v128 f64) (result v128 i32)
    (f64x2.mul (local.get 0) (f64x2.splat (local.get 1)))
    (i32.const 7))
  (func (export "shuf") (param v128 v128) (result v128)
    (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get 0) (local.get 1))))
