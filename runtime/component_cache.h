// component_cache.h — loading a component through the code cache.
// load_component_cached() is component::load_component (decoded and
// validated once, component/load.h) with a CodeCache in front:
//  * The key is `content_sha256` (the hash the caller already checked the
//    bytes against, e.g. the registry entry's) plus cache_build_key().
//  * Hit: the cached core modules replace decoding, each sharing its
//    binary in the component's bytes (the key hashes those bytes, so each
//    section is the one its entry was written for); when every core module
//    came from the entry, the component is known valid (an entry is written
//    only after the same bytes validated in this build) and is not
//    validated again. Any unusable entry (bad checksum, wrong key,
//    unparsable, another binary size, another module count) is a miss.
//  * The SharedBytes form keeps `bytes` (core modules are slices of it);
//    the span form copies them once.
//  * Miss: load normally, then write the entry (failure to write is ignored).
//  * Compiled code: an entry also holds the threaded code of the functions
//    compiled when it was written (interp/cache/code_codec.h). A hit
//    installs it, so those functions are not compiled again; a module whose
//    code does not load compiles as usual. save_component_code() rewrites
//    the entry when more functions have been compiled than it holds (call
//    it after running, e.g. once a command's call returned).
//  * Errors are load_component's, whether or not the cache was used.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "base/result.h"
#include "component/component.h"
#include "runtime/code_cache.h"

namespace wippy {

// What the last load did, for tests and benchmarks.
enum class CacheOutcome { Off, Hit, Miss };

Result<std::shared_ptr<const component::Component>> load_component_cached(
    SharedBytes bytes, std::string_view content_sha256, const CodeCache* cache,
    CacheOutcome* outcome = nullptr);
Result<std::shared_ptr<const component::Component>> load_component_cached(
    std::span<const uint8_t> bytes, std::string_view content_sha256, const CodeCache* cache,
    CacheOutcome* outcome = nullptr);

// Writes the entry for `comp` (loaded by load_component_cached with the same
// hash) again when its modules now have more compiled functions than the
// entry holds; failure to write is ignored.
void save_component_code(const component::Component& comp, std::string_view content_sha256, const CodeCache* cache);

}  // namespace wippy
