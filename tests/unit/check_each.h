// check_each.h — test helper: one predicate checked over a list of inputs.
// Contract: check_each(pred, want, {inputs...}) runs a doctest CHECK that
// pred(input) == want for every input, in order, naming the failing input
// (INFO); inputs are anything `pred` takes and doctest can print.
#pragma once
#include <doctest/doctest.h>

#include <initializer_list>

namespace wippy::testing {

template <class Pred, class T>
void check_each(Pred pred, bool want, std::initializer_list<T> inputs) {
  for (const T& input : inputs) {
    INFO("input: " << input);
    CHECK(static_cast<bool>(pred(input)) == want);
  }
}

}  // namespace wippy::testing
