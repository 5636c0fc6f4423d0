// code_codec.h — a module's compiled functions as a flat byte string and
// back, for the persistent code cache (runtime/code_cache.h).
// Contract:
//  * encode_code(cm) writes every function `cm` has compiled so far: its
//    index and frame shape, its code words with each handler word as the
//    handler's id and each jump-target word as a code index (the words
//    CompiledFunc::starts and ::targets name), its exception handlers and
//    GC stack map. Nothing else in a code word is an address.
//  * adopt_cached_code(cm, entry) rebuilds those functions with this
//    process's handler addresses and installs each into `cm` that has no
//    code yet. It checks every count against the bytes left, every handler
//    id, every index (function, code word, handler range, catch target);
//    anything out of range, short or long refuses the whole entry (false;
//    nothing installed), and the functions compile as usual when called.
//  * The layout is private to one build (handler ids and the word layout
//    change between builds): the cache key carries the build id. Entries are
//    written by this build from code it compiled for the same module (the
//    key hashes the binary); the checksum catches corruption, not forgery.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "interp/exec/code.h"

namespace wippy {

std::vector<uint8_t> encode_code(CompiledModule& cm);
bool adopt_cached_code(CompiledModule& cm, std::span<const uint8_t> entry);

// How many functions of `cm` have code (compiled or adopted).
size_t compiled_count(CompiledModule& cm);

}  // namespace wippy
