// test_loop.h — test helper: a fresh disp::Loop for a unit test.
// Contract: make_loop() returns Loop::create(opts)'s loop, never null; a
// failure to create one fails the test with its message (doctest REQUIRE).
// Tests keep the owner and bind a reference:
//   auto loop_owner = wippy::testing::make_loop();
//   disp::Loop& loop = *loop_owner;
#pragma once
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "dispatcher/loop.h"

namespace wippy::testing {

inline std::unique_ptr<disp::Loop> make_loop(disp::LoopOptions opts = {}) {
  auto made = disp::Loop::create(opts);
  REQUIRE_MESSAGE(made.ok(), (made ? std::string() : made.error().message));
  return std::move(*made);
}

}  // namespace wippy::testing
