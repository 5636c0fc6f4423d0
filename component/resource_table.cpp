// resource_table.cpp — ResourceTable (see resource_table.h).
#include "component/resource_table.h"

#include <fmt/format.h>

namespace wippy::component {

size_t ResourceTable::count(const void* tag) const {
  size_t n = 0;
  for (const auto& [rep, e] : entries_)
    if (e.tag == tag && !e.dropped) ++n;
  return n;
}

Result<uint32_t> ResourceTable::insert_erased(std::shared_ptr<void> obj, const void* tag, uint32_t parent) {
  if (entries_.size() >= max_)
    return make_error(ErrorKind::Trap,
                      fmt::format("too many resource handles: the instance holds {} (limits.max_handles = {})",
                                  entries_.size(), max_));
  Entry* p = nullptr;
  if (parent != 0) {
    auto it = entries_.find(parent);
    if (it == entries_.end() || it->second.dropped)
      return make_error(ErrorKind::Trap, fmt::format("resource parent: unknown handle (rep {})", parent));
    p = &it->second;
  }
  if (next_ == 0) return make_error(ErrorKind::Trap, "resource handles exhausted (2^32 created)");
  uint32_t rep = next_++;
  entries_.emplace(rep, Entry{std::move(obj), tag, parent, 0, false});
  if (p) ++p->children;  // (emplace may rehash: p points at the node, which stays put)
  return rep;
}

const ResourceTable::Entry* ResourceTable::live(uint32_t rep, const void* tag) const {
  auto it = entries_.find(rep);
  if (it == entries_.end() || it->second.dropped || it->second.tag != tag) return nullptr;
  return &it->second;
}

Result<std::shared_ptr<void>> ResourceTable::take_erased(uint32_t rep, const void* tag) {
  auto it = entries_.find(rep);
  if (it == entries_.end() || it->second.dropped || it->second.tag != tag)
    return make_error(ErrorKind::Trap, fmt::format("resource: unknown handle (rep {})", rep));
  if (it->second.children > 0)
    return make_error(ErrorKind::Trap, fmt::format("resource has children: {} child handle(s) of rep {} are live",
                                                   it->second.children, rep));
  auto obj = std::move(it->second.obj);
  erase_chain(rep);
  return obj;
}

void ResourceTable::drop(uint32_t rep) {
  auto it = entries_.find(rep);
  if (it == entries_.end() || it->second.dropped) return;
  if (it->second.children > 0) {
    it->second.dropped = true;
    return;
  }
  erase_chain(rep);
}

void ResourceTable::erase_chain(uint32_t rep) {
  while (rep != 0) {
    auto it = entries_.find(rep);
    if (it == entries_.end()) return;
    uint32_t parent = it->second.parent;
    // Destroy the object after unlinking: its destructor may not touch the table.
    std::shared_ptr<void> obj = std::move(it->second.obj);
    entries_.erase(it);
    obj.reset();
    rep = 0;
    if (parent != 0) {
      auto p = entries_.find(parent);
      if (p != entries_.end() && p->second.children > 0 && --p->second.children == 0 && p->second.dropped)
        rep = parent;
    }
  }
}

size_t ResourceTable::children(uint32_t rep) const {
  auto it = entries_.find(rep);
  return it == entries_.end() ? 0 : it->second.children;
}

}  // namespace wippy::component
