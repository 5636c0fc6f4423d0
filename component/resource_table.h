// resource_table.h — ResourceTable: the host objects behind the handles of
// every host resource type of one instance (all of a WasiCtx's streams,
// pollables, errors, descriptors, sockets...), with parent/child links and
// a handle limit.
// Contract: insert<R>() stores a shared object under a new representation
// (rep): non-zero, unique across every type in the table, not reused while
// the table lives. get<R>() returns the object of a live rep of type R
// (nullptr for an unknown rep, a dropped one or another type). A child
// entry (a stream or pollable made from a socket, a file's stream) names
// its parent: drop() of a parent that still has children removes its
// handle but keeps its object alive until the last child is dropped, so a
// child never outlives what it reads from (a socket's descriptor is not
// closed, and its number not reused, under a pollable). take<R>() hands
// an object back to the host and refuses ("resource has children") while
// children live. insert() past max_handles entries (dropped parents kept
// alive included) fails with a Trap naming the limit; the check is one
// comparison. Not thread-safe: one instance, one thread.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <unordered_map>

#include "base/result.h"
#include "component/bind_values.h"

namespace wippy::component {

class ResourceTable {
 public:
  static constexpr size_t kDefaultMaxHandles = 65536;

  explicit ResourceTable(size_t max_handles = kDefaultMaxHandles) : max_(max_handles) {}
  ResourceTable(const ResourceTable&) = delete;
  ResourceTable& operator=(const ResourceTable&) = delete;

  size_t max_handles() const { return max_; }
  void set_max_handles(size_t n) { max_ = n; }
  size_t size() const { return entries_.size(); }      // entries, kept-alive parents included
  size_t count(const void* tag) const;                  // live handles of one type

  // A new rep for `obj`, a child of `parent` when non-zero (a live rep).
  template <class R>
  Result<uint32_t> insert(std::type_identity_t<std::shared_ptr<R>> obj, uint32_t parent = 0) {
    return insert_erased(std::shared_ptr<void>(std::move(obj)), resource_tag<R>(), parent);
  }
  template <class R>
  R* get(uint32_t rep) const {
    return static_cast<R*>(get_erased(rep, resource_tag<R>()));
  }
  // Shared ownership of a live rep's object (e.g. for a child to hold).
  template <class R>
  std::shared_ptr<R> share(uint32_t rep) const {
    const Entry* e = live(rep, resource_tag<R>());
    return e ? std::static_pointer_cast<R>(e->obj) : nullptr;
  }
  template <class R>
  Result<std::shared_ptr<R>> take(uint32_t rep) {
    auto obj = take_erased(rep, resource_tag<R>());
    if (!obj) return obj.error();
    return std::static_pointer_cast<R>(std::move(*obj));
  }
  // The guest dropped its handle (the resource destructor): the object goes
  // unless children keep it alive. Unknown reps are ignored.
  void drop(uint32_t rep);
  size_t children(uint32_t rep) const;

 private:
  struct Entry {
    std::shared_ptr<void> obj;
    const void* tag = nullptr;
    uint32_t parent = 0;
    uint32_t children = 0;
    bool dropped = false;  // no handle any more; alive for its children
  };
  Result<uint32_t> insert_erased(std::shared_ptr<void> obj, const void* tag, uint32_t parent);
  const Entry* live(uint32_t rep, const void* tag) const;
  void* get_erased(uint32_t rep, const void* tag) const {
    const Entry* e = live(rep, tag);
    return e ? e->obj.get() : nullptr;
  }
  Result<std::shared_ptr<void>> take_erased(uint32_t rep, const void* tag);
  // Removes `rep`, then every dropped ancestor it was the last child of.
  void erase_chain(uint32_t rep);

  std::unordered_map<uint32_t, Entry> entries_;
  uint32_t next_ = 1;
  size_t max_;
};

}  // namespace wippy::component
