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
  Decoder(std::span<const uint8_t> bytes, uint32_t base, uint32_t depth, CoreModuleReuse* reuse)
      : r_(bytes, base), depth_(depth), reuse_(reuse) {}

  Result<Component> run();
  // Decodes into c_ (run() moves it out; nested_component() too).
  Result<void> run_body();

 private:
  Reader r_;
  uint32_t depth_;
  CoreModuleReuse* reuse_;  // may be null
  Component c_;
  std::string error_;  // a complete message from a nested decoder

  bool ok() const { return r_.ok(); }
  void fail(const std::string& msg) { r_.fail(msg); }
  void fail_at(uint32_t rel, const std::string& msg) {
    r_.seek(rel);
    r_.fail(msg);
  }
  void unsupported(uint32_t rel, const std::string& what) { fail_at(rel, "unsupported: " + what); }

  uint8_t byte() { return r_.u8(); }
  uint32_t u32() { return r_.u32(); }
  // A vector count; each element takes at least one byte.
  uint32_t count() {
    uint32_t at = r_.pos();
    uint32_t n = r_.u32();
    if (ok() && n > r_.remaining())
      fail_at(at, fmt::format("unexpected end-of-file: vector count {} exceeds the {} bytes left", n, r_.remaining()));
    return ok() ? n : 0;
  }
  std::string name() { return r_.name(); }

  void add(Sort s, Origin o, uint32_t item) { c_.spaces[size_t(s)].push_back({o, item}); }
  void note(Origin o, uint32_t item, uint32_t offset) { c_.order.push_back({o, item, offset}); }

  std::shared_ptr<const Module> premade_module(std::span<const uint8_t> payload);
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
