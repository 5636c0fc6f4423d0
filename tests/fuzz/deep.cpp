// deep.cpp — deeply nested fuzz inputs (deep.h).
#include "tests/fuzz/deep.h"

#include <cstdint>
#include <vector>

namespace wippy::fuzz {

namespace {

// A nesting depth: mostly next to a limit (100 component type levels, 128
// JSON levels, 64 decoder levels, 100 inline text levels), else anywhere.
uint32_t pick_depth(Rng& rng) {
  static constexpr uint32_t kLimits[] = {64, 100, 128, 200, 205, 512};
  if (rng.chance(60)) return kLimits[rng.below(std::size(kLimits))] - 1 + uint32_t(rng.below(3));
  if (rng.chance(50)) return 1 + uint32_t(rng.below(2000));
  return 1 + uint32_t(rng.below(100000));
}

std::string repeat(std::string_view s, uint32_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (uint32_t i = 0; i < n; ++i) out += s;
  return out;
}

void put_name(std::vector<uint8_t>& out, std::string_view s) {
  put_leb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void put_section(std::vector<uint8_t>& out, uint8_t id, const std::vector<uint8_t>& payload) {
  out.push_back(id);
  put_leb(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

std::string as_string(const std::vector<uint8_t>& b) { return std::string(b.begin(), b.end()); }

// A core module exporting f, whose body nests `depth` blocks, loops or ifs.
std::string core_blocks(uint32_t depth, Rng& rng) {
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  put_section(m, 1, {0x01, 0x60, 0x00, 0x00});  // (func)
  put_section(m, 3, {0x01, 0x00});
  std::vector<uint8_t> exp = {0x01};
  put_name(exp, "f");
  exp.push_back(0x00);
  exp.push_back(0x00);
  put_section(m, 7, exp);
  std::vector<uint8_t> body = {0x00};  // no locals
  unsigned kind = unsigned(rng.below(3));
  for (uint32_t i = 0; i < depth; ++i) {
    if (kind == 0) body.insert(body.end(), {0x02, 0x40});              // block
    else if (kind == 1) body.insert(body.end(), {0x03, 0x40});         // loop
    else body.insert(body.end(), {0x41, uint8_t(i & 1), 0x04, 0x40});  // i32.const; if
  }
  for (uint32_t i = 0; i <= depth; ++i) body.push_back(0x0b);
  std::vector<uint8_t> code = {0x01};
  put_leb(code, body.size());
  code.insert(code.end(), body.begin(), body.end());
  put_section(m, 10, code);
  return as_string(m);
}

// A type index as a component valtype: padded to two bytes so that indices
// 64..127 are not read as primitive type bytes.
void put_index(std::vector<uint8_t>& out, uint32_t i) { put_leb(out, i, 2); }

// A component whose type section nests `depth` value types by index (each
// type wraps the one before), or `depth` instance types by value.
std::string component_types(uint32_t depth, Rng& rng) {
  std::vector<uint8_t> c = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  std::vector<uint8_t> types;
  unsigned kind = unsigned(rng.below(7));
  if (kind == 6) {
    // (instance (type (instance (type ... (instance)))))
    put_leb(types, 1);
    for (uint32_t i = 0; i < depth; ++i) types.insert(types.end(), {0x42, 0x01, 0x01});
    types.insert(types.end(), {0x42, 0x00});
  } else {
    put_leb(types, depth + 1);
    types.push_back(0x79);  // type 0 = u32 (a defined primitive)
    for (uint32_t i = 1; i <= depth; ++i) {
      switch (kind) {
        case 0: types.push_back(0x6b); put_index(types, i - 1); break;                     // option
        case 1: types.push_back(0x70); put_index(types, i - 1); break;                     // list
        case 2: types.insert(types.end(), {0x6a, 0x01}); put_index(types, i - 1); types.push_back(0x00); break;
        case 3: types.insert(types.end(), {0x6f, 0x01}); put_index(types, i - 1); break;  // tuple
        case 4:                                                                           // record
          types.insert(types.end(), {0x72, 0x01});
          put_name(types, "f");
          put_index(types, i - 1);
          break;
        default:  // variant with one payload case
          types.insert(types.end(), {0x71, 0x01});
          put_name(types, "c");
          types.push_back(0x01);
          put_index(types, i - 1);
          types.push_back(0x00);
          break;
      }
    }
  }
  put_section(c, 7, types);
  return as_string(c);
}

std::string wat_blocks(uint32_t depth, Rng& rng) {
  switch (rng.below(3)) {
    case 0: return "(module (func (export \"f\") " + repeat("(block ", depth) + repeat(")", depth) + "))";
    case 1:
      return "(module (func (export \"f\") (result i32) " + repeat("(i32.add (i32.const 1) ", depth) +
             "(i32.const 0)" + repeat(")", depth) + "))";
    default: return "(module (func (export \"f\") " + repeat("block ", depth) + repeat("end ", depth) + "))";
  }
}

std::string cwat_types(uint32_t depth, Rng& rng) {
  switch (rng.below(4)) {
    case 0: {  // a chain by index
      std::string s = "(component (type (option u32))";
      for (uint32_t i = 1; i < depth; ++i) s += " (type (option " + std::to_string(i - 1) + "))";
      return s + ")";
    }
    case 1: return "(component (type " + repeat("(option ", depth) + "u32" + repeat(")", depth + 1) + ")";
    case 2: return "(component (type " + repeat("(instance (type ", depth) + "(instance)" + repeat("))", depth) + "))";
    default: return repeat("(component ", depth) + repeat(")", depth);
  }
}

std::string json_nest(uint32_t depth, Rng& rng) {
  switch (rng.below(3)) {
    case 0: return repeat("[", depth) + repeat("]", depth);
    case 1: return repeat("{\"a\":", depth) + "1" + repeat("}", depth);
    default: return repeat("[{\"k\":", depth) + "null" + repeat("}]", depth);
  }
}

std::string yaml_nest(uint32_t depth, Rng& rng) {
  std::string head = "version: \"1.0\"\nnamespace: deep\nentries:\n  - name: a\n    kind: fs.directory\n"
                     "    directory: .\n    meta: ";
  switch (rng.below(3)) {
    case 0: return head + repeat("[", depth) + repeat("]", depth) + "\n";
    case 1: return head + repeat("{a: ", depth) + "1" + repeat("}", depth) + "\n";
    default: {  // block mappings, two more spaces per level (kept small: the text grows as depth^2)
      std::string s = head + "\n";
      uint32_t d = depth % 3000;
      for (uint32_t i = 0; i < d; ++i) s += std::string(6 + 2 * i, ' ') + "a:\n";
      return s + std::string(6 + 2 * d, ' ') + "x\n";
    }
  }
}

}  // namespace

std::string deep_option_types(uint32_t depth) {
  std::vector<uint8_t> c = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  std::vector<uint8_t> types;
  put_leb(types, depth + 1);
  types.push_back(0x79);
  for (uint32_t i = 1; i <= depth; ++i) {
    types.push_back(0x6b);
    put_index(types, i - 1);
  }
  put_section(c, 7, types);
  return as_string(c);
}

std::string deep_option_func_text(uint32_t depth) {
  std::string s =
      "(component\n"
      "  (core module $m\n"
      "    (memory (export \"mem\") 1)\n"
      "    (func (export \"realloc\") (param i32 i32 i32 i32) (result i32) (i32.const 0))\n"
      "    (func (export \"f\") (param i32) (result i32) (i32.const 0)))\n"
      "  (core instance $i (instantiate $m))\n"
      "  (alias core export $i \"mem\" (core memory $mem))\n"
      "  (alias core export $i \"realloc\" (core func $realloc))\n"
      "  (type (option u32))\n";
  for (uint32_t i = 1; i < depth; ++i) s += "  (type (option " + std::to_string(i - 1) + "))\n";
  std::string top = std::to_string(depth - 1);
  s += "  (type $ft (func (param \"x\" " + top + ") (result " + top + ")))\n";
  s += "  (func $f (type $ft) (canon lift (core func $i \"f\") (memory $mem) (realloc $realloc)))\n";
  s += "  (export \"f\" (func $f)))\n";
  return s;
}

std::string deep_json_array(uint32_t depth) { return repeat("[", depth) + repeat("]", depth); }

std::string deep_input(const std::string& target, Rng& rng) {
  uint32_t depth = pick_depth(rng);
  std::string out;
  if (target == "core") out = core_blocks(depth, rng);
  else if (target == "component") out = component_types(depth, rng);
  else if (target == "wat") out = wat_blocks(depth, rng);
  else if (target == "cwat") out = cwat_types(depth, rng);
  else if (target == "json") out = json_nest(depth, rng);
  else if (target == "yaml") out = yaml_nest(depth, rng);
  else return out;
  // Sometimes damage it: cut it short, or change one byte.
  if (!out.empty() && rng.chance(20)) out.resize(rng.below(out.size()));
  else if (!out.empty() && rng.chance(10)) out[rng.below(out.size())] = char(rng.next());
  return out;
}

}  // namespace wippy::fuzz
