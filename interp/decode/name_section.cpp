// name_section.cpp — function names from the "name" custom section.
#include "interp/decode/name_section.h"

#include "interp/reader.h"

namespace wippy::decode {

void read_function_names(Module& m, const CustomSection& section) {
  Reader r(m.span(section.begin, section.end), section.begin);
  const uint32_t num_funcs = m.num_funcs();
  while (!r.at_end() && r.ok()) {
    uint8_t id = r.u8();
    uint32_t size = r.u32();
    if (!r.ok() || size > r.remaining()) return;
    uint32_t sub_begin = r.pos();
    if (id != 1) {  // only function names (subsection 1) are used
      r.bytes(size);
      continue;
    }
    Reader sub(m.span(section.begin + sub_begin, section.begin + sub_begin + size),
               section.begin + sub_begin);
    uint32_t count = sub.u32();
    if (!sub.ok() || count > sub.remaining()) return;
    if (m.func_names.size() < num_funcs) m.func_names.resize(num_funcs);
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t index = sub.u32();
      std::string name = sub.name();
      if (!sub.ok()) return;
      if (index < num_funcs) m.func_names[index] = std::move(name);
    }
    r.bytes(size);
  }
}

}  // namespace wippy::decode
