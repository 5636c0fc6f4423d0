// decode_impl.h — component/ internal: the component binary decoder
// shared by the decode*.cpp files. One Decoder per component (nested
// components get their own over the section payload); every read goes
// through a bounds-checked Reader, and the first failure stops decoding.
//
// Decoder's member functions are defined by construct:
//   decode_types.cpp  value, defined, function, component and instance
//                     types; core types
//   decode_items.cpp  sorts, extern names and descriptions, aliases,
//                     canon definitions
//   decode.cpp        the preamble, the sections, nested components and
//                     core modules, decode_component()
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "component/decode.h"
#include "interp/reader.h"

namespace wippy::component::decode_detail {

inline constexpr uint32_t kMaxDepth = kMaxComponentNesting;  // nested components and type declarators

class Decoder {
 public:
  // `whole`: the outermost component's bytes, which `bytes` lies in (core
  // modules are slices of it); it outlives the decoder.
  // `core`: how core modules are decoded (decode_component).
  Decoder(const SharedBytes& whole, std::span<const uint8_t> bytes, uint32_t base, uint32_t depth,
          CoreModuleReuse* reuse, DecodeOptions core = {})
      : whole_(whole), reader_(bytes, base), depth_(depth), reuse_(reuse), core_(core) {}

  Result<Component> run();
  // Decodes into component_ (run() moves it out; nested_component() too).
  Result<void> run_body();
  Result<void> run_sections();  // run_body before a malformed body is looked for

 private:
  const SharedBytes& whole_;
  Reader reader_;
  uint32_t depth_;
  CoreModuleReuse* reuse_;  // may be null
  DecodeOptions core_;
  Component component_;
  std::string error_;  // a complete message from a nested decoder

  bool ok() const { return reader_.ok(); }
  void fail(const std::string& msg) { reader_.fail(msg); }
  void fail_at(uint32_t rel, const std::string& msg) {
    reader_.seek(rel);
    reader_.fail(msg);
  }
  void unsupported(uint32_t rel, const std::string& what) { fail_at(rel, "unsupported: " + what); }

  uint8_t byte() { return reader_.u8(); }
  uint32_t u32() { return reader_.u32(); }
  // A vector count; each element takes at least one byte.
  uint32_t count() {
    uint32_t at = reader_.pos();
    uint32_t n = reader_.u32();
    if (ok() && n > reader_.remaining())
      fail_at(at, fmt::format("unexpected end-of-file: vector count {} exceeds the {} bytes left", n,
                              reader_.remaining()));
    return ok() ? n : 0;
  }
  std::string name() { return reader_.name(); }

  void add(Sort s, Origin o, uint32_t item) { component_.spaces[size_t(s)].push_back({o, item}); }
  void note(Origin o, uint32_t item, uint32_t offset) { component_.order.push_back({o, item, offset}); }

  std::shared_ptr<const Module> premade_module(const SharedBytes& payload);
  [[gnu::noinline]] void core_module(std::span<const uint8_t> payload, uint32_t abs);
  [[gnu::noinline]] void nested_component(std::span<const uint8_t> payload);
  [[gnu::noinline]] void section(uint8_t id, std::span<const uint8_t> payload);

  Sort core_sort();
  Sort sort();
  ValType valtype();
  std::optional<ValType> opt_valtype();
  TypeDef deftype(bool in_decl);
  TypeDef defvaltype(uint8_t b, uint32_t at);
  FuncType functype();
  ComponentType componenttype();
  InstanceType instancetype();
  // The declarations of a component type (imports allowed) or an instance type, one nesting level deeper.
  std::vector<Decl> typedecls(bool allow_imports);
  bool instancedecl(uint8_t b, uint32_t at, std::vector<Decl>& out);
  CoreTypeDef core_type();
  wippy::FuncType core_functype();
  CoreExternType core_externtype();
  ExternName extern_name();
  ExternDesc externtype();
  Alias alias();
  CanonOptions options();
  Canon canon();
};

}  // namespace wippy::component::decode_detail
