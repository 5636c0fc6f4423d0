// branch_hints.cpp — the "metadata.code.branch_hint" check; see branch_hints.h.
#include "interp/decode/branch_hints.h"

#include <fmt/format.h>

#include <optional>
#include <vector>

#include "interp/opcodes.h"
#include "interp/reader.h"

namespace wippy::decode {
namespace {

constexpr std::string_view kSection = "metadata.code.branch_hint";

Error invalid(std::string_view what) { return make_error(ErrorKind::Invalid, fmt::format("{} section: {}", kSection, what)); }

// Where each defined function's body (its local declarations) starts in
// m.bytes: the code section walked again, as the decoder keeps only where
// the instructions start.
std::vector<uint32_t> body_starts(const Module& m) {
  std::vector<uint32_t> out;
  Reader r(m.bytes, 0);
  r.seek(8);
  while (!r.at_end() && r.ok()) {
    uint8_t id = r.u8();
    uint32_t size = r.u32();
    if (!r.ok() || size > r.remaining()) return {};
    if (id != 10) {
      r.bytes(size);
      continue;
    }
    uint32_t count = r.u32();
    for (uint32_t i = 0; i < count && r.ok(); ++i) {
      uint32_t body_size = r.u32();
      if (!r.ok() || body_size > r.remaining()) return {};
      out.push_back(r.pos());
      r.bytes(body_size);
    }
    break;
  }
  return out;
}

// Walks one function body forward: at(offset) tells which instruction
// starts at that absolute offset, if one does. Offsets must not decrease
// (the section's hints are checked in increasing order), so a function's
// hints cost one pass over its body.
class InstrWalk {
 public:
  InstrWalk(const Module& m, const FuncBody& b) : r_(m.span(b.code_begin, b.code_end), b.code_begin) {}
  std::optional<Op> at(uint64_t offset) {
    while (ok_ && !r_.at_end() && r_.offset() < offset) ok_ = read_instr(r_, in_);
    if (!ok_ || r_.at_end() || r_.offset() != offset) return std::nullopt;
    Reader peek = r_;
    Instr in;
    if (!read_instr(peek, in)) return std::nullopt;
    return in.op;
  }

 private:
  Reader r_;
  Instr in_;
  bool ok_ = true;
};

}  // namespace

Result<void> check_branch_hints(const Module& m) {
  const CustomSection* section = nullptr;
  for (const CustomSection& c : m.customs)
    if (c.name == kSection) section = &c;
  if (!section) return {};
  std::vector<uint32_t> starts = body_starts(m);
  Reader r(m.span(section->begin, section->end), section->begin);
  uint32_t funcs = r.u32();
  std::optional<uint32_t> prev_func;
  for (uint32_t f = 0; f < funcs && r.ok(); ++f) {
    uint32_t func = r.u32();
    if (!r.ok()) break;
    if (prev_func && func <= *prev_func) return invalid(fmt::format("function {} out of order", func));
    prev_func = func;
    if (func < m.num_imported_funcs() || func >= m.num_funcs())
      return invalid(fmt::format("invalid function index {}", func));
    uint32_t defined = func - m.num_imported_funcs();
    if (defined >= starts.size()) return invalid("no code section");
    InstrWalk walk(m, m.codes[defined]);
    uint32_t hints = r.u32();
    std::optional<uint32_t> prev_offset;
    for (uint32_t h = 0; h < hints && r.ok(); ++h) {
      uint32_t offset = r.u32();
      uint32_t size = r.u32();
      uint8_t value = r.u8();
      if (!r.ok()) break;
      if (size != 1) return invalid(fmt::format("function {}: hint payload of {} bytes", func, size));
      if (value > 1) return invalid(fmt::format("function {}: invalid hint value {}", func, value));
      if (prev_offset && offset <= *prev_offset)
        return make_error(ErrorKind::Invalid, fmt::format("@metadata.code.branch_hint annotation: invalid order "
                                                          "(function {}, offset {})", func, offset));
      prev_offset = offset;
      std::optional<Op> op = walk.at(uint64_t(starts[defined]) + offset);
      if (op != Op::If && op != Op::BrIf)
        return make_error(ErrorKind::Invalid,
                          fmt::format("@metadata.code.branch_hint annotation: invalid target (function {}, offset {}: {})",
                                      func, offset, op ? op_info(*op).text : "not an instruction's start"));
    }
  }
  if (!r.ok()) return invalid(r.error());
  if (!r.at_end()) return invalid("unexpected bytes after the last function");
  return {};
}

}  // namespace wippy::decode
