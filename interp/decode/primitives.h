// primitives.h — binary-format building blocks for the section decoders:
// lengths, names, value/reference types, limits and the table, memory and
// global types. Each function reads from a Reader positioned over the WHOLE
// module (sections are not bounded; their sizes are checked afterwards, as
// in the reference interpreter) and returns false after recording an error
// in the Reader. Messages use the spec test suite's wording.
#pragma once
#include <cstdint>
#include <string>

#include "interp/reader.h"
#include "interp/types.h"

namespace wippy::decode {

// Records `msg` as the Reader's error at relative position `pos`.
void fail_at(Reader& r, uint32_t pos, const std::string& msg);

// A u32 length or vector count. Like the reference interpreter, it must not
// exceed the bytes left counted from the start of the LEB128 itself
// ("length out of bounds"). Returns 0 on error.
uint32_t read_len(Reader& r, uint32_t total_size);

// vec(byte) that is valid UTF-8 ("malformed UTF-8 encoding").
bool read_name(Reader& r, uint32_t total_size, std::string& out);

bool read_valtype(Reader& r, ValType& out);   // "malformed value type"
bool read_reftype(Reader& r, ValType& out);   // "malformed reference type"
// Flags 0x00 / 0x01; with `shared`, also 0x03 (sets *shared).
bool read_limits(Reader& r, Limits& out, bool* shared = nullptr);
bool read_table_type(Reader& r, TableType& out);
bool read_memory_type(Reader& r, MemoryType& out);
bool read_mutability(Reader& r, bool& out);          // 0x00 | 0x01, else "malformed mutability"
bool read_global_type(Reader& r, GlobalType& out);

// Rewrites the Reader's generic end-of-input messages to the spec's
// "unexpected end of section or function", keeping the offset.
std::string spec_eof_message(const std::string& reader_error);

}  // namespace wippy::decode
