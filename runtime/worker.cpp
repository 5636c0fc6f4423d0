// worker.cpp — Worker (see worker.h): a thread whose loop is kept running
// by one keeper fiber until stop() wakes it.
#include "runtime/worker.h"

#include <fmt/format.h>

#include <exception>
#include <string>
#include <system_error>

#include "base/huge_heap.h"
#include "dispatcher/this_fiber.h"

namespace wippy {

Result<std::unique_ptr<Worker>> Worker::start(disp::LoopOptions lo) {
  disp::CrossWake ready;
  std::unique_ptr<Worker> w(new Worker());
  std::string failure;
  try {
    w->thread_ = std::thread([&w = *w, lo, &ready, &failure] { w.main(lo, ready, failure); });
  } catch (const std::system_error& e) {
    w->stopped_ = true;
    return make_error(ErrorKind::Exhaustion, fmt::format("cannot start a worker thread: {}", e.what()));
  }
  ready.wait();
  if (!failure.empty()) {
    w->thread_.join();
    w->stopped_ = true;
    return make_error(ErrorKind::Exhaustion, fmt::format("worker thread: {}", failure));
  }
  return w;
}

void Worker::main(disp::LoopOptions lo, disp::CrossWake& ready, std::string& failure) {
  // This thread's malloc arena on huge pages, when the process put its
  // main heap there (base/huge_heap.h; wippy-bench does): an embedder's
  // heap is left as it is.
  put_thread_heap_on_huge_pages();
  std::unique_ptr<disp::Loop> loop;
  if (auto made = disp::Loop::create(lo))
    loop = std::move(*made);
  else
    failure = made.error().message;
  if (loop && !loop->spawn([this] {
                     disp::Pollable p = disp::Pollable::on(stop_event_);
                     while (!stopping_)
                       if (disp::this_fiber::block(p) != disp::Errc::ok) break;
                     if (last_) last_();
                   }).valid())
    failure = "cannot create the keeper fiber";
  loop_ = failure.empty() ? loop.get() : nullptr;
  // Posts may come at any time: the loop waits for them, never Stalled,
  // until stop()'s post lets go.
  if (loop_) loop_->add_ref();
  ready.signal();  // `ready` and `failure` are not touched after this
  if (!loop_) return;
  loop->run();
  loop.reset();
}

void Worker::spawn(std::function<void()> work, std::function<void()> refuse) {
  loop_->post([this, work = std::move(work), refuse = std::move(refuse)]() mutable {
    if (!loop_->spawn(std::move(work)).valid()) refuse();
  });
}

void Worker::stop(std::function<void()> last) {
  if (stopped_) return;
  stopped_ = true;
  // Posted, so it runs after every spawn posted before it; the keeper
  // fiber then runs `last` and ends, and run() returns when the rest do.
  loop_->post([this, last = std::move(last)]() mutable {
    last_ = std::move(last);
    stopping_ = true;
    stop_event_->notify();
    loop_->release_ref();
  });
  thread_.join();
}

Worker::~Worker() { stop(); }

}  // namespace wippy
