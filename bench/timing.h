// timing.h — wall-clock timing and the statistics wippy-bench reports:
// a monotonic millisecond clock, the median of a sample (the mean of the
// two middle values for even sizes), the geometric mean of ratios, and the
// process's peak resident set.
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace wippy::bench {

inline double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

inline double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  size_t mid = v.size() / 2;
  return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2.0;
}

// exp(mean(log(x))); 0 for an empty input. All values must be positive.
inline double geometric_mean(const std::vector<double>& v) {
  if (v.empty()) return 0.0;
  double sum = 0.0;
  for (double x : v) sum += std::log(x);
  return std::exp(sum / double(v.size()));
}

// Peak resident set size in MiB (VmHWM), 0 when /proc is unavailable.
inline long peak_rss_mb() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmHWM:") {
      long kb = 0;
      in >> kb;
      return (kb + 512) / 1024;
    }
    in.ignore(1 << 12, '\n');
  }
  return 0;
}

}  // namespace wippy::bench
