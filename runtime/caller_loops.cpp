// caller_loops.cpp — kept loops for calls made outside any fiber.
#include "runtime/caller_loops.h"

#include <algorithm>
#include <optional>

#include "base/process_id.h"

namespace wippy {

CallerLoops::~CallerLoops() {
  const pid_t pid = current_pid();
  for (Kept& k : kept_)
    if (k.pid != pid) (void)k.loop.release();  // inherited across fork: see the header
}

size_t CallerLoops::kept() const {
  std::lock_guard lock(mu_);
  return kept_.size();
}

Result<disp::Loop*> CallerLoops::find_or_make() {
  const pid_t pid = current_pid();
  const std::thread::id self = std::this_thread::get_id();
  std::lock_guard lock(mu_);
  std::erase_if(kept_, [pid](Kept& k) {
    if (k.pid == pid) return false;
    (void)k.loop.release();
    return true;
  });
  for (Kept& k : kept_)
    if (k.thread == self) return disp::Loop::current() == k.loop.get() ? nullptr : k.loop.get();
  if (kept_.size() >= capacity_) return static_cast<disp::Loop*>(nullptr);
  auto made = disp::Loop::create(opts_);
  if (!made) return made.error();
  kept_.push_back(Kept{std::move(*made), self, pid});
  return kept_.back().loop.get();
}

void CallerLoops::drop(disp::Loop* loop) {
  std::unique_ptr<disp::Loop> gone;  // destroyed outside the lock
  std::lock_guard lock(mu_);
  for (auto it = kept_.begin(); it != kept_.end(); ++it)
    if (it->loop.get() == loop) {
      gone = std::move(it->loop);
      kept_.erase(it);
      break;
    }
}

Result<void> CallerLoops::run(const std::function<void()>& body,
                              const std::function<void(disp::Loop*, disp::FiberHandle)>& watch) {
  auto found = find_or_make();
  if (!found) return found.error();
  std::unique_ptr<disp::Loop> own;
  disp::Loop* loop = *found;
  if (loop == nullptr) {
    auto made = disp::Loop::create(opts_);
    if (!made) return made.error();
    own = std::move(*made);
    loop = own.get();
  }
  bool finished = false;
  const disp::FiberHandle h = loop->spawn([&] {
    body();
    finished = true;
  });
  if (!h.valid()) return make_error(ErrorKind::Exhaustion, "cannot create a fiber for the call");
  if (watch) watch(loop, h);
  loop->run();
  if (watch) watch(nullptr, {});
  if (!finished) {
    if (!own) drop(loop);
    return make_error(ErrorKind::Other, "the call did not finish (nothing left could wake it)");
  }
  return {};
}

}  // namespace wippy
