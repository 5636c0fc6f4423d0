// no_throw.h — the C++ embedding API's exception boundary (runtime/ only).
// Contract: no_throw(f, during) returns f(), a Result; an exception thrown
// on the calling thread becomes an error value instead of leaving the API:
// std::bad_alloc is ErrorKind::Exhaustion "out of memory[ <during>]", any
// other std::exception ErrorKind::Other "internal error[ <during>]: <what>".
// The members of wippy::Runtime, api::Linker and api::Instance that return
// a Result run their bodies through it. (An exception on a fiber still
// aborts, see dispatcher/loop.h.)
#pragma once
#include <exception>
#include <new>
#include <string_view>

#include <fmt/format.h>

#include "base/result.h"

namespace wippy {

template <class F>
auto no_throw(F&& f, std::string_view during = {}) -> decltype(f()) {
  const std::string_view sep = during.empty() ? "" : " ";
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return make_error(ErrorKind::Exhaustion, fmt::format("out of memory{}{}", sep, during));
  } catch (const std::exception& e) {
    return make_error(ErrorKind::Other, fmt::format("internal error{}{}: {}", sep, during, e.what()));
  }
}

}  // namespace wippy
