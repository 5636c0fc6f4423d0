// result.h — errors as values at layer boundaries (the base layer: includes
// nothing from the project's other folders).
// Result<T, E = Error> holds either a T or an E; Result<void, E> holds
// nothing or an E. Both convert implicitly from either side, so a function
// can `return value;` or `return error;`. Reading value() of an error (or
// error() of a value) is a programming error (std::bad_variant_access).
// E is Error by default: a kind (so traps are told apart from malformed or
// invalid input), a message for people that names where the problem is
// (byte offset, function index, ...), and an optional structured payload
// (an exit status, an errno) for callers that need more than the kind.
// A layer whose errors are codes uses its own E (fs's FsErrc, net's
// ErrorCode and HttpError).
// WIPPY_TRY(expr) returns the error of the Result `expr` from the enclosing
// function; WIPPY_TRY_ASSIGN(var, expr) declares `var` as a reference to
// the value of `expr`, or returns its error.
// Threads: Error and Result are plain values with no shared state; they are
// as thread-safe as T and E (a const one may be read from several threads,
// and one may be moved to another thread).
#pragma once
#include <optional>
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

// Error{kind, message} stays an aggregate; the payload fields are optional.
struct Error {
  ErrorKind kind = ErrorKind::Other;
  std::string message;
  std::optional<int> exit_code = std::nullopt;  // the guest's exit status (wasi:cli/exit, proc_exit)
  int sys_errno = 0;                            // the host errno behind an Io error, when known
};

inline Error make_error(ErrorKind k, std::string msg) { return Error{k, std::move(msg)}; }

template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(E err) : v_(std::in_place_index<1>, std::move(err)) {}
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
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E err) : err_(std::move(err)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const { return err_; }
  E& error() { return err_; }

 private:
  E err_{};
  bool ok_ = true;
};

}  // namespace wippy

#define WIPPY_TRY(expr)                                 \
  do {                                                  \
    auto wippy_try_r_ = (expr);                         \
    if (!wippy_try_r_) return std::move(wippy_try_r_.error()); \
  } while (0)

#define WIPPY_TRY_ASSIGN(var, expr)                \
  auto var##_r = (expr);                           \
  if (!var##_r) return std::move(var##_r.error()); \
  auto& var = *var##_r
