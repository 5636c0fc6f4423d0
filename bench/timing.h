// timing.h — wall-clock timing and the statistics wippy-bench reports:
// a monotonic millisecond clock, the median of a sample (the mean of the
// two middle values for even sizes) and the geometric mean of ratios.
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
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

}  // namespace wippy::bench
