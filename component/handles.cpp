// handles.cpp — handle tables: slot allocation and checked access.
#include "component/handles.h"

#include <fmt/format.h>

namespace wippy::component {

uint32_t HandleTable::add(HandleEntry e) {
  e.live = true;
  if (!free_.empty()) {
    uint32_t i = free_.back();
    free_.pop_back();
    entries_[i] = std::move(e);
    return i;
  }
  entries_.push_back(std::move(e));
  return uint32_t(entries_.size() - 1);
}

Result<HandleEntry*> HandleTable::get(uint32_t index, const Resource* type) {
  if (index == 0 || index >= entries_.size() || !entries_[index].live)
    return make_error(ErrorKind::Trap, fmt::format("unknown handle index {}", index));
  HandleEntry& e = entries_[index];
  if (type && e.type.get() != type) {
    auto origin = [](const Resource* r) { return r && r->owner ? "guest-defined" : "host-defined"; };
    const char* want = origin(type);
    const char* found = origin(e.type.get());
    return make_error(ErrorKind::Trap,
                      fmt::format("handle index {} used with the wrong type, expected {} resource but found {}{} "
                                  "resource (`{}` where `{}` is expected)",
                                  index, want, want == found ? "a different " : "", found,
                                  e.type ? e.type->name : "?", type->name));
  }
  return &e;
}

Result<HandleEntry> HandleTable::remove(uint32_t index, const Resource* type) {
  auto e = get(index, type);
  if (!e) return e.error();
  HandleEntry out = std::move(**e);
  (*e)->live = false;
  (*e)->type.reset();
  (*e)->scope.reset();
  free_.push_back(index);
  return out;
}

size_t HandleTable::live_count() const {
  size_t n = 0;
  for (auto& e : entries_) n += e.live;
  return n;
}

void release_lenders(CallScope& scope) {
  for (auto& [table, index] : scope.lenders) {
    auto e = table->get(index, nullptr);
    if (e && (*e)->num_lends > 0) --(*e)->num_lends;
  }
  scope.lenders.clear();
}

}  // namespace wippy::component
