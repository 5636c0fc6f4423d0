// decode.cpp — decode_module(): header, section sequence and order, section
// sizes, and the whole-module consistency checks (function/code and data
// count/data lengths). Section contents are read by SectionDecoder.
#include "interp/decode/decode.h"

#include <fmt/format.h>

#include <cstring>

#include "interp/decode/name_section.h"
#include "interp/decode/primitives.h"
#include "interp/decode/scan_bodies.h"
#include "interp/decode/sections.h"

namespace wippy {

namespace {

constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6D};
constexpr uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};
constexpr uint8_t kMaxSectionId = 13;

Error malformed(std::string msg) { return make_error(ErrorKind::Malformed, std::move(msg)); }

Error malformed_at(std::string_view msg, size_t offset) {
  return malformed(fmt::format("{} at offset {}", msg, offset));
}

// Position of each non-custom section id in the required order; the data
// count section (12) sits between element (9) and code (10), the tag
// section (13) between memory (5) and global (6).
int section_order(uint8_t id) {
  switch (id) {
    case 12: return 19;
    case 10: return 20;
    case 11: return 21;
    case 13: return 11;
    default: return 2 * id;  // 1..9
  }
}

bool decode_section(decode::SectionDecoder& d, uint8_t id, uint32_t start, uint32_t size) {
  switch (id) {
    case 0: return d.decode_custom(start, size);
    case 1: return d.decode_types();
    case 2: return d.decode_imports();
    case 3: return d.decode_functions();
    case 4: return d.decode_tables();
    case 5: return d.decode_memories();
    case 6: return d.decode_globals();
    case 7: return d.decode_exports();
    case 8: return d.decode_start();
    case 9: return d.decode_elements();
    case 10: return d.decode_code();
    case 11: return d.decode_data();
    case 12: return d.decode_data_count();
    case 13: return d.decode_tags();
    default: return false;
  }
}

}  // namespace

Result<Module> decode_module(std::span<const uint8_t> bytes, DecodeOptions options) {
  return decode_module(SharedBytes::copy_of(bytes), options);
}

Result<void> scan_function_bodies(const Module& m) {
  Reader r(m.bytes.span(), 0);
  decode::ExprScanner scanner;
  scanner.set_has_data_count(m.data_count.has_value());  // its section precedes code
  if (!decode::scan_bodies(r, scanner, m.codes)) return malformed(decode::spec_eof_message(r.error()));
  return {};
}

Result<Module> decode_module(SharedBytes bytes, DecodeOptions options) {
  if (bytes.size() > 0xFFFFFFFFu) return malformed("module too large (over 4 GiB)");
  if (bytes.size() < 4) return malformed_at("unexpected end", bytes.size());
  if (std::memcmp(bytes.data(), kMagic, 4) != 0) return malformed_at("magic header not detected", 0);
  if (bytes.size() < 8) return malformed_at("unexpected end", bytes.size());
  if (std::memcmp(bytes.data() + 4, kVersion, 4) != 0) return malformed_at("unknown binary version", 4);

  Module m;
  m.bytes = std::move(bytes);
  Reader r(m.bytes.span(), 0);
  r.seek(8);
  decode::SectionDecoder d(r, m, options.scan_bodies);
  // An error after the code section loses to a malformed body there.
  auto failed = [&m](Error e) -> Error {
    if (m.bodies_scanned) return e;
    auto bodies = scan_function_bodies(m);
    return bodies ? e : bodies.error();
  };
  const uint32_t total = uint32_t(m.bytes.size());

  int last_order = 0;
  while (!r.at_end() && r.ok()) {
    uint32_t id_pos = r.pos();
    uint8_t id = r.u8();
    if (id > kMaxSectionId) {
      decode::fail_at(r, id_pos, fmt::format("malformed section id {}", id));
      break;
    }
    if (id != 0) {
      int order = section_order(id);
      if (order <= last_order) {
        decode::fail_at(r, id_pos, "unexpected content after last section (section out of order)");
        break;
      }
      last_order = order;
    }
    uint32_t size = decode::read_len(r, total);
    if (!r.ok()) break;
    uint32_t start = r.pos();
    if (!decode_section(d, id, start, size)) break;
    if (r.pos() != start + size) {
      decode::fail_at(r, start, fmt::format("section size mismatch (section {} declares {} bytes, "
                                            "contents take {})",
                                            id, size, r.pos() - start));
      break;
    }
  }
  if (!r.ok()) return failed(malformed(decode::spec_eof_message(r.error())));

  if (m.funcs.size() != m.codes.size())
    return failed(malformed_at(fmt::format("function and code section have inconsistent lengths "
                                           "({} functions, {} bodies)",
                                           m.funcs.size(), m.codes.size()),
                               total));
  if (m.data_count && *m.data_count != m.datas.size())
    return failed(malformed_at(fmt::format("data count and data section have inconsistent lengths "
                                           "({} declared, {} segments)",
                                           *m.data_count, m.datas.size()),
                               total));

  for (const CustomSection& c : m.customs)
    if (c.name == "name") decode::read_function_names(m, c);
  return m;
}

}  // namespace wippy
