// component_cache.cpp — load_component_cached (see component_cache.h).
#include "runtime/component_cache.h"

#include <optional>
#include <string>
#include <vector>

#include "component/decode.h"
#include "component/load.h"
#include "interp/cache/code_codec.h"
#include "interp/cache/le_bytes.h"
#include "interp/cache/module_codec.h"

namespace wippy {
namespace {

using Blobs = std::vector<std::vector<uint8_t>>;

// u32 count, then per blob its u64 length and bytes.
void append_list(std::vector<uint8_t>& out, const Blobs& blobs) {
  append_le(out, blobs.size(), 4);
  for (const auto& one : blobs) {
    append_le(out, one.size(), 8);
    out.insert(out.end(), one.begin(), one.end());
  }
}

// The blobs of an append_list() list at `at` (moved past it); nothing when
// its framing is off.
std::optional<std::vector<std::span<const uint8_t>>> split_list(std::span<const uint8_t> in, size_t& at) {
  auto le = [&](size_t pos, int n) { return read_le(in.data() + pos, n); };
  if (in.size() - at < 4) return std::nullopt;
  uint64_t count = le(at, 4);
  at += 4;
  if (count > (in.size() - at) / 8) return std::nullopt;
  std::vector<std::span<const uint8_t>> out;
  for (uint64_t i = 0; i < count; ++i) {
    if (in.size() - at < 8) return std::nullopt;
    uint64_t len = le(at, 8);
    at += 8;
    if (in.size() - at < len) return std::nullopt;
    out.push_back(in.subspan(at, len));
    at += len;
  }
  return out;
}

// A component's core modules in the order its decoder met them (depth
// first, nested components included: CoreModuleReuse::seen's order), each
// with the memo of the component that instantiates it.
struct CoreModuleAt {
  component::ComponentMemo* memo;
  std::shared_ptr<const Module> module;
};
void core_modules_in_order(const component::Component& c, std::vector<CoreModuleAt>& out) {
  for (const component::DefRef& d : c.order) {
    if (d.origin == component::Origin::CoreModule)
      out.push_back({c.memo.get(), c.core_modules[d.item]});
    else if (d.origin == component::Origin::Component)
      core_modules_in_order(*c.components[d.item], out);
  }
}

std::string entry_key(std::string_view content_sha256) {
  return "component:" + std::string(content_sha256) + ";" + cache_build_key();
}

// The entry: the core modules (encode_module, in order), then each one's
// compiled functions (encode_code). Returns how many functions it holds.
size_t write_entry(const CodeCache& cache, const std::string& key, const std::vector<CoreModuleAt>& mods) {
  Blobs modules, code;
  size_t funcs = 0;
  for (const CoreModuleAt& m : mods) {
    modules.push_back(encode_module(*m.module));
    std::shared_ptr<CompiledModule> cm = m.memo->code_for(m.module);
    funcs += compiled_count(*cm);
    code.push_back(encode_code(*cm));
  }
  std::vector<uint8_t> out;
  append_list(out, modules);
  append_list(out, code);
  return cache.put(key, out) ? funcs : 0;
}

}  // namespace

Result<std::shared_ptr<const component::Component>> load_component_cached(SharedBytes bytes,
                                                                          std::string_view content_sha256,
                                                                          const CodeCache* cache,
                                                                          CacheOutcome* outcome) {
  if (outcome) *outcome = CacheOutcome::Off;
  if (!cache || content_sha256.empty()) return component::load_component(std::move(bytes));
  const std::string key = entry_key(content_sha256);
  std::optional<SharedBytes> blob = cache->get(key);
  std::vector<std::span<const uint8_t>> entries, code;
  if (blob) {
    size_t at = 0;
    auto list = split_list(*blob, at);
    auto code_list = list ? split_list(*blob, at) : std::nullopt;
    if (code_list && at == blob->size() && code_list->size() == list->size()) {
      entries = std::move(*list);
      code = std::move(*code_list);
    }
  }
  // The key hashes the component's bytes, so the i-th core module section
  // holds the very binary the i-th entry was written for.
  bool usable = !entries.empty();
  component::CoreModuleReuse reuse;
  if (usable)
    reuse.premade = [&](size_t i, const SharedBytes& binary) -> std::shared_ptr<const Module> {
      if (!usable || i >= entries.size()) return nullptr;
      auto m = decode_cached_module(entries[i], binary);
      if (!m) {
        usable = false;  // one bad entry: decode the rest, rewrite the entry
        return nullptr;
      }
      return std::make_shared<const Module>(std::move(*m));
    };
  // Premade modules are trusted; decoded ones are validated below (a hit
  // has none), so their bodies need no scan here.
  auto decoded = component::decode_component(std::move(bytes), &reuse, DecodeOptions{.scan_bodies = false});
  if (!decoded) return decoded.error();
  auto comp = std::make_shared<const component::Component>(std::move(*decoded));
  std::vector<CoreModuleAt> mods;
  core_modules_in_order(*comp, mods);
  bool in_order = mods.size() == reuse.seen.size();
  for (size_t i = 0; in_order && i < mods.size(); ++i) in_order = mods[i].module == reuse.seen[i];
  const bool hit = usable && in_order && reuse.reused == entries.size() && reuse.seen.size() == entries.size();
  if (outcome) *outcome = hit ? CacheOutcome::Hit : CacheOutcome::Miss;
  if (hit) {
    // Compiled code: a module whose part does not load compiles as usual.
    size_t funcs = 0;
    for (size_t i = 0; i < mods.size(); ++i) {
      std::shared_ptr<CompiledModule> cm = mods[i].memo->code_for(mods[i].module);
      if (adopt_cached_code(*cm, code[i])) funcs += compiled_count(*cm);
    }
    std::lock_guard lock(comp->memo->mu);
    comp->memo->validated = true;
    comp->memo->code_in_cache = funcs;
    return comp;
  }
  if (auto v = component::validate_once(*comp); !v) return v.error();
  if (in_order) write_entry(*cache, key, mods);
  return comp;
}

void save_component_code(const component::Component& comp, std::string_view content_sha256, const CodeCache* cache) {
  if (!cache || content_sha256.empty()) return;
  std::vector<CoreModuleAt> mods;
  core_modules_in_order(comp, mods);
  size_t funcs = 0;
  for (const CoreModuleAt& m : mods) funcs += compiled_count(*m.memo->code_for(m.module));
  {
    std::lock_guard lock(comp.memo->mu);
    if (funcs <= comp.memo->code_in_cache) return;
  }
  size_t written = write_entry(*cache, entry_key(content_sha256), mods);
  std::lock_guard lock(comp.memo->mu);
  comp.memo->code_in_cache = std::max(comp.memo->code_in_cache, written);
}

Result<std::shared_ptr<const component::Component>> load_component_cached(std::span<const uint8_t> bytes,
                                                                          std::string_view content_sha256,
                                                                          const CodeCache* cache,
                                                                          CacheOutcome* outcome) {
  return load_component_cached(SharedBytes::copy_of(bytes), content_sha256, cache, outcome);
}

}  // namespace wippy
