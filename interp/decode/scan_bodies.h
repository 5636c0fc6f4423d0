// scan_bodies.h — the well-formedness scan of function bodies (ExprScanner
// over each body), shared by decode_module and scan_function_bodies.
// Contract:
//  * Each body's code_begin, code_end (its declared end: where its size
//    says it stops) and body_begin (first byte after its size) are set;
//    code_begin may lie past code_end (locals beyond the size: an error).
//  * scan_bodies reads every body of `codes` through its final `end`, which
//    must be at code_end; returns false with the error that reading them in
//    order meets first recorded in `r` (a reader over the whole module with
//    no error yet). Sections with kParallelMinBytes of code or more are
//    scanned on up to four threads (base/lowest_failure.h), same result.
//  * `proto` is copied for each thread (its data-count setting matters).
#pragma once
#include <vector>

#include "interp/decode/expr_scan.h"
#include "interp/module.h"
#include "interp/reader.h"

namespace wippy::decode {

bool scan_bodies(Reader& r, const ExprScanner& proto, const std::vector<FuncBody>& codes);

}  // namespace wippy::decode
