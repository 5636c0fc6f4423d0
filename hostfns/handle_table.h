// handle_table.h — HandleTable<T>: the host side of one WASI resource type.
// Contract: insert() takes ownership of a T and returns its representation
// (rep), a non-zero u32 never reused while the table lives; the guest sees
// the rep inside an own/borrow handle. get() returns nullptr for an unknown
// rep; erase() (called from the resource destructor) destroys the T. Items
// are heap-allocated, so pointers to them stay valid until erased.
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace wippy::hostfns {

template <class T>
class HandleTable {
 public:
  uint32_t insert(std::unique_ptr<T> item) {
    uint32_t rep = next_++;
    items_.emplace(rep, std::move(item));
    return rep;
  }
  T* get(uint32_t rep) const {
    auto it = items_.find(rep);
    return it == items_.end() ? nullptr : it->second.get();
  }
  bool erase(uint32_t rep) { return items_.erase(rep) != 0; }
  size_t size() const { return items_.size(); }
  void clear() { items_.clear(); }

 private:
  std::unordered_map<uint32_t, std::unique_ptr<T>> items_;
  uint32_t next_ = 1;
};

}  // namespace wippy::hostfns
