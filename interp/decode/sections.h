// sections.h — decoders for the contents of each known section (ids 0..12).
// A SectionDecoder reads from a Reader over the whole module and appends what
// it decodes to the Module; the caller handles section ids, order and sizes.
// Each decode_* returns false with the error recorded in the Reader.
#pragma once
#include <cstdint>

#include "interp/decode/expr_scan.h"
#include "interp/module.h"
#include "interp/reader.h"

namespace wippy::decode {

class SectionDecoder {
 public:
  // `scan_bodies` false: the code section's bodies are not scanned (see
  // DecodeOptions in decode.h); Module::bodies_scanned says so.
  SectionDecoder(Reader& r, Module& m, bool scan_bodies = true)
      : r_(r), m_(m), total_(uint32_t(m.bytes.size())), scan_bodies_(scan_bodies) {}

  // Custom section whose contents span [start, start + size).
  bool decode_custom(uint32_t start, uint32_t size);
  bool decode_types();
  bool decode_imports();
  bool decode_functions();
  bool decode_tables();
  bool decode_memories();
  bool decode_tags();  // section 13 (exception handling): attribute 0, type index
  bool decode_globals();
  bool decode_exports();
  bool decode_start();
  bool decode_elements();
  bool decode_data_count();
  bool decode_code();
  bool decode_data();

 private:
  Reader& r_;
  Module& m_;
  uint32_t total_;
  bool scan_bodies_;
  ExprScanner scanner_;

  bool const_expr(ConstExpr& out);
  bool tag_type(uint32_t& type_index);
  bool sub_type(uint8_t form);  // one subtype whose first byte `form` was read
  bool field_type(FieldType& f);
  bool func_indices(std::vector<uint32_t>& out);
  bool elem_kind();
  bool body_header(FuncBody& out, uint32_t& start, uint32_t& end);
};

}  // namespace wippy::decode
