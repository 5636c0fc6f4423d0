// wait_list.h — intrusive lists of parked fibers waiting on one condition.
// Contract: a WaitNode lives on the waiting fiber's stack for the duration
// of one wait and is linked into at most one WaitList (an fd's readers or
// writers, a Pollable, a fiber's joiners). Waking marks the node `fired` and
// makes the fiber runnable but leaves it linked; the waiter unlinks its own
// nodes when it resumes. Not thread-safe.
#pragma once

namespace wippy::disp {

struct Fiber;
class WaitList;

struct WaitNode {
  Fiber* fiber = nullptr;
  WaitList* list = nullptr;  // where it is linked, or nullptr
  WaitNode* prev = nullptr;
  WaitNode* next = nullptr;
  bool fired = false;
};

class WaitList {
 public:
  WaitList() = default;
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;

  bool empty() const { return head_ == nullptr; }
  WaitNode* front() const { return head_; }

  void push_back(WaitNode& n) {
    n.list = this;
    n.prev = tail_;
    n.next = nullptr;
    (tail_ ? tail_->next : head_) = &n;
    tail_ = &n;
  }
  void remove(WaitNode& n) {
    if (n.list != this) return;
    (n.prev ? n.prev->next : head_) = n.next;
    (n.next ? n.next->prev : tail_) = n.prev;
    n.prev = n.next = nullptr;
    n.list = nullptr;
  }

 private:
  WaitNode* head_ = nullptr;
  WaitNode* tail_ = nullptr;
};

}  // namespace wippy::disp
