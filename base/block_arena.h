// block_arena.h — BlockArena<T, kBlock>: objects made one at a time in
// blocks of kBlock, never moved, so an object's address stays valid for the
// arena's life and making one is not an allocation of its own. Each block's
// objects are default-constructed with it; all are destroyed with the arena
// or by clear(), in no order to rely on.
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

namespace wippy {

template <class T, size_t kBlock>
class BlockArena {
 public:
  T* make() {
    if (used_ == kBlock) {
      blocks_.push_back(std::make_unique<T[]>(kBlock));
      used_ = 0;
    }
    return &blocks_.back()[used_++];
  }
  size_t size() const { return blocks_.empty() ? 0 : (blocks_.size() - 1) * kBlock + used_; }
  void clear() {
    blocks_.clear();
    used_ = kBlock;
  }

 private:
  std::vector<std::unique_ptr<T[]>> blocks_;
  size_t used_ = kBlock;
};

}  // namespace wippy
