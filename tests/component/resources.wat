;; resources.wat — a locally defined resource with a destructor,
;; resource.new/rep/drop built-ins and annotated exports
;; ([constructor], [method], [static]).
(component
  (core module $Impl
    (func (export "dtor") (param i32))
    (func (export "ctor") (param i32) (result i32) (local.get 0))
    (func (export "get") (param i32) (result i32) (local.get 0))
    (func (export "count") (result i32) (i32.const 0)))
  (core instance $impl (instantiate $Impl))
  (type $counter (resource (rep i32) (dtor (core func $impl "dtor"))))
  (core func $new (canon resource.new $counter))
  (core func $rep (canon resource.rep $counter))
  (core func $drop (canon resource.drop $counter))
  (export $c "counter" (type $counter))
  (func $ctor (param "start" u32) (result (own $c)) (canon lift (core func $new)))
  (func $get (param "self" (borrow $c)) (result u32) (canon lift (core func $impl "get")))
  (func $count (result u32) (canon lift (core func $impl "count")))
  (export "[constructor]counter" (func $ctor))
  (export "[method]counter.get" (func $get))
  (export "[static]counter.count" (func $count))
)
