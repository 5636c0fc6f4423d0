// scope.h — one naming and output scope of the component text encoder: a
// component, a component type, an instance type or a core module type.
// A scope owns its identifier maps (one per Sort), the number of entries in
// each index space, and the bytes it has produced so far: sections for a
// component (consecutive items of one section kind are batched), counted
// declarators for the type scopes. Scopes form a chain through `parent`
// (non-owning; the parent outlives its children) for outer aliases.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "component/types.h"
#include "interp/text/binary_writer.h"

namespace wippy::component::text {

using Bytes = wippy::Bytes;

struct NameSpace {
  std::unordered_map<std::string, uint32_t> names;
  uint32_t count = 0;
};

struct Scope {
  enum class Kind : uint8_t { Component, ComponentType, InstanceType, CoreModuleType };

  Kind kind = Kind::Component;
  Scope* parent = nullptr;
  std::string label;  // the scope's `$id`, if any (for `alias outer $id ...`)
  std::array<NameSpace, kNumSorts> spaces;

  // Component: finished sections plus the section being batched.
  Bytes sections;
  uint8_t open_section = 0xff;
  uint32_t open_count = 0;
  Bytes open_body;

  // Type scopes: encoded declarators and how many.
  Bytes decls;
  uint32_t decl_count = 0;

  NameSpace& space(Sort s) { return spaces[size_t(s)]; }
  bool is_type_scope() const { return kind != Kind::Component; }

  // Appends one item of section `id` (Component scopes).
  void add_section_item(uint8_t id, const Bytes& item) {
    if (id != open_section || id == 1 || id == 4 || id == 9) flush();
    open_section = id;
    ++open_count;
    wippy::put_bytes(open_body, item);
    if (id == 1 || id == 4 || id == 9) flush();  // not vectors: one per section
  }
  void flush() {
    if (open_section == 0xff) return;
    Bytes content;
    if (open_section != 1 && open_section != 4 && open_section != 9) wippy::put_u32(content, open_count);
    wippy::put_bytes(content, open_body);
    sections.push_back(open_section);
    wippy::put_u32(sections, content.size());
    wippy::put_bytes(sections, content);
    open_section = 0xff;
    open_count = 0;
    open_body.clear();
  }
  void add_decl(const Bytes& d) {
    wippy::put_bytes(decls, d);
    ++decl_count;
  }
};

}  // namespace wippy::component::text
