;; lift_lower.wat — a component with a core module lifted through the
;; canonical ABI (string parameter: memory + realloc, post-return), an
;; imported function lowered into a core instance, a nested component
;; instantiated with an argument, and interface-named exports.
(component
  (import "host-log" (func $log (param "msg" string)))
  (core module $Mem
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64)))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "mem" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))
  (core func $log-lowered (canon lower (func $log) (memory $memory) string-encoding=utf8))
  (core module $Main
    (import "host" "log" (func $log (param i32 i32)))
    (func (export "greet") (param i32 i32) (result i32 ) (call $log (local.get 0) (local.get 1)) (i32.const 7))
    (func (export "greet-post") (param i32))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
  (core instance $host (export "log" (func $log-lowered)))
  (core instance $main (instantiate $Main (with "host" (instance $host))))
  (func $greet (param "name" string) (result u32)
    (canon lift (core func $main "greet") (memory $memory) (realloc $realloc) (post-return (core func $main "greet-post"))))
  (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $main "add")))
  (component $Inner
    (import "add" (func $f (param "a" u32) (param "b" u32) (result u32)))
    (export "sum" (func $f)))
  (instance $inner (instantiate $Inner (with "add" (func $add))))
  (alias export $inner "sum" (func $sum))
  (instance $api (export "greet" (func $greet)) (export "sum" (func $sum)))
  (export "wippy:test/api@0.1.0" (instance $api))
  (export "add-numbers" (func $add))
)
