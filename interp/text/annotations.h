// annotations.h — the contents of the annotations the text encoder places
// (the annotations proposal's appendix, worded as the reference interpreter
// words its errors):
// - `(@custom "name" (before|after SECTION)? "bytes"*)`: a custom section,
//   placed before or after a section kind (`first`/`last` too; default:
//   after the last section);
// - `(@name "text")`: a module, function or tag name for the "name" section;
// - `(@metadata.code.branch_hint "\00"|"\01")`: unlikely/likely, for the
//   `if` or `br_if` that follows it.
// The parse_* functions only read an annotation's items: where it stands is
// the module parser's concern. Errors are Malformed, "LINE:COL: message".
// The encode_* functions build the custom sections' payloads.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "interp/text/binary_writer.h"
#include "interp/text/lexer.h"

namespace wippy::text {

// Section kinds in binary order (tags sit between memories and globals,
// the data count before the code).
enum class SectionSlot : uint8_t {
  Type, Import, Func, Table, Memory, Tag, Global, Export, Start, Elem, DataCount, Code, Data
};
inline constexpr SectionSlot kSectionSlots[] = {
    SectionSlot::Type,   SectionSlot::Import, SectionSlot::Func,  SectionSlot::Table, SectionSlot::Memory,
    SectionSlot::Tag,    SectionSlot::Global, SectionSlot::Export, SectionSlot::Start, SectionSlot::Elem,
    SectionSlot::DataCount, SectionSlot::Code, SectionSlot::Data};

struct CustomPlace {
  bool after = true;
  SectionSlot slot = SectionSlot::Data;  // default: after the last section
  bool operator==(const CustomPlace&) const = default;
};

struct CustomAnnotation {
  std::string name;
  CustomPlace place;
  std::string content;
};

Result<CustomAnnotation> parse_custom_annotation(const Annotation& a);
// The name's text (valid UTF-8).
Result<std::string> parse_name_annotation(const Annotation& a);
// 0 (unlikely) or 1 (likely).
Result<uint8_t> parse_branch_hint_annotation(const Annotation& a);

// "LINE:COL: message" at the annotation's `(@`.
Error annotation_error(const Annotation& a, std::string_view message);

// Names from @name annotations, by index.
struct NameAnnotations {
  std::optional<std::string> module;
  std::map<uint32_t, std::string> funcs, tags;
  bool empty() const { return !module && funcs.empty() && tags.empty(); }
};
// The "name" section's payload: subsections 0 (module), 1 (functions) and
// 11 (tags), those present.
Bytes encode_name_section(const NameAnnotations& names);

// Branch hints by function index: (offset from the start of the function's
// body, i.e. its local declarations, hint value), in any order.
using BranchHints = std::map<uint32_t, std::vector<std::pair<uint32_t, uint8_t>>>;
// The "metadata.code.branch_hint" section's payload, offsets ascending.
Bytes encode_branch_hint_section(BranchHints hints);

// A custom section (id 0) with `name` and `content` appended to `out`.
void put_custom_section(Bytes& out, std::string_view name, std::string_view content);

}  // namespace wippy::text
