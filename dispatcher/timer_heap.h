// timer_heap.h — a binary min-heap of timer deadlines with O(log n) removal.
// Contract: TimerNodes are owned by their users (fibers, LoopTimers); the
// heap only points at them and records each node's position in it, so a node
// must be removed before it is destroyed. Equal deadlines fire in the order
// they were pushed (a sequence number breaks ties). Not thread-safe.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wippy::disp {

struct TimerNode {
  static constexpr size_t kNotQueued = SIZE_MAX;
  uint64_t deadline = 0;
  uint64_t seq = 0;
  size_t index = kNotQueued;
  void (*fire)(TimerNode&) = nullptr;  // called when the deadline is reached
  void* owner = nullptr;               // for fire()
  bool queued() const { return index != kNotQueued; }
};

class TimerHeap {
 public:
  void push(TimerNode& n, uint64_t deadline);  // n must not be queued
  void remove(TimerNode& n);                   // no-op when not queued
  TimerNode* top() const { return h_.empty() ? nullptr : h_.front(); }
  void pop() { remove(*h_.front()); }
  bool empty() const { return h_.empty(); }
  size_t size() const { return h_.size(); }
  uint64_t next_seq() const { return seq_; }

 private:
  static bool less(const TimerNode* a, const TimerNode* b) {
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
  }
  void place(size_t i, TimerNode* n) {
    h_[i] = n;
    n->index = i;
  }
  void sift_up(size_t i);
  void sift_down(size_t i);

  std::vector<TimerNode*> h_;
  uint64_t seq_ = 0;
};

}  // namespace wippy::disp
