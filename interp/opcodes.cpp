// opcodes.cpp — lookup tables from encodings and mnemonics to Op.
#include "opcodes.h"

#include <array>
#include <string_view>
#include <unordered_map>

namespace wippy {
namespace {

struct Tables {
  std::unordered_map<uint32_t, Op> prefixed;  // (prefix << 24) | code
  std::unordered_map<std::string_view, Op> by_text;
  Tables() {
    for (uint16_t i = 0; i < kOpCount; ++i) {
      const OpInfo& info = kOpInfo[i];
      Op op = static_cast<Op>(i);
      if (info.prefix != 0)
        prefixed.emplace((uint32_t(info.prefix) << 24) | info.code, op);
      by_text.emplace(info.text, op);  // first entry wins: "select" -> Select
    }
  }
};

const Tables& tables() {
  static const Tables t;  // immutable after construction
  return t;
}

}  // namespace

std::optional<Op> op_from_prefixed(uint8_t prefix, uint32_t code) {
  if (code > 0xFFFFFF) return std::nullopt;
  auto& m = tables().prefixed;
  auto it = m.find((uint32_t(prefix) << 24) | code);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::optional<Op> op_from_text(std::string_view text) {
  auto& m = tables().by_text;
  auto it = m.find(text);
  if (it == m.end()) return std::nullopt;
  return it->second;
}


}  // namespace wippy
