// bind_convert.h — WitType<T>: how the typed host API (bind.h) maps one C++
// type onto a component value type. Each mapping provides
//   name()          the WIT spelling of the C++ side, for messages
//   check(t)        "" when the component's declared type `t` is what the
//                   C++ type expects, else what differs (run at link time)
//   to_val(x)       a host value -> Val (results)
//   Stored, from_val(v, out)
//                   Val -> the C++ value (arguments); false when the Val is
//                   not of the shape check() accepted
// Mapped: bool; integers by width and signedness (u8..u64, s8..s64); float
// (f32), double (f64); char32_t (char); std::string, std::string_view
// (string; a view points into the argument and lives for the call);
// std::vector<T> (list<T>); std::span<const T> (list<T>, as an argument
// it views a vector built for the call; lists of integers, float and
// double cross as packed Vals, one copy each way); std::optional<T> (option);
// WitResult<T, E> (result); std::tuple / std::pair (tuple); std::variant of
// WitWitCase<...> (variant); types with wit_describe() (record, enum, flags);
// Own<R> / Borrow<R> (own / borrow); Val itself (any type, unchecked).
// Element types of lists, options and the like must be their own stored
// form (no std::span inside a list).
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "component/bind_values.h"
#include "component/rtype.h"
#include "component/val.h"

namespace wippy::component {

namespace bind_detail {

// "" when t.kind == k, else "the host has <host>, the component declares <t>".
std::string expect_kind(const VType& t, ValKind k, std::string_view host);
std::string mismatch(std::string_view host, const VType& t);
// Label lists (record fields, cases, enum and flags labels) must agree.
std::string expect_labels(const VType& t, std::span<const std::string_view> labels, std::string_view what);
// Prefixes a nested mismatch with where it is ("field `x`: ...").
std::string nested(std::string_view where, std::string inner);
// "the host has no payload, the component declares <t>".
std::string unexpected_payload(const VType& t);

template <class>
inline constexpr bool kUnsupported = false;

template <class T>
concept Described = requires(const T* p) { wit_describe(p); };
template <class T>
using DescOf = decltype(wit_describe(static_cast<const T*>(nullptr)));

template <class D>
struct DescKind {
  static constexpr int value = 0;
};
template <class S, class... F>
struct DescKind<RecordDesc<S, F...>> {
  static constexpr int value = 1;
};
template <class E, size_t N>
struct DescKind<LabelsDesc<E, ValKind::Enum, N>> {
  static constexpr int value = 2;
};
template <class F, size_t N>
struct DescKind<LabelsDesc<F, ValKind::Flags, N>> {
  static constexpr int value = 3;
};

template <class T>
inline constexpr bool kIntegral = std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                  !std::is_same_v<T, char> && !std::is_same_v<T, char8_t> &&
                                  !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t> &&
                                  !std::is_same_v<T, wchar_t> && sizeof(T) <= 8;

template <class T>
constexpr ValKind int_kind() {
  constexpr bool s = std::is_signed_v<T>;
  switch (sizeof(T)) {
    case 1: return s ? ValKind::S8 : ValKind::U8;
    case 2: return s ? ValKind::S16 : ValKind::U16;
    case 4: return s ? ValKind::S32 : ValKind::U32;
    default: return s ? ValKind::S64 : ValKind::U64;
  }
}

// Element types whose lists cross as packed Vals (val.h): their memory
// form is the canonical ABI's on a little-endian host.
template <class T>
inline constexpr bool kPackable = std::endian::native == std::endian::little &&
                                  (kIntegral<T> || std::is_same_v<T, float> || std::is_same_v<T, double>);

template <class T>
constexpr ValKind packed_kind() {
  if constexpr (std::is_same_v<T, float>) return ValKind::F32;
  else if constexpr (std::is_same_v<T, double>) return ValKind::F64;
  else return int_kind<T>();
}

}  // namespace bind_detail

template <class T, class Enable = void>
struct WitType {
  static_assert(bind_detail::kUnsupported<T>, "this C++ type has no component-model (WIT) mapping");
};

// Shared by mappings whose argument form is the type itself.
template <class T>
struct SelfStored {
  using Stored = T;
};

// ---- scalars -------------------------------------------------------------------

// bool, integers, floats and char: one Val field each.
template <class T, ValKind K>
struct ScalarType : SelfStored<T> {
  static std::string name() { return val_kind_name(K); }
  static std::string check(const VType& t) { return bind_detail::expect_kind(t, K, name()); }
  static Val to_val(T x) {
    Val v;
    v.kind = K;
    if constexpr (K == ValKind::F32) v.f32 = x;
    else if constexpr (K == ValKind::F64) v.f64 = x;
    else if constexpr (std::is_signed_v<T>) v.u = uint64_t(int64_t(x));
    else v.u = uint64_t(x);
    return v;
  }
  static bool from_val(const Val& v, T& out) {
    if constexpr (K == ValKind::F32) out = v.f32;
    else if constexpr (K == ValKind::F64) out = v.f64;
    else if constexpr (K == ValKind::Bool) out = v.u != 0;
    else out = T(v.u);
    return v.kind == K;
  }
};

template <>
struct WitType<bool> : ScalarType<bool, ValKind::Bool> {};
template <class T>
struct WitType<T, std::enable_if_t<bind_detail::kIntegral<T>>> : ScalarType<T, bind_detail::int_kind<T>()> {};
template <>
struct WitType<float> : ScalarType<float, ValKind::F32> {};
template <>
struct WitType<double> : ScalarType<double, ValKind::F64> {};
template <>
struct WitType<char32_t> : ScalarType<char32_t, ValKind::Char> {};

template <>
struct WitType<std::string> : SelfStored<std::string> {
  static std::string name() { return "string"; }
  static std::string check(const VType& t) { return bind_detail::expect_kind(t, ValKind::String, name()); }
  static Val to_val(const std::string& s) { return Val::string(s); }
  static Val to_val(std::string&& s) { return Val::string(std::move(s)); }
  static bool from_val(const Val& v, std::string& out) {
    out = v.str;
    return v.kind == ValKind::String;
  }
};

template <>
struct WitType<std::string_view> : SelfStored<std::string_view> {
  static std::string name() { return "string"; }
  static std::string check(const VType& t) { return bind_detail::expect_kind(t, ValKind::String, name()); }
  static Val to_val(std::string_view s) { return Val::string(std::string(s)); }
  static bool from_val(const Val& v, std::string_view& out) {
    out = v.str;
    return v.kind == ValKind::String;
  }
};

// Any value: checked by the canonical ABI when it crosses, not at link time.
template <>
struct WitType<Val> : SelfStored<Val> {
  static std::string name() { return "any"; }
  static std::string check(const VType&) { return {}; }
  static Val to_val(Val v) { return v; }
  static bool from_val(const Val& v, Val& out) {
    out = v;
    return true;
  }
};

// ---- lists, options, results, tuples -------------------------------------------

namespace bind_detail {

template <class T>
void assert_self_stored() {
  static_assert(std::is_same_v<typename WitType<T>::Stored, T>,
                "element types must be stored as themselves (no std::span inside a list, option, ...)");
}

template <class T>
std::string check_list(const VType& t) {
  if (t.kind != ValKind::List) return mismatch("list<" + WitType<T>::name() + ">", t);
  return nested("list element", WitType<T>::check(*t.elems[0]));
}

template <class T, class Range>
Val list_to_val(const Range& r) {
  if constexpr (kPackable<T>) {
    std::vector<uint8_t> raw(std::size(r) * sizeof(T));
    if (!raw.empty()) std::memcpy(raw.data(), std::data(r), raw.size());
    return Val::packed_list(packed_kind<T>(), std::move(raw));
  }
  std::vector<Val> items;
  items.reserve(std::size(r));
  for (const auto& x : r) items.push_back(WitType<T>::to_val(x));
  return Val::list(std::move(items));
}

template <class T>
bool list_from_items(const std::vector<Val>& items, std::vector<T>& out) {
  out.reserve(items.size());
  for (const Val& item : items) {
    T x{};
    if (!WitType<T>::from_val(item, x)) return false;
    out.push_back(std::move(x));
  }
  return true;
}

template <class T>
bool list_from_val(const Val& v, std::vector<T>& out) {
  assert_self_stored<T>();
  if (v.kind != ValKind::List) return false;
  out.clear();
  if (v.is_packed()) {
    if constexpr (kPackable<T>) {
      if (v.packed_kind != packed_kind<T>()) return false;
      out.resize(v.list_size());
      if (!out.empty()) std::memcpy(out.data(), v.raw().data(), out.size() * sizeof(T));
      return true;
    }
    auto items = v.list_items();
    return list_from_items(items, out);
  }
  return list_from_items(v.items, out);
}

// A payload slot of an option/result/variant case: nullptr means none.
template <class T>
std::string check_payload(const VType* t, std::string_view where) {
  if constexpr (std::is_void_v<T>) {
    return t ? nested(where, unexpected_payload(*t)) : std::string();
  } else {
    if (!t) return nested(where, "the host has " + WitType<T>::name() + ", the component declares no payload");
    return nested(where, WitType<T>::check(*t));
  }
}

}  // namespace bind_detail

template <class T>
struct WitType<std::vector<T>> : SelfStored<std::vector<T>> {
  static std::string name() { return "list<" + WitType<T>::name() + ">"; }
  static std::string check(const VType& t) { return bind_detail::check_list<T>(t); }
  static Val to_val(const std::vector<T>& v) { return bind_detail::list_to_val<T>(v); }
  static bool from_val(const Val& v, std::vector<T>& out) { return bind_detail::list_from_val<T>(v, out); }
};

template <class T>
struct WitType<std::span<const T>> {
  using Stored = std::vector<T>;
  static std::string name() { return "list<" + WitType<T>::name() + ">"; }
  static std::string check(const VType& t) { return bind_detail::check_list<T>(t); }
  static Val to_val(std::span<const T> v) { return bind_detail::list_to_val<T>(v); }
  static bool from_val(const Val& v, std::vector<T>& out) { return bind_detail::list_from_val<T>(v, out); }
};

template <class T>
struct WitType<std::optional<T>> : SelfStored<std::optional<T>> {
  static std::string name() { return "option<" + WitType<T>::name() + ">"; }
  static std::string check(const VType& t) {
    if (t.kind != ValKind::Option) return bind_detail::mismatch(name(), t);
    return bind_detail::nested("option payload", WitType<T>::check(*t.elems[0]));
  }
  static Val to_val(const std::optional<T>& o) { return o ? Val::some(WitType<T>::to_val(*o)) : Val::none(); }
  static bool from_val(const Val& v, std::optional<T>& out) {
    bind_detail::assert_self_stored<T>();
    if (v.kind != ValKind::Option) return false;
    if (v.u == 0) {
      out.reset();
      return true;
    }
    if (v.items.size() != 1) return false;
    T x{};
    if (!WitType<T>::from_val(v.items[0], x)) return false;
    out = std::move(x);
    return true;
  }
};

namespace bind_detail {

template <class T>
std::string payload_name() {
  if constexpr (std::is_void_v<T>) return "_";
  else return WitType<T>::name();
}

// Payload Val of a case (none for void) and back.
template <class T, class X>
std::optional<Val> payload_to_val(const X& x) {
  if constexpr (std::is_void_v<T>) return std::nullopt;
  else return WitType<T>::to_val(x);
}

template <class T>
auto payload_from_val(const Val& v, bool& ok) {
  if constexpr (std::is_void_v<T>) {
    ok = ok && v.items.empty();
    return std::monostate{};
  } else {
    assert_self_stored<T>();
    T x{};
    ok = ok && v.items.size() == 1 && WitType<T>::from_val(v.items[0], x);
    return x;
  }
}

}  // namespace bind_detail

template <class T, class E>
struct WitType<WitResult<T, E>> : SelfStored<WitResult<T, E>> {
  static std::string name() {
    return "result<" + bind_detail::payload_name<T>() + ", " + bind_detail::payload_name<E>() + ">";
  }
  static std::string check(const VType& t) {
    if (t.kind != ValKind::Result) return bind_detail::mismatch(name(), t);
    auto ok = bind_detail::check_payload<T>(t.elems[0].get(), "result ok");
    return ok.empty() ? bind_detail::check_payload<E>(t.elems[1].get(), "result error") : ok;
  }
  static Val to_val(const WitResult<T, E>& r) {
    if (r.is_ok()) return Val::ok(bind_detail::payload_to_val<T>(r.value()));
    return Val::err(bind_detail::payload_to_val<E>(r.error()));
  }
  static bool from_val(const Val& v, WitResult<T, E>& out) {
    bool ok = v.kind == ValKind::Result && v.u <= 1;
    if (!ok) return false;
    if (v.u == 0) {
      auto p = bind_detail::payload_from_val<T>(v, ok);
      if constexpr (std::is_void_v<T>) out = wit_ok();
      else out = wit_ok(std::move(p));
    } else {
      auto p = bind_detail::payload_from_val<E>(v, ok);
      if constexpr (std::is_void_v<E>) out = wit_err();
      else out = wit_err(std::move(p));
    }
    return ok;
  }
};

namespace bind_detail {

template <class Tup, size_t... I>
std::string check_fields(const VType& t, std::index_sequence<I...>) {
  std::string msg;
  ((msg.empty() ? void(msg = nested("tuple element " + std::to_string(I),
                                    WitType<std::tuple_element_t<I, Tup>>::check(*t.elems[I])))
                : void()),
   ...);
  return msg;
}

template <class... T>
std::string tuple_name() {
  std::string s = "tuple<";
  size_t i = 0;
  ((s += (i++ ? ", " : "") + WitType<T>::name()), ...);
  return s + ">";
}

template <class Tup, size_t... I>
Val tuple_to_val(const Tup& x, std::index_sequence<I...>) {
  return Val::tuple({WitType<std::tuple_element_t<I, Tup>>::to_val(std::get<I>(x))...});
}

template <class Tup, size_t... I>
bool tuple_from_val(const Val& v, Tup& out, std::index_sequence<I...>) {
  (assert_self_stored<std::tuple_element_t<I, Tup>>(), ...);
  if (v.kind != ValKind::Tuple || v.items.size() != sizeof...(I)) return false;
  return (WitType<std::tuple_element_t<I, Tup>>::from_val(v.items[I], std::get<I>(out)) && ...);
}

template <class Tup, class... T>
struct TupleType : SelfStored<Tup> {
  using Seq = std::index_sequence_for<T...>;
  static std::string name() { return tuple_name<T...>(); }
  static std::string check(const VType& t) {
    if (t.kind != ValKind::Tuple || t.elems.size() != sizeof...(T)) return mismatch(name(), t);
    return check_fields<Tup>(t, Seq{});
  }
  static Val to_val(const Tup& x) { return tuple_to_val(x, Seq{}); }
  static bool from_val(const Val& v, Tup& out) { return tuple_from_val(v, out, Seq{}); }
};

}  // namespace bind_detail

template <class... T>
struct WitType<std::tuple<T...>> : bind_detail::TupleType<std::tuple<T...>, T...> {};
template <class A, class B>
struct WitType<std::pair<A, B>> : bind_detail::TupleType<std::pair<A, B>, A, B> {};

// ---- variants ------------------------------------------------------------------

template <CaseName... N, class... P>
struct WitType<std::variant<WitCase<N, P>...>> : SelfStored<std::variant<WitCase<N, P>...>> {
  using V = std::variant<WitCase<N, P>...>;
  using Seq = std::index_sequence_for<P...>;
  static constexpr std::array<std::string_view, sizeof...(P)> kLabels{N.view()...};

  static std::string name() {
    std::string s = "variant{";
    size_t i = 0;
    ((s += std::string(i++ ? ", " : "") + std::string(N.view())), ...);
    return s + "}";
  }
  static std::string check(const VType& t) {
    if (t.kind != ValKind::Variant) return bind_detail::mismatch(name(), t);
    auto msg = bind_detail::expect_labels(t, kLabels, "variant cases");
    return msg.empty() ? check_cases(t, Seq{}) : msg;
  }
  static Val to_val(const V& x) {
    return std::visit(
        [&](const auto& c) -> Val {
          using C = std::decay_t<decltype(c)>;
          if constexpr (std::is_void_v<typename C::Payload>) return Val::variant(uint32_t(x.index()));
          else return Val::variant(uint32_t(x.index()), WitType<typename C::Payload>::to_val(c.value));
        },
        x);
  }
  static bool from_val(const Val& v, V& out) {
    if (v.kind != ValKind::Variant || v.u >= sizeof...(P)) return false;
    return from_case(v, out, Seq{});
  }

 private:
  template <size_t... I>
  static std::string check_cases(const VType& t, std::index_sequence<I...>) {
    std::string msg;
    ((msg.empty() ? void(msg = bind_detail::check_payload<P>(
                             t.elems[I].get(), "case `" + std::string(kLabels[I]) + "`"))
                  : void()),
     ...);
    return msg;
  }
  template <size_t I>
  static bool set_case(const Val& v, V& out) {
    using C = std::variant_alternative_t<I, V>;
    bool ok = true;
    auto p = bind_detail::payload_from_val<typename C::Payload>(v, ok);
    if constexpr (std::is_void_v<typename C::Payload>) out.template emplace<I>();
    else out.template emplace<I>(C{std::move(p)});
    return ok;
  }
  template <size_t... I>
  static bool from_case(const Val& v, V& out, std::index_sequence<I...>) {
    bool ok = false;
    ((v.u == I ? void(ok = set_case<I>(v, out)) : void()), ...);
    return ok;
  }
};

// ---- records, enums, flags (wit_describe) --------------------------------------

template <class T>
struct WitType<T, std::enable_if_t<bind_detail::DescKind<bind_detail::DescOf<T>>::value == 1>> : SelfStored<T> {
  static auto desc() { return wit_describe(static_cast<const T*>(nullptr)); }
  static std::string name() {
    std::string s = "record{";
    size_t i = 0;
    std::apply([&](const auto&... f) { ((s += std::string(i++ ? ", " : "") + std::string(f.name)), ...); },
               desc().fields);
    return s + "}";
  }
  static std::string check(const VType& t) {
    if (t.kind != ValKind::Record) return bind_detail::mismatch(name(), t);
    auto d = desc();
    std::vector<std::string_view> labels;
    std::apply([&](const auto&... f) { (labels.push_back(f.name), ...); }, d.fields);
    auto msg = bind_detail::expect_labels(t, labels, "record fields");
    size_t i = 0;
    std::apply(
        [&](const auto&... f) {
          ((msg.empty() ? void(msg = bind_detail::nested(
                                   "field `" + std::string(f.name) + "`",
                                   WitType<field_type<decltype(f)>>::check(*t.elems[i]))) : void(),
            ++i),
           ...);
        },
        d.fields);
    return msg;
  }
  static Val to_val(const T& x) {
    return std::apply(
        [&](const auto&... f) { return Val::record({WitType<field_type<decltype(f)>>::to_val(x.*(f.member))...}); },
        desc().fields);
  }
  static bool from_val(const Val& v, T& out) {
    auto d = desc();
    if (v.kind != ValKind::Record || v.items.size() != std::tuple_size_v<decltype(d.fields)>) return false;
    size_t i = 0;
    return std::apply(
        [&](const auto&... f) {
          return (WitType<field_type<decltype(f)>>::from_val(v.items[i++], out.*(f.member)) && ...);
        },
        d.fields);
  }

 private:
  template <class F>
  using field_type = std::remove_cvref_t<decltype(std::declval<T&>().*(std::declval<F>().member))>;
};

// Enums (value = case index) and flags (bit i = label i).
template <class T>
struct WitType<T, std::enable_if_t<bind_detail::DescKind<bind_detail::DescOf<T>>::value >= 2>> : SelfStored<T> {
  static constexpr bool kFlags = bind_detail::DescKind<bind_detail::DescOf<T>>::value == 3;
  static constexpr ValKind kKind = kFlags ? ValKind::Flags : ValKind::Enum;
  using U = std::underlying_type_t<T>;
  static auto desc() { return wit_describe(static_cast<const T*>(nullptr)); }
  static std::string name() {
    return fmt_labels(kFlags ? "flags" : "enum", desc().labels);
  }
  static std::string check(const VType& t) {
    if (t.kind != kKind) return bind_detail::mismatch(name(), t);
    return bind_detail::expect_labels(t, desc().labels, kFlags ? "flags labels" : "enum cases");
  }
  static Val to_val(T x) {
    Val v;
    v.kind = kKind;
    v.u = uint32_t(U(x));
    return v;
  }
  static bool from_val(const Val& v, T& out) {
    out = T(U(v.u));
    size_t n = desc().labels.size();
    return v.kind == kKind && (kFlags ? (n >= 32 || (v.u >> n) == 0) : v.u < n);
  }

 private:
  static std::string fmt_labels(std::string head, std::span<const std::string_view> labels) {
    head += '{';
    for (size_t i = 0; i < labels.size(); ++i) head += std::string(i ? ", " : "") + std::string(labels[i]);
    return head + '}';
  }
};

// ---- resource handles ----------------------------------------------------------

namespace bind_detail {
// "" when t is an own/borrow (kind k) of the resource bound to `tag` (any
// resource when tag is null).
std::string expect_handle(const VType& t, ValKind k, const void* tag);
}  // namespace bind_detail

template <class R, ValKind K>
struct WitType<Handle<R, K>> : SelfStored<Handle<R, K>> {
  static const void* tag() {
    if constexpr (std::is_void_v<R>) return nullptr;
    else return resource_tag<R>();
  }
  static std::string name() { return K == ValKind::Own ? "own<resource>" : "borrow<resource>"; }
  static std::string check(const VType& t) { return bind_detail::expect_handle(t, K, tag()); }
  static Val to_val(const Handle<R, K>& h) {
    return K == ValKind::Own ? Val::own(h.type(), h.rep()) : Val::borrow(h.type(), h.rep());
  }
  static bool from_val(const Val& v, Handle<R, K>& out) {
    out = Handle<R, K>(v.resource, v.rep());
    if (v.kind != K || !v.resource) return false;
    return !tag() || v.resource->host_type == tag();
  }
};

}  // namespace wippy::component
