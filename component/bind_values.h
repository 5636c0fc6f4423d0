// bind_values.h — the C++ vocabulary of the typed host-binding API
// (bind.h) for WIT types that have no standard C++ counterpart:
//   WitResult<T, E>      result<T, E>; `void` for a missing payload
//                        (WitResult<> is `result`); built from wit_ok(v) /
//                        wit_err(e), which convert to any compatible result
//   WitCase<"name", T>      one case of a variant; a variant is a
//                        std::variant<WitWitCase<...>...> whose cases are listed in
//                        WIT order (WitCase<"name"> has no payload)
//   Own<R>, Borrow<R>    handles to resource R, carrying its run-time type
//                        and representation (rep); R = void accepts any
//                        resource (checked when the value crosses, not at link)
// and the descriptions that map user types onto records, enums and flags.
// A user type opts in with a function found by argument-dependent lookup:
//   struct Datetime { uint64_t seconds; uint32_t nanoseconds; };
//   inline auto wit_describe(const Datetime*) {
//     return wit_record(wit_field("seconds", &Datetime::seconds),
//                       wit_field("nanoseconds", &Datetime::nanoseconds));
//   }
//   enum class Color { red, green };   // values 0..N-1, cases in WIT order
//   inline auto wit_describe(const Color*) { return wit_enum<Color>("red", "green"); }
//   enum class Perm : uint8_t { read = 1, write = 2 };  // bit i = label i
//   inline auto wit_describe(const Perm*) { return wit_flags<Perm>("read", "write"); }
// Names are the WIT (kebab-case) names; they are checked against the
// importing component's types when it is instantiated.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "component/val.h"

namespace wippy::component {

// ---- result ------------------------------------------------------------------

template <class T>
struct WitOk {
  T value;
};
template <>
struct WitOk<void> {};
template <class E>
struct WitErr {
  E value;
};
template <>
struct WitErr<void> {};

template <class T>
WitOk<std::decay_t<T>> wit_ok(T&& v) { return {std::forward<T>(v)}; }
inline WitOk<void> wit_ok() { return {}; }
template <class E>
WitErr<std::decay_t<E>> wit_err(E&& e) { return {std::forward<E>(e)}; }
inline WitErr<void> wit_err() { return {}; }

template <class T = void, class E = void>
class WitResult {
  template <class X>
  using Slot = std::conditional_t<std::is_void_v<X>, std::monostate, X>;

 public:
  template <class U>
    requires(std::is_void_v<T> ? std::is_void_v<U> : std::is_constructible_v<Slot<T>, U>)
  WitResult(WitOk<U> ok) : v_(std::in_place_index<0>, take(std::move(ok))) {}
  template <class U>
    requires(std::is_void_v<E> ? std::is_void_v<U> : std::is_constructible_v<Slot<E>, U>)
  WitResult(WitErr<U> err) : v_(std::in_place_index<1>, take(std::move(err))) {}

  WitResult() : v_(std::in_place_index<0>) {}  // ok, with a default payload

  bool is_ok() const { return v_.index() == 0; }
  const Slot<T>& value() const { return std::get<0>(v_); }
  const Slot<E>& error() const { return std::get<1>(v_); }

 private:
  template <class W>
  static auto take(W&& w) {
    if constexpr (requires { w.value; }) return std::move(w.value);
    else return std::monostate{};
  }
  std::variant<Slot<T>, Slot<E>> v_;
};

// ---- variant cases -------------------------------------------------------------

template <size_t N>
struct CaseName {
  char chars[N]{};
  constexpr CaseName(const char (&s)[N]) {
    for (size_t i = 0; i < N; ++i) chars[i] = s[i];
  }
  constexpr std::string_view view() const { return {chars, N - 1}; }
};

template <CaseName Name, class T = void>
struct WitCase {
  using Payload = T;
  static constexpr std::string_view name = Name.view();
  T value;
};
template <CaseName Name>
struct WitCase<Name, void> {
  using Payload = void;
  static constexpr std::string_view name = Name.view();
};

// ---- resource handles ----------------------------------------------------------

// The identity of C++ resource type R (Resource::host_type).
template <class R>
inline constexpr char kResourceTag = 0;
template <class R>
const void* resource_tag() { return &kResourceTag<R>; }

template <class R, ValKind K>
class Handle {
 public:
  Handle() = default;
  Handle(ResourceRef type, uint32_t rep) : type_(std::move(type)), rep_(rep) {}
  uint32_t rep() const { return rep_; }
  const ResourceRef& type() const { return type_; }

 private:
  ResourceRef type_;
  uint32_t rep_ = 0;
};

// An own handle: a host function receiving one owns the rep from then on
// (HostResource::take()); one returned moves to the guest.
template <class R = void>
using Own = Handle<R, ValKind::Own>;
// A borrow, valid for the duration of the call.
template <class R = void>
using Borrow = Handle<R, ValKind::Borrow>;

// ---- records, enums, flags -----------------------------------------------------

template <class S, class M>
struct FieldDesc {
  std::string_view name;
  M S::*member;
};
template <class S, class M>
constexpr FieldDesc<S, M> wit_field(std::string_view name, M S::*member) { return {name, member}; }

template <class S, class... F>
struct RecordDesc {
  std::tuple<F...> fields;
};
template <class S, class... M>
constexpr RecordDesc<S, FieldDesc<S, M>...> wit_record(FieldDesc<S, M>... fields) {
  return {{fields...}};
}

// The labels of an enum (Kind = ValKind::Enum) or flags (ValKind::Flags)
// bound to C++ enum E.
template <class E, ValKind Kind, size_t N>
struct LabelsDesc {
  static_assert(std::is_enum_v<E>, "wit_enum / wit_flags describe a C++ enum");
  static_assert(Kind != ValKind::Flags || N <= 32, "wit_flags: at most 32 labels");
  std::array<std::string_view, N> labels;
};
template <class E, class... L>
constexpr LabelsDesc<E, ValKind::Enum, sizeof...(L)> wit_enum(L... labels) {
  return {{std::string_view(labels)...}};
}
template <class E, class... L>
constexpr LabelsDesc<E, ValKind::Flags, sizeof...(L)> wit_flags(L... labels) {
  return {{std::string_view(labels)...}};
}

}  // namespace wippy::component
