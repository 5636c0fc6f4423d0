// worker.h — a thread running its own dispatcher loop, for a Runtime's
// calls on every core (RuntimeOptions::workers).
// Contract:
//  * The constructor starts the thread and its disp::Loop (options `lo`)
//    and returns once the loop exists; a thread or loop that cannot be made
//    is reported by start()'s Result.
//  * spawn(work, refuse) is thread-safe: `work` runs on a new fiber of the
//    worker's loop, soon; if no fiber can be made there, `refuse` runs on
//    the worker thread instead (outside any fiber). Exactly one of them
//    runs.
//  * stop(last) (at most once; the destructor calls it when not yet done):
//    `last` runs on a fiber of the loop after every earlier spawn has been
//    posted (e.g. to destroy objects that belong to the loop's thread),
//    then the loop finishes its remaining fibers and the thread is joined.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "dispatcher/cross_wake.h"
#include "dispatcher/loop.h"
#include "interp/result.h"

namespace wippy {

class Worker {
 public:
  static Result<std::unique_ptr<Worker>> start(disp::LoopOptions lo);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void spawn(std::function<void()> work, std::function<void()> refuse);
  void stop(std::function<void()> last = {});

 private:
  explicit Worker(disp::CrossWake stop_wake) : stop_wake_(std::move(stop_wake)) {}
  void main(disp::LoopOptions lo, disp::CrossWake& ready, std::string& failure);

  disp::CrossWake stop_wake_;        // the keeper fiber waits on it
  std::function<void()> last_;       // set by stop() before the wake
  disp::Loop* loop_ = nullptr;       // lives on the worker thread's stack
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace wippy
