// decode_items.cpp — the decoder's items: sorts, extern names and
// extern descriptions (imports, exports, type declarators), aliases and
// canon definitions, with the canon built-ins it does not support named.
// See decode_impl.h.
#include "component/decode_impl.h"

#include <fmt/format.h>

namespace wippy::component::decode_detail {
namespace {

// Names of the canon built-ins this decoder does not support (async,
// threads, error-context), by opcode.
const char* unsupported_canon_name(uint8_t op) {
  switch (op) {
    case 0x05: return "task.cancel";
    case 0x06: return "subtask.cancel";
    case 0x07: return "resource.drop async";
    case 0x09: return "task.return";
    case 0x0a: return "context.get";
    case 0x0b: return "context.set";
    case 0x0c: return "thread.yield";
    case 0x0d: return "subtask.drop";
    case 0x0e: return "stream.new";
    case 0x0f: return "stream.read";
    case 0x10: return "stream.write";
    case 0x11: return "stream.cancel-read";
    case 0x12: return "stream.cancel-write";
    case 0x13: return "stream.drop-readable";
    case 0x14: return "stream.drop-writable";
    case 0x15: return "future.new";
    case 0x16: return "future.read";
    case 0x17: return "future.write";
    case 0x18: return "future.cancel-read";
    case 0x19: return "future.cancel-write";
    case 0x1a: return "future.drop-readable";
    case 0x1b: return "future.drop-writable";
    case 0x1c: return "error-context.new";
    case 0x1d: return "error-context.debug-message";
    case 0x1e: return "error-context.drop";
    case 0x1f: return "waitable-set.new";
    case 0x20: return "waitable-set.wait";
    case 0x21: return "waitable-set.poll";
    case 0x22: return "waitable-set.drop";
    case 0x23: return "waitable.join";
    case 0x24: return "backpressure.inc";
    case 0x25: return "backpressure.dec";
    case 0x26: return "thread.index";
    case 0x27: return "thread.new-indirect";
    case 0x28: return "thread.resume-later";
    case 0x29: return "thread.suspend";
    case 0x2a: return "thread.suspend-then-resume";
    case 0x2b: return "thread.yield-then-resume";
    case 0x2c: return "thread.suspend-then-promote";
    case 0x2d: return "thread.yield-then-promote";
    case 0x40: return "thread.spawn-ref";
    case 0x41: return "thread.spawn-indirect";
    case 0x42: return "thread.available-parallelism";
    default: return nullptr;
  }
}

}  // namespace

Sort Decoder::core_sort() {
  uint32_t at = reader_.pos();
  uint8_t b = byte();
  switch (b) {
    case 0x00: return Sort::CoreFunc;
    case 0x01: return Sort::CoreTable;
    case 0x02: return Sort::CoreMemory;
    case 0x03: return Sort::CoreGlobal;
    case 0x04: return Sort::CoreTag;
    case 0x10: return Sort::CoreType;
    case 0x11: return Sort::CoreModule;
    case 0x12: return Sort::CoreInstance;
    default:
      if (ok()) fail_at(at, fmt::format("invalid leading byte ({:#x}) for core external kind", b));
      return Sort::CoreFunc;
  }
}

Sort Decoder::sort() {
  uint32_t at = reader_.pos();
  uint8_t b = byte();
  switch (b) {
    case 0x00: return core_sort();
    case 0x01: return Sort::Func;
    case 0x02: return Sort::Value;
    case 0x03: return Sort::Type;
    case 0x04: return Sort::Component;
    case 0x05: return Sort::Instance;
    default:
      if (ok()) fail_at(at, fmt::format("invalid leading byte ({:#x}) for component external kind", b));
      return Sort::Func;
  }
}

ExternName Decoder::extern_name() {
  ExternName n;
  uint32_t at = reader_.pos();
  uint8_t b = byte();
  if (!ok()) return n;
  if (b > 0x02) {
    fail_at(at, fmt::format("invalid leading byte ({:#x}) for component name", b));
    return n;
  }
  n.name = name();
  if (b == 0x02) {
    uint32_t m = count();
    for (uint32_t i = 0; i < m && ok(); ++i) {
      uint32_t aat = reader_.pos();
      uint8_t k = byte();
      std::optional<std::string>* slot = nullptr;
      const char* what = "";
      switch (k) {
        case 0x00: slot = &n.implements; what = "implements"; break;
        case 0x01: slot = &n.version_suffix; what = "versionsuffix"; break;
        case 0x02: slot = &n.external_id; what = "external-id"; break;
        default:
          if (ok()) fail_at(aat, fmt::format("invalid leading byte ({:#x}) for name option", k));
          return n;
      }
      std::string v = name();
      if (!ok()) return n;
      if (slot->has_value()) {
        fail_at(aat, fmt::format("duplicate '{}' option in name", what));
        return n;
      }
      *slot = std::move(v);
    }
  }
  return n;
}

ExternDesc Decoder::externtype() {
  ExternDesc d;
  uint32_t at = reader_.pos();
  uint8_t b = byte();
  if (!ok()) return d;
  switch (b) {
    case 0x00: {
      uint8_t m = byte();
      if (ok() && m != 0x11) {
        fail_at(at + 1, fmt::format("invalid leading byte ({:#x}) for component external kind (only core modules "
                                    "are imported or exported)",
                                    m));
        return d;
      }
      d.sort = Sort::CoreModule;
      d.index = u32();
      return d;
    }
    case 0x01: d.sort = Sort::Func; d.index = u32(); return d;
    case 0x02: {
      d.sort = Sort::Value;
      uint32_t vat = reader_.pos();
      uint8_t k = byte();
      if (k == 0x00) {
        d.value_is_eq = true;
        d.index = u32();
      } else if (k == 0x01) {
        d.value_type = valtype();
      } else if (ok()) {
        fail_at(vat, fmt::format("invalid leading byte ({:#x}) for value bound", k));
      }
      return d;
    }
    case 0x03: {
      d.sort = Sort::Type;
      uint32_t tat = reader_.pos();
      uint8_t k = byte();
      if (k == 0x00) {
        d.bound.index = u32();
      } else if (k == 0x01) {
        d.bound.sub_resource = true;
      } else if (ok()) {
        fail_at(tat, fmt::format("invalid leading byte ({:#x}) for type bound", k));
      }
      return d;
    }
    case 0x04: d.sort = Sort::Component; d.index = u32(); return d;
    case 0x05: d.sort = Sort::Instance; d.index = u32(); return d;
    default:
      fail_at(at, fmt::format("invalid leading byte ({:#x}) for component external kind", b));
      return d;
  }
}

Alias Decoder::alias() {
  Alias a;
  // The target decides which sorts are valid, so read it first.
  uint32_t sat = reader_.pos();
  uint8_t s0 = byte();
  uint8_t s1 = s0 == 0x00 ? byte() : 0;
  uint32_t at = reader_.pos();
  uint8_t k = byte();
  if (!ok()) return a;
  if (k > 0x02) {
    fail_at(at, fmt::format("invalid leading byte ({:#x}) for alias", k));
    return a;
  }
  if (k == 0x02 && !(s0 == 0x03 || s0 == 0x04 || (s0 == 0x00 && (s1 == 0x10 || s1 == 0x11)))) {
    fail_at(s0 == 0x00 ? sat + 1 : sat,
            fmt::format("invalid leading byte ({:#x}) for component outer alias kind (outer aliases name "
                        "types, components, core types and core modules)",
                        s0 == 0x00 ? s1 : s0));
    return a;
  }
  reader_.seek(sat);
  a.sort = sort();
  reader_.seek(at + 1);
  if (!ok()) return a;
  switch (k) {
    case 0x00:
      a.kind = Alias::Kind::Export;
      a.instance = u32();
      a.name = name();
      break;
    case 0x01:
      a.kind = Alias::Kind::CoreExport;
      a.instance = u32();
      a.name = name();
      break;
    case 0x02:
      a.kind = Alias::Kind::Outer;
      a.outer_count = u32();
      a.outer_index = u32();
      break;
  }
  return a;
}

CanonOptions Decoder::options() {
  CanonOptions o;
  o.offset = reader_.offset();
  uint32_t n = count();
  for (uint32_t i = 0; i < n && ok(); ++i) {
    uint32_t at = reader_.pos();
    uint8_t b = byte();
    if (!ok()) break;
    auto once = [&](std::optional<uint32_t>& slot, const char* what) {
      uint32_t v = u32();
      if (!ok()) return;
      if (slot) {
        fail_at(at, fmt::format("canonical option `{}` is specified more than once", what));
        return;
      }
      slot = v;
    };
    switch (b) {
      case 0x00:
      case 0x01:
      case 0x02:
        if (o.string_encoding_set) {
          fail_at(at, fmt::format("canonical encoding option `{}` conflicts with option `{}`",
                                  string_encoding_name(o.string_encoding),
                                  string_encoding_name(StringEncoding(b))));
          break;
        }
        o.string_encoding = StringEncoding(b);
        o.string_encoding_set = true;
        break;
      case 0x03: once(o.memory, "memory"); break;
      case 0x04: once(o.realloc, "realloc"); break;
      case 0x05: once(o.post_return, "post-return"); break;
      case 0x06: unsupported(at, "canonical option `async`"); break;
      case 0x07: unsupported(at, "canonical option `callback`"); break;
      default: fail_at(at, fmt::format("invalid leading byte ({:#x}) for canonical option", b));
    }
  }
  return o;
}

Canon Decoder::canon() {
  Canon c;
  uint32_t at = reader_.pos();
  uint8_t op = byte();
  if (!ok()) return c;
  auto func_sort = [&](const char* which) {
    uint32_t sat = reader_.pos();
    uint8_t z = byte();
    if (ok() && z != 0x00) fail_at(sat, fmt::format("invalid leading byte ({:#x}) for canonical function {}", z, which));
  };
  switch (op) {
    case 0x00:
      c.kind = Canon::Kind::Lift;
      func_sort("lift");
      c.func = u32();
      c.options = options();
      c.type = u32();
      break;
    case 0x01:
      c.kind = Canon::Kind::Lower;
      func_sort("lower");
      c.func = u32();
      c.options = options();
      break;
    case 0x02: c.kind = Canon::Kind::ResourceNew; c.type = u32(); break;
    case 0x03: c.kind = Canon::Kind::ResourceDrop; c.type = u32(); break;
    case 0x04: c.kind = Canon::Kind::ResourceRep; c.type = u32(); break;
    default:
      if (const char* n = unsupported_canon_name(op)) {
        unsupported(at, fmt::format("canon {}", n));
      } else {
        fail_at(at, fmt::format("invalid leading byte ({:#x}) for canonical function", op));
      }
  }
  return c;
}

}  // namespace wippy::component::decode_detail
