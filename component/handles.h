// handles.h — per-component-instance resource handle tables and the
// bookkeeping of one call for the own/borrow rules (CanonicalABI.md
// "Handle State", resource.drop, lift/lower of own and borrow):
//  - index 0 is never a valid handle; freed slots are reused;
//  - using a dropped or never-created handle, or a handle of another
//    resource type, traps;
//  - an own handle lent out as a borrow (num_lends > 0) cannot be dropped or
//    moved out;
//  - borrows lowered into a callee count against the callee's CallScope and
//    must all be dropped before the call returns.
#pragma once
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "base/result.h"
#include "component/val.h"

namespace wippy::component {

// Book-keeping of one call crossing a component boundary.
struct CallScope {
  uint32_t borrow_count = 0;  // callee side: borrows lowered in, not yet dropped
  std::vector<std::pair<class HandleTable*, uint32_t>> lenders;  // caller side
};

struct HandleEntry {
  ResourceRef type;
  uint32_t rep = 0;
  bool own = true;
  uint32_t num_lends = 0;
  std::shared_ptr<CallScope> scope;  // borrow: the call it was lent into
  bool live = false;
};

class HandleTable {
 public:
  uint32_t add(HandleEntry e);
  // The live entry `index` of resource `type` (any type when null), or a trap.
  Result<HandleEntry*> get(uint32_t index, const Resource* type);
  // Removes and returns the entry (trapping as get() does).
  Result<HandleEntry> remove(uint32_t index, const Resource* type);
  size_t live_count() const;

 private:
  std::vector<HandleEntry> entries_{HandleEntry{}};  // slot 0 reserved
  std::vector<uint32_t> free_;
};

// Releases the lends recorded in `scope` (end of a lowered call).
void release_lenders(CallScope& scope);

}  // namespace wippy::component
