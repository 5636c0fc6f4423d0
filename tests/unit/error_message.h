// error_message.h — test helper: the message of a result that must have
// failed (REQUIREd) with a given ErrorKind (CHECKed), for the test to look
// into.
#pragma once
#include <doctest/doctest.h>

#include <string>

#include "base/result.h"

namespace wippy::testing {

// `r` is any result with ok() and error() (Result<T>, Status).
template <class R>
std::string error_message(const R& r, ErrorKind kind) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == kind);
  return r.error().message;
}

}  // namespace wippy::testing
