// result.h — errors as values at layer boundaries.
// Result<T> holds either a T or an Error. Error carries a kind (so traps are
// told apart from malformed/invalid input) and a human-readable message that
// names where the problem is (byte offset, function index, ...).
// Threads: Error and Result<T> are plain values with no shared state; they
// are as thread-safe as T (a const one may be read from several threads,
// and one may be moved to another thread).
#pragma once
#include <string>
#include <utility>
#include <variant>

namespace wippy {

enum class ErrorKind {
  Malformed,     // binary or text could not be decoded/parsed
  Invalid,       // decoded but fails validation
  Unlinkable,    // imports do not match
  Uninstantiable,// instantiation failed (e.g. segment out of bounds, start trapped)
  Trap,          // a runtime trap while executing guest code
  Exhaustion,    // call stack exhausted (also a trap, reported apart)
  Io,            // host I/O failure
  Other,
  Interrupted,   // a call ended by its deadline or an interrupt request (wippy/instance.h)
  Exit,          // the guest called wasi:cli/exit where a value was expected
};

const char* error_kind_name(ErrorKind k);

struct Error {
  ErrorKind kind = ErrorKind::Other;
  std::string message;
};

inline Error make_error(ErrorKind k, std::string msg) { return Error{k, std::move(msg)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error err) : v_(std::in_place_index<1>, std::move(err)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }
  Error& error() { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error err) : err_(std::move(err)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }
  Error& error() { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

}  // namespace wippy
