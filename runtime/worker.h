// worker.h — a thread running its own dispatcher loop, for a Runtime's
// calls on every core (RuntimeOptions::workers).
// Contract:
//  * start(lo) starts the thread and its disp::Loop (options `lo`) and
//    returns once the loop exists; a thread or loop that cannot be made is
//    its error. The loop runs until stop(), waiting for work meanwhile.
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

#include "base/result.h"
#include "dispatcher/cross_wake.h"
#include "dispatcher/loop.h"
#include "dispatcher/pollable.h"

namespace wippy {

class Worker {
 public:
  static Result<std::unique_ptr<Worker>> start(disp::LoopOptions lo);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void spawn(std::function<void()> work, std::function<void()> refuse);
  void stop(std::function<void()> last = {});
  // The worker's loop (for recognising calls already on it).
  const disp::Loop* loop() const { return loop_; }

 private:
  Worker() = default;
  void main(disp::LoopOptions lo, disp::CrossWake& ready, std::string& failure);

  // The keeper fiber waits on stop_event_ until stopping_ (both touched on
  // the worker thread only, by stop()'s post).
  std::shared_ptr<disp::Event> stop_event_ = std::make_shared<disp::Event>();
  bool stopping_ = false;
  std::function<void()> last_;       // set by stop()'s post
  disp::Loop* loop_ = nullptr;       // owned by the worker thread (main())
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace wippy
