// module_codec.h — a decoded, validated Module as a flat byte string and
// back, for the persistent code cache (runtime/code_cache.h).
// Contract:
//  * encode_module(m) writes every field of `m` but the binary (only its
//    size) in a fixed little-endian layout; decode_cached_module(entry,
//    binary) rebuilds an equal Module around `binary`, which the caller
//    knows to be the same bytes (the entry's key hashes them) and which the
//    Module then shares, uncopied. The layout is private to one build: the
//    cache key carries the build id, so no version field is written here.
//  * decode_cached_module() never reads past its input and checks every
//    count against the bytes left and every offset into Module::bytes
//    against its size; anything short, long or out of range, or a binary of
//    another size than the entry's, is Malformed.
//    It does not re-validate: callers only hand it checksummed cache
//    entries written by encode_module() of a module that validated.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "interp/module.h"

namespace wippy {

std::vector<uint8_t> encode_module(const Module& m);
Result<Module> decode_cached_module(std::span<const uint8_t> entry, SharedBytes binary);

}  // namespace wippy
