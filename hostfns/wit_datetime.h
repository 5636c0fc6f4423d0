// wit_datetime.h — wasi:clocks/wall-clock's `datetime` record
// {seconds: u64, nanoseconds: u32} for the typed binding API, shared by
// clocks_wall.cpp and the wasi:filesystem files (stat timestamps,
// new-timestamp). datetime_of() converts a timespec at or after the epoch.
#pragma once
#include <time.h>

#include <cstdint>

#include "component/bind.h"

namespace wippy::hostfns {

struct Datetime {
  uint64_t seconds = 0;
  uint32_t nanoseconds = 0;
};
inline auto wit_describe(const Datetime*) {
  return component::wit_record(component::wit_field("seconds", &Datetime::seconds),
                               component::wit_field("nanoseconds", &Datetime::nanoseconds));
}

inline Datetime datetime_of(const timespec& ts) { return {uint64_t(ts.tv_sec), uint32_t(ts.tv_nsec)}; }

}  // namespace wippy::hostfns
