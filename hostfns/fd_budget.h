// fd_budget.h — FdBudget: how many host descriptors one instance may hold
// open (limits.max_open_files).
// Contract: acquire() returns a slot for one more open descriptor, or null
// when `max` are already held; the descriptor counts until its slot is
// destroyed (keep the slot with the object that owns the descriptor). Slots
// may outlive the FdBudget. max 0 means no limit. One thread.
#pragma once
#include <cstddef>
#include <memory>

namespace wippy::hostfns {

class FdBudget {
 public:
  explicit FdBudget(size_t max = 0) : state_(std::make_shared<State>()) { state_->max = max; }

  void set_max(size_t max) { state_->max = max; }
  size_t max() const { return state_->max; }
  size_t used() const { return state_->used; }

  std::shared_ptr<const void> acquire() const {
    if (state_->max != 0 && state_->used >= state_->max) return nullptr;
    ++state_->used;
    return std::make_shared<Slot>(state_);
  }

 private:
  struct State {
    size_t used = 0;
    size_t max = 0;
  };
  struct Slot {
    explicit Slot(std::shared_ptr<State> s) : state(std::move(s)) {}
    ~Slot() { --state->used; }
    std::shared_ptr<State> state;
  };
  std::shared_ptr<State> state_;
};

}  // namespace wippy::hostfns
