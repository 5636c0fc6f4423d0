// timer_heap.cpp — sift operations of the timer min-heap.
#include "dispatcher/timer_heap.h"

namespace wippy::disp {

void TimerHeap::push(TimerNode& n, uint64_t deadline) {
  n.deadline = deadline;
  n.seq = seq_++;
  h_.push_back(&n);
  n.index = h_.size() - 1;
  sift_up(n.index);
}

void TimerHeap::remove(TimerNode& n) {
  if (!n.queued()) return;
  const size_t i = n.index;
  TimerNode* last = h_.back();
  h_.pop_back();
  n.index = TimerNode::kNotQueued;
  if (last == &n) return;
  place(i, last);
  sift_up(i);
  sift_down(last->index);
}

void TimerHeap::sift_up(size_t i) {
  TimerNode* n = h_[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!less(n, h_[parent])) break;
    place(i, h_[parent]);
    i = parent;
  }
  place(i, n);
}

void TimerHeap::sift_down(size_t i) {
  TimerNode* n = h_[i];
  const size_t size = h_.size();
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && less(h_[child + 1], h_[child])) ++child;
    if (!less(h_[child], n)) break;
    place(i, h_[child]);
    i = child;
  }
  place(i, n);
}

}  // namespace wippy::disp
