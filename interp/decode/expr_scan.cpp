// expr_scan.cpp — instruction-sequence scanning with block nesting.
#include "interp/decode/expr_scan.h"

#include "interp/decode/primitives.h"

namespace wippy::decode {

bool ExprScanner::scan(Reader& r, bool body) {
  frames_.clear();
  frames_.push_back(Plain);  // the implicit outermost block
  while (!frames_.empty()) {
    if (!read_instr(r, instr_)) return false;
    uint32_t at = instr_.offset - (r.offset() - r.pos());  // relative position
    switch (instr_.op) {
      case Op::Block:
      case Op::Loop:
      case Op::TryTable:
      case Op::Try:
        frames_.push_back(Plain);
        break;
      case Op::Delegate:  // ends a legacy try block, as `end` does
        frames_.pop_back();
        break;
      case Op::If:
        frames_.push_back(IfThen);
        break;
      case Op::Else:
        if (frames_.back() != IfThen) {
          fail_at(r, at, "END opcode expected");
          return false;
        }
        frames_.back() = IfElse;
        break;
      case Op::End:
        frames_.pop_back();
        break;
      case Op::MemoryInit:
      case Op::DataDrop:
      case Op::ArrayNewData:
      case Op::ArrayInitData:
        if (body && !has_data_count_) {
          fail_at(r, at, "data count section required");
          return false;
        }
        break;
      default:  // 3.0: memarg flags below 2^7 decode (read_instr); alignment is the validator's
        break;
    }
  }
  return true;
}

}  // namespace wippy::decode
