// loop_or_exit.h — helper for programs without doctest (the fuzz driver,
// wippy-bench, the HTTP test server's run_fiber): a fresh disp::Loop.
// Contract: returns Loop::create(opts)'s loop, never null; when it cannot
// be created, prints the error on stderr and exits the process with 1.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "dispatcher/loop.h"

namespace wippy::testing {

inline std::unique_ptr<disp::Loop> loop_or_exit(disp::LoopOptions opts = {}) {
  auto made = disp::Loop::create(opts);
  if (!made) {
    std::fprintf(stderr, "%s\n", made.error().message.c_str());
    std::exit(1);
  }
  return std::move(*made);
}

}  // namespace wippy::testing
