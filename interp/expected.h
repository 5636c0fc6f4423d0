// expected.h — a value or an error code, for layers whose errors are codes.
// Contract: Expected<T, E> holds either a T or an E (an enum of error
// codes, or a small error struct); Expected<void, E> holds nothing or an E. Both convert implicitly
// from either side so a function can `return value;` or `return code;`.
// Reading value() of an error (or error() of a value) is a programming
// error (std::bad_variant_access). Result<T> (result.h) is the richer form
// with a kind and a message; this one is for a layer's own error type such
// as the filesystem's FsErrc, wasi:sockets' error-code or net's HttpError.
#pragma once
#include <utility>
#include <variant>

namespace wippy {

template <class T, class E>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Expected(E err) : v_(std::in_place_index<1>, std::move(err)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(v_); }
  E& error() { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Expected<void, E> {
 public:
  Expected() = default;
  Expected(E err) : err_(std::move(err)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const { return err_; }
  E& error() { return err_; }

 private:
  E err_{};
  bool ok_ = true;
};

}  // namespace wippy
