// filesystem_values.cpp — conversions between fs/ values and the WIT
// values of wasi:filesystem: descriptor types, stats (timestamps as
// datetimes), metadata hashes (a mix of device and inode, so equal exactly
// when is-same-object would say so, barring collisions), new-timestamps as
// utimensat(2) timespecs, and the UTF-8 check for names given to the guest.
#include <fcntl.h>
#include <sys/stat.h>

#include <climits>
#include <ctime>

#include "component/json.h"
#include "hostfns/filesystem.h"

namespace wippy::hostfns::wasifs {

namespace {

uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::optional<Datetime> datetime(const struct timespec& ts) {
  if (ts.tv_sec < 0) return std::nullopt;  // before 1970: datetime cannot say it
  return datetime_of(ts);
}

}  // namespace

DescriptorType descriptor_type(fs::FileType t) {
  switch (t) {
    case fs::FileType::BlockDevice: return DescriptorType::block_device;
    case fs::FileType::CharacterDevice: return DescriptorType::character_device;
    case fs::FileType::Directory: return DescriptorType::directory;
    case fs::FileType::Fifo: return DescriptorType::fifo;
    case fs::FileType::SymbolicLink: return DescriptorType::symbolic_link;
    case fs::FileType::RegularFile: return DescriptorType::regular_file;
    case fs::FileType::Socket: return DescriptorType::socket;
    case fs::FileType::Unknown: break;
  }
  return DescriptorType::unknown;
}

DescriptorStat descriptor_stat(const fs::FileStat& st) {
  DescriptorStat out;
  out.type = descriptor_type(st.type);
  out.link_count = st.nlink;
  out.size = st.size;
  out.data_access_timestamp = datetime(st.atime);
  out.data_modification_timestamp = datetime(st.mtime);
  out.status_change_timestamp = datetime(st.ctime);
  return out;
}

MetadataHashValue metadata_hash(const fs::FileStat& st) {
  uint64_t lower = mix64(mix64(st.dev + 0x9e3779b97f4a7c15ull) ^ st.ino);
  uint64_t upper = mix64(lower ^ 0x243f6a8885a308d3ull);
  return {lower, upper};
}

FsOut<struct timespec> timespec_of(const NewTimestamp& t) {
  struct timespec ts {};
  switch (t.index()) {
    case 0: ts.tv_nsec = UTIME_OMIT; break;
    case 1: ts.tv_nsec = UTIME_NOW; break;
    default: {
      const Datetime& d = std::get<2>(t).value;
      if (d.nanoseconds >= 1'000'000'000u) return fs_fail(ErrorCode::invalid);
      if (d.seconds > uint64_t(LLONG_MAX)) return fs_fail(ErrorCode::overflow);
      ts.tv_sec = time_t(d.seconds);
      ts.tv_nsec = long(d.nanoseconds);
    }
  }
  return component::wit_ok(ts);
}

}  // namespace wippy::hostfns::wasifs
