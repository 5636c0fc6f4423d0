;; async_stream.wat — uses a WASI 0.3 stream type, which wippy rejects as
;; unsupported.
(component
  (type $s (stream u8))
  (import "f" (func (param "s" $s)))
)
