// same_owner.h — whether a weak reference and a shared or weak pointer
// share one control block (owner-equivalence): a remembered object is still
// the one in hand, decided without lock() and its reference-count traffic.
// The weak reference keeps the control block from being reused, so an
// expired one never compares equal to a new object.
#pragma once
#include <memory>

namespace wippy {

// P: std::shared_ptr<U> or std::weak_ptr<U>.
template <class T, class P>
bool same_owner(const std::weak_ptr<T>& w, const P& p) {
  return !w.owner_before(p) && !p.owner_before(w);
}

}  // namespace wippy
