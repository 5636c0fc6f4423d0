// component_cache.cpp — load_component_cached (see component_cache.h).
#include "runtime/component_cache.h"

#include <string>
#include <vector>

#include "component/decode.h"
#include "component/load.h"
#include "interp/cache/le_bytes.h"
#include "interp/cache/module_codec.h"

namespace wippy {
namespace {

using ModuleList = std::vector<std::shared_ptr<const Module>>;

// u32 count, then per module u64 length and encode_module's bytes.
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

std::optional<ModuleList> decode_list(std::span<const uint8_t> in) {
  auto le = [&](size_t at, int n) { return read_le(in.data() + at, n); };
  if (in.size() < 4) return std::nullopt;
  uint64_t count = le(0, 4);
  size_t at = 4;
  ModuleList out;
  for (uint64_t i = 0; i < count; ++i) {
    if (in.size() - at < 8) return std::nullopt;
    uint64_t len = le(at, 8);
    at += 8;
    if (in.size() - at < len) return std::nullopt;
    auto m = decode_cached_module(in.subspan(at, len));
    if (!m) return std::nullopt;
    out.push_back(std::make_shared<const Module>(std::move(*m)));
    at += len;
  }
  if (at != in.size()) return std::nullopt;
  return out;
}

}  // namespace

Result<std::shared_ptr<const component::Component>> load_component_cached(std::span<const uint8_t> bytes,
                                                                          std::string_view content_sha256,
                                                                          const CodeCache* cache,
                                                                          CacheOutcome* outcome) {
  if (outcome) *outcome = CacheOutcome::Off;
  if (!cache || content_sha256.empty()) return component::load_component(bytes);
  const std::string key = "component:" + std::string(content_sha256) + ";" + cache_build_key();
  ModuleList premade;
  if (auto blob = cache->get(key))
    if (auto list = decode_list(*blob)) premade = std::move(*list);
  component::CoreModuleReuse reuse;
  reuse.premade = premade;
  auto decoded = component::decode_component(bytes, &reuse);
  if (!decoded) return decoded.error();
  auto comp = std::make_shared<const component::Component>(std::move(*decoded));
  const bool hit = !premade.empty() && reuse.reused == premade.size() && reuse.seen.size() == premade.size();
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

}  // namespace wippy
