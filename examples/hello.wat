;; examples/hello.wat — the bundled example for `wippy-run run`.
;; `greet` writes "hello, wippy" into linear memory and returns its length;
;; `fib` is the classic recursive Fibonacci.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, wippy")
  (func (export "greet") (result i32 i32)
    (i32.const 16) (i32.const 12))
  (func $fib (export "fib") (param $n i64) (result i64)
    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
      (then (local.get $n))
      (else (i64.add (call $fib (i64.sub (local.get $n) (i64.const 1)))
                     (call $fib (i64.sub (local.get $n) (i64.const 2))))))))
