// source_file.h — reading a module, WAT or registry file from disk, safely.
// Contract:
//  * Nothing is read from anything but a regular file: the file is first
//    opened O_PATH (no device is opened, no FIFO blocks) and fstat'ed;
//    directories, FIFOs, sockets and devices are refused with an error that
//    says what the path is ("is a directory, not a file").
//  * A file larger than max_bytes is refused before a byte is read (fstat),
//    and so is one that grows past max_bytes while it is read.
//  * The bytes are read once, in chunks, straight into the returned buffer
//    (shared, so a component's modules can keep slices of it without a
//    copy); each chunk goes to `hasher` when one is given (hash while
//    reading: for files of 4 MiB or more on a second thread, overlapping
//    the reads).
//  * read_confined_file checks `inner` with confine_path (lexical: a leading
//    '/' is root itself, "a/../b" is "b", no "..") and opens it beneath `root`
//    with fs/resolve.h (no symlink escape either).
//    read_host_file opens a host path as given (symlinks followed: the host
//    named it). Paths with a NUL byte are refused.
//  * Messages echo paths through quote_input; they do not name an entry
//    (callers prefix that).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/shared_bytes.h"
#include "runtime/module_hash.h"

namespace wippy {

// What a source file's bytes are for, in messages ("module", "source file").
struct ReadSpec {
  std::string_view what = "file";
  uint64_t max_bytes = 0;
  std::string_view limit_name;  // "limits.max_module_bytes"; empty: no key to name
  std::string_view root_name;   // how messages name the confining directory (default: its path)
  Sha256* hasher = nullptr;
};

Result<SharedBytes> read_confined_file(const std::filesystem::path& root, std::string_view inner,
                                                const ReadSpec& spec);
Result<SharedBytes> read_host_file(const std::filesystem::path& path, const ReadSpec& spec);

// "a directory", "a FIFO", "a character device", ... for an st_mode.
std::string_view file_type_name(unsigned mode);

}  // namespace wippy
