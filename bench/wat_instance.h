// wat_instance.h — the benchmarks' one way to run a WAT module: text to
// binary, decode, validate and instantiate it (no imports) in `store`; to
// time an export f(n) that must return n; and the frame of a command that
// times exports (tail-calls, exceptions, gc): its --runs and --n, its header
// line, and one timing per export.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "args.h"
#include "interp/store.h"

namespace wippy::bench {

Result<Instance*> instantiate_wat(Store& store, std::string_view wat);

// instantiate_wat, or nullptr after printing `FAIL load: <message>`.
Instance* instantiate_wat_or_report(Store& store, std::string_view wat);

// Median ms of `runs` calls of `f`(arg) after a warm-up call; each must
// return the i32 `want`. < 0 on a wrong result or a trap (printed, naming
// `name` and `n`, the argument's value).
double median_call_ms(Store& store, FuncInst* f, const char* name, Value arg, uint64_t n, uint32_t want, int runs);

// Median ms of `runs` calls of `f`(n) (i32) after a warm-up call; each must
// return n. < 0 on a wrong result or a trap (printed, naming `name`).
double median_call_ms(Store& store, FuncInst* f, const char* name, uint32_t n, int runs);

// --runs (default 3) and --n (default `default_n`) of a command timing exports.
struct TimingArgs {
  int runs;
  uint64_t n;
};
TimingArgs timing_args(const Args& args, uint64_t default_n);

// Prints a timing command's header: "<command>: n=<n> <what>, median of <runs> runs".
void print_timing_header(const char* command, const TimingArgs& t, const char* what);

// instantiate_wat_or_report, then print_timing_header when it loaded.
Instance* start_timing(Store& store, std::string_view wat, const char* command, const TimingArgs& t,
                       const char* what);

// Times each of `names` with `time_ms`(name) (< 0 on a failure, already
// printed) and passes each success to `report`(name, ms); 1 if any failed.
template <typename TimeMs, typename Report>
int time_each(std::initializer_list<const char*> names, TimeMs time_ms, Report report) {
  int status = 0;
  for (const char* name : names) {
    const double ms = time_ms(name);
    if (ms < 0)
      status = 1;
    else
      report(name, ms);
  }
  return status;
}

}  // namespace wippy::bench
