// sanitizer.h — whether this build runs under AddressSanitizer.
// Contract: kAddressSanitizer is true in a -fsanitize=address build (gcc's
// __SANITIZE_ADDRESS__ or clang's __has_feature), false otherwise; code
// that must tell ASan about stack switches, or size stacks for its
// redzones, branches on it at compile time.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define WIPPY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WIPPY_ASAN 1
#endif
#endif

namespace wippy::disp {

#if defined(WIPPY_ASAN)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace wippy::disp
