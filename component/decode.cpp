// decode.cpp — the component binary decoder (decode.h): the preamble and
// section loop, each section, nested components and core modules, and
// decode_component(). Decoder is declared in decode_impl.h; types and
// items are decoded in decode_types.cpp and decode_items.cpp.
#include "component/decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "component/decode_impl.h"
#include "interp/decode/decode.h"
#include "interp/decode/primitives.h"
#include "interp/reader.h"

namespace wippy::component::decode_detail {
namespace {

// A start section's result count is not backed by bytes (each result is a
// new value index), so it is bounded here; a component function has at most
// one result, and validation checks the exact count against its type.
constexpr uint32_t kMaxStartResults = 1000;

// The shared Reader says "unexpected end"; components word it as
// wasm-tools does.
Error malformed(std::string msg) {
  if (msg.starts_with("unexpected end") && !msg.starts_with("unexpected end-of-file"))
    msg = "unexpected end-of-file" + msg.substr(14);
  return make_error(ErrorKind::Malformed, std::move(msg));
}

}  // namespace

// A nested component section, kept out of section() (whose frame is
// large) so that each level of nesting costs little stack: run() ->
// nested_component() -> run(); the nested decoder and its result live on
// the heap.
void Decoder::nested_component(std::span<const uint8_t> payload) {
  uint32_t abs = reader_.offset();
  if (depth_ + 1 > kMaxDepth) {
    fail("component nesting too deep");
    return;
  }
  auto sub = std::make_unique<Decoder>(whole_, payload, abs, depth_ + 1, reuse_, core_);
  if (auto r = sub->run_body(); !r) {
    error_ = r.error().message;
    return;
  }
  uint32_t item = uint32_t(component_.components.size());
  component_.components.push_back(std::make_shared<const Component>(std::move(sub->component_)));
  add(Sort::Component, Origin::Component, item);
  note(Origin::Component, item, abs);
  reader_.seek(payload.size());
}

// A core module section: a premade module from the cache hook, else
// decoded; either way its bytes are a slice of the component's.
void Decoder::core_module(std::span<const uint8_t> payload, uint32_t abs) {
  const SharedBytes binary = whole_.share_or_copy(payload);
  std::shared_ptr<const Module> module = premade_module(binary);
  if (!module) {
    auto m = decode_module(binary, core_);
    if (!m) {
      error_ = fmt::format("in core module at offset {}: {}", abs, m.error().message);
      return;
    }
    module = std::make_shared<const Module>(std::move(*m));
  }
  if (reuse_) reuse_->seen.push_back(module);
  uint32_t item = uint32_t(component_.core_modules.size());
  component_.core_modules.push_back(std::move(module));
  add(Sort::CoreModule, Origin::CoreModule, item);
  note(Origin::CoreModule, item, abs);
  reader_.seek(payload.size());
}

std::shared_ptr<const Module> Decoder::premade_module(const SharedBytes& payload) {
  if (!reuse_ || !reuse_->premade) return nullptr;
  auto m = reuse_->premade(reuse_->seen.size(), payload);
  if (m) ++reuse_->reused;
  return m;
}
// Decodes one section whose payload is the current Reader (already bounded).
void Decoder::section(uint8_t id, std::span<const uint8_t> payload) {
  uint32_t abs = reader_.offset();
  switch (id) {
    case 0:  // custom: a name, then anything
      name();
      reader_.seek(payload.size());
      return;
    case 1: {  // core module
      if (payload.size() >= 8 && payload[6] == 0x01 && payload[7] == 0x00) {
        error_ = fmt::format("in core module at offset {}: expected a version header for a module, found a "
                             "component's",
                             abs);
        return;
      }
      core_module(payload, abs);
      return;
    }
    case 4: nested_component(payload); return;
    case 9: {  // start
      Start s;
      s.func = u32();
      uint32_t n = count();
      for (uint32_t i = 0; i < n && ok(); ++i) s.args.push_back(u32());
      uint32_t results_at = reader_.pos();
      s.results = u32();
      if (ok() && s.results > kMaxStartResults)
        fail_at(results_at, fmt::format("start function declares {} results (at most {})", s.results, kMaxStartResults));
      if (!ok()) return;
      uint32_t item = uint32_t(component_.starts.size());
      for (uint32_t i = 0; i < s.results; ++i) add(Sort::Value, Origin::Start, item);
      component_.starts.push_back(std::move(s));
      note(Origin::Start, item, abs);
      return;
    }
    default: break;
  }
  // The remaining sections are vectors of items.
  uint32_t n = count();
  for (uint32_t i = 0; i < n && ok(); ++i) {
    uint32_t at = reader_.offset();
    switch (id) {
      case 2: {  // core instance
        CoreInstance ci;
        uint32_t kat = reader_.pos();
        uint8_t k = byte();
        if (k == 0x00) {
          ci.module = u32();
          uint32_t m = count();
          for (uint32_t j = 0; j < m && ok(); ++j) {
            CoreInstanceArg a;
            a.name = name();
            uint32_t sat = reader_.pos();
            uint8_t s = byte();
            if (ok() && s != 0x12) {
              fail_at(sat, fmt::format("invalid leading byte ({:#x}) for instantiation arg kind", s));
              break;
            }
            a.instance = u32();
            ci.args.push_back(std::move(a));
          }
        } else if (k == 0x01) {
          ci.instantiate = false;
          uint32_t m = count();
          for (uint32_t j = 0; j < m && ok(); ++j) {
            CoreInlineExport e;
            e.name = name();
            e.item.sort = core_sort();
            e.item.index = u32();
            ci.exports.push_back(std::move(e));
          }
        } else if (ok()) {
          fail_at(kat, fmt::format("invalid leading byte ({:#x}) for core instance", k));
        }
        if (!ok()) return;
        uint32_t item = uint32_t(component_.core_instances.size());
        component_.core_instances.push_back(std::move(ci));
        add(Sort::CoreInstance, Origin::CoreInstance, item);
        note(Origin::CoreInstance, item, at);
        break;
      }
      case 3: {  // core type
        CoreTypeDef t = core_type();
        if (!ok()) return;
        uint32_t item = uint32_t(component_.core_types.size());
        component_.core_types.push_back(std::move(t));
        add(Sort::CoreType, Origin::CoreType, item);
        note(Origin::CoreType, item, at);
        break;
      }
      case 5: {  // instance
        Instance inst;
        uint32_t kat = reader_.pos();
        uint8_t k = byte();
        if (k == 0x00) {
          inst.component = u32();
          uint32_t m = count();
          for (uint32_t j = 0; j < m && ok(); ++j) {
            InstanceArg a;
            a.name = name();
            a.item.sort = sort();
            a.item.index = u32();
            inst.args.push_back(std::move(a));
          }
        } else if (k == 0x01) {
          inst.instantiate = false;
          uint32_t m = count();
          for (uint32_t j = 0; j < m && ok(); ++j) {
            InlineExport e;
            e.name = extern_name();
            e.item.sort = sort();
            e.item.index = u32();
            inst.exports.push_back(std::move(e));
          }
        } else if (ok()) {
          fail_at(kat, fmt::format("invalid leading byte ({:#x}) for instance", k));
        }
        if (!ok()) return;
        uint32_t item = uint32_t(component_.instances.size());
        component_.instances.push_back(std::move(inst));
        add(Sort::Instance, Origin::Instance, item);
        note(Origin::Instance, item, at);
        break;
      }
      case 6: {  // alias
        Alias a = alias();
        if (!ok()) return;
        uint32_t item = uint32_t(component_.aliases.size());
        add(a.sort, Origin::Alias, item);
        component_.aliases.push_back(std::move(a));
        note(Origin::Alias, item, at);
        break;
      }
      case 7: {  // type
        TypeDef t = deftype(false);
        if (!ok()) return;
        uint32_t item = uint32_t(component_.types.size());
        component_.types.push_back(std::move(t));
        add(Sort::Type, Origin::Type, item);
        note(Origin::Type, item, at);
        break;
      }
      case 8: {  // canon
        Canon cn = canon();
        if (!ok()) return;
        uint32_t item = uint32_t(component_.canons.size());
        add(cn.kind == Canon::Kind::Lift ? Sort::Func : Sort::CoreFunc, Origin::Canon, item);
        component_.canons.push_back(std::move(cn));
        note(Origin::Canon, item, at);
        break;
      }
      case 10: {  // import
        ComponentImport imp;
        imp.name = extern_name();
        imp.desc = externtype();
        if (!ok()) return;
        uint32_t item = uint32_t(component_.imports.size());
        add(imp.desc.sort, Origin::Import, item);
        component_.imports.push_back(std::move(imp));
        note(Origin::Import, item, at);
        break;
      }
      case 11: {  // export
        ComponentExport e;
        e.name = extern_name();
        e.item.sort = sort();
        e.item.index = u32();
        uint32_t oat = reader_.pos();
        uint8_t has = byte();
        if (has == 0x01) {
          e.desc = externtype();
        } else if (ok() && has != 0x00) {
          fail_at(oat, fmt::format("invalid leading byte ({:#x}) for optional component export type", has));
        }
        if (!ok()) return;
        uint32_t item = uint32_t(component_.exports.size());
        add(e.item.sort, Origin::Export, item);
        component_.exports.push_back(std::move(e));
        note(Origin::Export, item, at);
        break;
      }
      case 12: {  // value
        ValueDef v;
        v.type = valtype();
        uint32_t len = count();
        auto b = reader_.bytes(len);
        if (!ok()) return;
        v.bytes.assign(b.begin(), b.end());
        uint32_t item = uint32_t(component_.values.size());
        component_.values.push_back(std::move(v));
        add(Sort::Value, Origin::Value, item);
        note(Origin::Value, item, at);
        break;
      }
      default:
        fail(fmt::format("malformed section id {}", id));
        return;
    }
  }
}

Result<Component> Decoder::run() {
  if (auto r = run_body(); !r) return r.error();
  return std::move(component_);
}

// An error after a core module whose bodies were not scanned loses to a
// malformed body there (nested components scan their own when they fail).
Result<void> Decoder::run_body() {
  auto r = run_sections();
  if (r) return r;
  if (auto bodies = scan_core_bodies(component_); !bodies) return bodies;
  return r;
}

Result<void> Decoder::run_sections() {
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6d};
  auto magic = reader_.bytes(4);
  if (!ok() || std::memcmp(magic.data(), kMagic, 4) != 0) {
    return make_error(ErrorKind::Malformed, fmt::format("magic header not detected at offset {}", reader_.offset() - (ok() ? 4 : 0)));
  }
  reader_.seek(4);
  uint8_t v0 = byte(), v1 = byte(), l0 = byte(), l1 = byte();
  if (!ok())
    return make_error(ErrorKind::Malformed, fmt::format("unexpected end-of-file at offset {}", reader_.offset()));
  if (l0 == 0x00 && l1 == 0x00) {
    return make_error(ErrorKind::Malformed,
                      fmt::format("expected a version header for a component, found a core module's (layer 0 at "
                                  "offset {})",
                                  reader_.offset() - 2));
  }
  if (l0 != 0x01 || l1 != 0x00) {
    return make_error(ErrorKind::Malformed,
                      fmt::format("unknown binary layer 0x{:02x}{:02x} at offset {}", l1, l0, reader_.offset() - 2));
  }
  if (v0 != 0x0d || v1 != 0x00) {
    return make_error(ErrorKind::Malformed,
                      fmt::format("unknown binary version 0x{:02x}{:02x} (component version 0x000d expected) at "
                                  "offset {}",
                                  v1, v0, reader_.offset() - 4));
  }
  while (!reader_.at_end()) {
    uint32_t sec_at = reader_.offset();
    uint8_t id = byte();
    if (ok() && id > 12)
      return make_error(ErrorKind::Malformed, fmt::format("malformed section id {} at offset {}", id, sec_at));
    uint32_t size = u32();
    if (!ok()) break;
    if (size > reader_.remaining()) {
      return make_error(ErrorKind::Malformed,
                        fmt::format("unexpected end-of-file: section size {} exceeds the {} bytes left at offset {}",
                                    size, reader_.remaining(), sec_at));
    }
    uint32_t payload_rel = reader_.pos();
    uint32_t payload_abs = reader_.offset();
    auto payload = reader_.bytes(size);
    Reader outer = reader_;
    reader_ = Reader(payload, payload_abs);
    if (id == 4) nested_component(payload);
    else section(id, payload);
    if (!error_.empty()) return make_error(ErrorKind::Malformed, error_);
    if (ok() && !reader_.at_end()) fail("section size mismatch: unexpected trailing bytes");
    if (!ok()) return malformed(reader_.error());
    reader_ = outer;
    reader_.seek(payload_rel + size);
  }
  if (!ok()) return malformed(reader_.error());
  return {};
}

}  // namespace wippy::component::decode_detail

namespace wippy::component {

bool is_component_binary(std::span<const uint8_t> b) {
  return b.size() >= 8 && b[0] == 0x00 && b[1] == 0x61 && b[2] == 0x73 && b[3] == 0x6d && b[6] == 0x01 &&
         b[7] == 0x00;
}

Result<Component> decode_component(SharedBytes bytes, CoreModuleReuse* reuse, DecodeOptions core) {
  if (bytes.size() > UINT32_MAX) return make_error(ErrorKind::Malformed, "component too large");
  decode_detail::Decoder d(bytes, bytes.span(), 0, 0, reuse, core);
  return d.run();
}

Result<void> scan_core_bodies(const Component& c) {
  for (const DefRef& d : c.order) {
    if (d.origin == Origin::Component) {
      if (auto r = scan_core_bodies(*c.components[d.item]); !r) return r;
    } else if (d.origin == Origin::CoreModule && !c.core_modules[d.item]->bodies_scanned) {
      if (auto r = scan_function_bodies(*c.core_modules[d.item]); !r)
        return make_error(ErrorKind::Malformed,
                          fmt::format("in core module at offset {}: {}", d.offset, r.error().message));
    }
  }
  return {};
}

Result<Component> decode_component(std::span<const uint8_t> bytes) {
  if (bytes.size() > UINT32_MAX) return make_error(ErrorKind::Malformed, "component too large");
  return decode_component(SharedBytes::copy_of(bytes), nullptr);
}

}  // namespace wippy::component
