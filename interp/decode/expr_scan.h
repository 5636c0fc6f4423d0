// expr_scan.h — walks an instruction sequence (function body or constant
// expression) up to the `end` that closes it, checking that every opcode and
// immediate is well formed. It tracks block nesting so that `else` outside
// an `if` and a missing `end` are reported the way the reference interpreter
// does ("END opcode expected"). It does not type-check anything.
#pragma once
#include <cstdint>
#include <vector>

#include "interp/reader.h"

namespace wippy::decode {

class ExprScanner {
 public:
  // In a function body, memory.init, data.drop, array.new_data and
  // array.init_data need a data count section ("data count section
  // required"); set this once that section has been seen. (In a constant
  // expression they are the validator's: not constant.)
  void set_has_data_count(bool v) { has_data_count_ = v; }

  // Reads from r (positioned at the first instruction) through the final
  // `end`; `body`: a function body, else a constant expression. Returns
  // false with the error recorded in r.
  bool scan(Reader& r, bool body);

 private:
  enum Frame : uint8_t { Plain, IfThen, IfElse };
  Instr instr_;                 // reused to avoid per-instruction allocation
  std::vector<Frame> frames_;   // reused across calls
  bool has_data_count_ = false;
};

}  // namespace wippy::decode
