// component_cache.cpp — load_component_cached (see component_cache.h).
#include "runtime/component_cache.h"

#include <optional>
#include <string>
#include <vector>

#include "component/decode.h"
#include "component/load.h"
#include "interp/cache/le_bytes.h"
#include "interp/cache/module_codec.h"

namespace wippy {
namespace {

using ModuleList = std::vector<std::shared_ptr<const Module>>;

// u32 count, then per module u64 length and encode_module's bytes (which
// hold no binary: on a hit each module shares its bytes in the component).
std::vector<uint8_t> encode_list(const ModuleList& modules) {
  std::vector<uint8_t> out;
  append_le(out, modules.size(), 4);
  for (const auto& m : modules) {
    std::vector<uint8_t> one = encode_module(*m);
    append_le(out, one.size(), 8);
    out.insert(out.end(), one.begin(), one.end());
  }
  return out;
}

// The per-module entries of an encode_list() blob; nothing when its framing
// is off.
std::optional<std::vector<std::span<const uint8_t>>> split_list(std::span<const uint8_t> in) {
  auto le = [&](size_t at, int n) { return read_le(in.data() + at, n); };
  if (in.size() < 4) return std::nullopt;
  uint64_t count = le(0, 4);
  if (count > (in.size() - 4) / 8) return std::nullopt;
  size_t at = 4;
  std::vector<std::span<const uint8_t>> out;
  for (uint64_t i = 0; i < count; ++i) {
    if (in.size() - at < 8) return std::nullopt;
    uint64_t len = le(at, 8);
    at += 8;
    if (in.size() - at < len) return std::nullopt;
    out.push_back(in.subspan(at, len));
    at += len;
  }
  if (at != in.size()) return std::nullopt;
  return out;
}

}  // namespace

Result<std::shared_ptr<const component::Component>> load_component_cached(SharedBytes bytes,
                                                                          std::string_view content_sha256,
                                                                          const CodeCache* cache,
                                                                          CacheOutcome* outcome) {
  if (outcome) *outcome = CacheOutcome::Off;
  if (!cache || content_sha256.empty()) return component::load_component(std::move(bytes));
  const std::string key = "component:" + std::string(content_sha256) + ";" + cache_build_key();
  std::optional<SharedBytes> blob = cache->get(key);
  std::vector<std::span<const uint8_t>> entries;
  if (blob)
    if (auto list = split_list(*blob)) entries = std::move(*list);
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
  auto decoded = component::decode_component(std::move(bytes), &reuse);
  if (!decoded) return decoded.error();
  auto comp = std::make_shared<const component::Component>(std::move(*decoded));
  const bool hit = usable && reuse.reused == entries.size() && reuse.seen.size() == entries.size();
  if (outcome) *outcome = hit ? CacheOutcome::Hit : CacheOutcome::Miss;
  if (hit) {
    std::lock_guard lock(comp->memo->mu);
    comp->memo->validated = true;
    return comp;
  }
  if (auto v = component::validate_once(*comp); !v) return v.error();
  cache->put(key, encode_list(reuse.seen));
  return comp;
}

Result<std::shared_ptr<const component::Component>> load_component_cached(std::span<const uint8_t> bytes,
                                                                          std::string_view content_sha256,
                                                                          const CodeCache* cache,
                                                                          CacheOutcome* outcome) {
  return load_component_cached(SharedBytes::copy_of(bytes), content_sha256, cache, outcome);
}

}  // namespace wippy
