// mount_table.cpp — MountTable: adding mounts and longest-prefix lookup.
#include "fs/mount_table.h"

#include <cstddef>

#include "fs/resolve_internal.h"

namespace wippy::fs {
namespace {

std::string join_absolute(const std::vector<std::string_view>& parts) {
  if (parts.empty()) return "/";
  std::string out;
  for (auto p : parts) {
    out += '/';
    out += p;
  }
  return out;
}

}  // namespace

FsResult<void> MountTable::add(std::string_view guest_path, Dir dir) {
  if (guest_path.empty() || guest_path.front() != '/') return FsErrc::Invalid;
  if (guest_path.find('\0') != std::string_view::npos) return FsErrc::Invalid;
  auto parts = detail::path_components(guest_path);
  for (auto p : parts)
    if (p == "." || p == "..") return FsErrc::Invalid;
  std::string norm = join_absolute(parts);
  for (const auto& m : mounts_)
    if (m.guest_path == norm) return FsErrc::Exist;
  mounts_.push_back(Mount{std::move(norm), std::move(dir)});
  return {};
}

FsResult<MountLookup> MountTable::lookup(std::string_view guest_path) const {
  if (guest_path.empty() || guest_path.front() != '/') return FsErrc::Invalid;
  if (guest_path.find('\0') != std::string_view::npos) return FsErrc::Invalid;
  std::vector<std::string_view> parts;
  for (auto p : detail::path_components(guest_path))
    if (p != ".") parts.push_back(p);
  const Mount* best = nullptr;
  std::size_t best_len = 0;
  for (const auto& m : mounts_) {
    auto mparts = detail::path_components(m.guest_path);
    if (mparts.size() > parts.size()) continue;
    if (best != nullptr && mparts.size() < best_len) continue;
    bool prefix = true;
    for (std::size_t i = 0; i < mparts.size() && prefix; ++i) prefix = mparts[i] == parts[i];
    if (!prefix) continue;
    best = &m;
    best_len = mparts.size();
  }
  if (best == nullptr) return FsErrc::NoEntry;
  MountLookup out;
  out.mount = best;
  for (std::size_t i = best_len; i < parts.size(); ++i) {
    if (!out.relative.empty()) out.relative += '/';
    out.relative += parts[i];
  }
  if (out.relative.empty()) {
    out.relative.push_back('.');  // (not `= "."`: g++ 12 warns falsely on that)
  } else if (guest_path.back() == '/') {
    out.relative += '/';
  }
  return out;
}

}  // namespace wippy::fs
