// bind.h — the typed host-binding API: host interfaces whose functions are
// plain C++ callables, so host code never touches Vals, guest memory or
// flattening. Built on Linker / HostInstance (linker.h).
//
//   HostInterface random(linker, "wasi:random/random@0.2.12");
//   random.func("get-random-u64", []() -> uint64_t { ... });
//   random.func("get-random-bytes", [](uint64_t len) -> Result<std::vector<uint8_t>> { ... });
//
//   HostInterface files(linker, "my:app/files@0.1.0");
//   HostResource<File> file = files.resource<File>("file");     // R = File
//   files.func("open", [file](std::string_view path) -> WitResult<Own<File>, std::string> {
//     return wit_ok(file.add(std::make_unique<File>(path)));
//   });
//   files.func("[method]file.size", [file](Borrow<File> self) -> Result<uint64_t> {
//     auto f = file.get(self);                    // Trap on an unknown handle
//     if (!f) return f.error();
//     return (*f)->size();
//   });
//
// Callables: lambdas, function objects or function pointers, optionally
// taking `Store&` first (the calling store) or `C&` for a host context type
// C (host_context.h: the calling store's C; a store without one traps). Parameter and return types are
// those of bind_convert.h / bind_values.h. Returning Result<T> (interp's
// host error) ends the guest call with that error (a Trap, usually); a
// WitResult<T, E> is the WIT `result` the guest sees.
// Checking: when a component importing the function is instantiated, its
// declared function type is checked against the C++ signature (parameter
// count, each parameter, the result; record field names, cases, labels and
// resource identities included); a mismatch fails instantiation as
// Unlinkable naming the import, the function and the difference. At call
// time arguments are converted without further type checks beyond shape.
// Resources: HostResource<R> holds the R objects behind the handles of one
// resource type in a ResourceTable (resource_table.h; parent/child links,
// max_handles); a guest dropping an own handle destroys its object (R's
// destructor) unless child handles keep it alive. A resource declared for a
// host context (HostInterface::context_resource<R, C>) has no table of its
// own: one declaration serves every instance, and in(table) gives the
// HostResource on the calling instance's table (HostContextTraits<C>::table). Own<R> / Borrow<R> in signatures match only that resource;
// Own<> / Borrow<> (R = void) match any (e.g. a resource declared through
// the untyped HostInstance::resource).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "component/bind_convert.h"
#include "component/host_context.h"
#include "component/linker.h"
#include "component/resource_table.h"

namespace wippy::component {

namespace bind_detail {

using CheckFn = std::string (*)(const VType&);
using NameFn = std::string (*)();

// The whole declared signature against the host's parameter checks and
// result check (null `result` = the host returns nothing).
Result<void> check_signature(const FuncSig& sig, std::span<const CheckFn> params, CheckFn result,
                             NameFn result_name);
Error bad_argument(const std::string& fn, size_t index, const Val& v);
Error wrong_arity(const std::string& fn, size_t expected, size_t given);
Error unknown_handle(const ResourceRef& type, uint32_t rep);
Error no_host_context(const std::string& fn);
Error no_table(const ResourceRef& type);

template <class F>
struct Signature : Signature<decltype(&F::operator())> {};
template <class R, class... A>
struct Signature<R (*)(A...)> {
  using Ret = R;
  using Args = std::tuple<A...>;
};
template <class R, class... A>
struct Signature<R (*)(A...) noexcept> : Signature<R (*)(A...)> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...)> : Signature<R (*)(A...)> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...) const> : Signature<R (*)(A...)> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...) noexcept> : Signature<R (*)(A...)> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...) const noexcept> : Signature<R (*)(A...)> {};

template <class T>
using Plain = std::remove_cvref_t<T>;

// Ret -> the WIT-side result type (void for none), unwrapping Result<T>.
template <class Ret>
struct ReplyOf {
  using Wit = Plain<Ret>;
  static constexpr bool kFallible = false;
};
template <class T>
struct ReplyOf<Result<T>> {
  using Wit = T;
  static constexpr bool kFallible = true;
};

template <class W, class V>
Result<std::vector<Val>> one_result(V&& v) {
  std::vector<Val> out;
  out.push_back(WitType<W>::to_val(std::forward<V>(v)));
  return out;
}

template <class Ret, class V>
Result<std::vector<Val>> reply(V&& v) {
  using W = typename ReplyOf<Plain<Ret>>::Wit;
  if constexpr (ReplyOf<Plain<Ret>>::kFallible) {
    if (!v) return v.error();
    if constexpr (std::is_void_v<W>) return std::vector<Val>{};
    else return one_result<W>(std::move(*v));
  } else {
    return one_result<W>(std::forward<V>(v));
  }
}

// The stored argument, as the parameter type wants it.
template <class A, class S>
decltype(auto) pass(S& s) {
  static_assert(!std::is_lvalue_reference_v<A> || std::is_const_v<std::remove_reference_t<A>>,
                "host function parameters cannot be non-const references");
  if constexpr (std::is_same_v<Plain<A>, S>) return std::move(s);
  else return Plain<A>(s);
}

// First: what the callable takes before the WIT parameters: void
// (nothing), Store (the calling store) or a host context type.
template <class First, class Ret, class... A, class F, size_t... I>
Result<std::vector<Val>> call_typed(F& fn, Store& store, std::span<const Val> args, const std::string& name,
                                    std::index_sequence<I...>) {
  std::tuple<typename WitType<Plain<A>>::Stored...> stored;
  size_t bad = sizeof...(A);
  ((bad == sizeof...(A) && !WitType<Plain<A>>::from_val(args[I], std::get<I>(stored)) ? void(bad = I) : void()),
   ...);
  if (bad != sizeof...(A)) return bad_argument(name, bad, args[bad]);
  First* first = nullptr;
  if constexpr (!std::is_void_v<First> && !std::is_same_v<First, Store>) {
    first = host_context<First>(store);
    if (!first) return no_host_context(name);
  }
  auto invoke = [&]() -> decltype(auto) {
    if constexpr (std::is_void_v<First>) return fn(pass<A>(std::get<I>(stored))...);
    else if constexpr (std::is_same_v<First, Store>) return fn(store, pass<A>(std::get<I>(stored))...);
    else return fn(*first, pass<A>(std::get<I>(stored))...);
  };
  if constexpr (std::is_void_v<Ret>) {
    invoke();
    return std::vector<Val>{};
  } else {
    return reply<Ret>(invoke());
  }
}

template <class Ret, class... A>
Result<void> check_typed(const FuncSig& sig) {
  static constexpr CheckFn params[] = {&WitType<Plain<A>>::check..., nullptr};
  using W = typename ReplyOf<Plain<Ret>>::Wit;
  if constexpr (std::is_void_v<W>) {
    return check_signature(sig, std::span<const CheckFn>(params, sizeof...(A)), nullptr, nullptr);
  } else {
    return check_signature(sig, std::span<const CheckFn>(params, sizeof...(A)), &WitType<W>::check,
                           &WitType<W>::name);
  }
}

template <class First, class Ret, class... A, class F>
std::pair<HostFn, HostSigCheck> make_typed(std::string name, F fn) {
  HostFn call = [fn = std::move(fn), name = std::move(name)](Store& store,
                                                             std::span<const Val> args) mutable
      -> Result<std::vector<Val>> {
    if (args.size() != sizeof...(A)) return wrong_arity(name, sizeof...(A), args.size());
    return call_typed<First, Ret, A...>(fn, store, args, name, std::index_sequence_for<A...>{});
  };
  return {std::move(call), &check_typed<Ret, A...>};
}

template <class Ret, class Args, class F>
struct Maker;
template <class Ret, class... A, class F>
struct Maker<Ret, std::tuple<Store&, A...>, F> {
  static auto make(std::string name, F fn) { return make_typed<Store, Ret, A...>(std::move(name), std::move(fn)); }
};
template <class Ret, HostContextType C, class... A, class F>
struct Maker<Ret, std::tuple<C&, A...>, F> {
  static auto make(std::string name, F fn) { return make_typed<C, Ret, A...>(std::move(name), std::move(fn)); }
};
template <class Ret, class... A, class F>
struct Maker<Ret, std::tuple<A...>, F> {
  static auto make(std::string name, F fn) { return make_typed<void, Ret, A...>(std::move(name), std::move(fn)); }
};

}  // namespace bind_detail

// The HostFn and its link-time signature check for callable `fn`; `name`
// labels argument errors. (HostInterface::func and bind_func use it.)
template <class F>
std::pair<HostFn, HostSigCheck> typed_host_fn(std::string name, F fn) {
  using Sig = bind_detail::Signature<std::decay_t<F>>;
  return bind_detail::Maker<typename Sig::Ret, typename Sig::Args, std::decay_t<F>>::make(std::move(name),
                                                                                         std::move(fn));
}

// The objects behind the handles of one host resource type R, obtained from
// HostInterface::resource() (a default-constructed one is empty and must
// not be used). They live in a ResourceTable (resource_table.h), shared by
// every resource type bound with the same table. Copies share the objects.
template <class R>
class HostResource {
 public:
  HostResource() = default;
  HostResource(ResourceRef type, std::shared_ptr<ResourceTable> table)
      : type_(std::move(type)), table_(std::move(table)) {}

  // The same resource type on `table` (for a context resource, the calling
  // instance's table).
  HostResource in(std::shared_ptr<ResourceTable> table) const { return HostResource(type_, std::move(table)); }

  const ResourceRef& type() const { return type_; }
  const std::shared_ptr<ResourceTable>& table() const { return table_; }
  // A new own handle to `obj` (return it to hand it to the guest), a child
  // of handle `parent` when non-zero; a Trap past the table's max_handles.
  Result<Own<R>> add(std::shared_ptr<R> obj, uint32_t parent = 0) const {
    if (!table_) return bind_detail::no_table(type_);
    auto rep = table_->insert<R>(std::move(obj), parent);
    if (!rep) return rep.error();
    return Own<R>(type_, *rep);
  }
  template <class... Args>
  Result<Own<R>> emplace(Args&&... args) const { return add(std::make_shared<R>(std::forward<Args>(args)...)); }
  // The object of a handle, or a Trap naming the resource.
  Result<R*> get(const Borrow<R>& h) const { return lookup(h.rep()); }
  Result<R*> get(const Own<R>& h) const { return lookup(h.rep()); }
  // Takes back the object of an own handle the guest handed over (a Trap
  // while child handles of it live).
  Result<std::shared_ptr<R>> take(const Own<R>& h) const {
    if (!table_ || !table_->get<R>(h.rep())) return bind_detail::unknown_handle(type_, h.rep());
    return table_->take<R>(h.rep());
  }
  size_t size() const { return table_ ? table_->count(resource_tag<R>()) : 0; }

 private:
  friend class HostInterface;
  Result<R*> lookup(uint32_t rep) const {
    R* obj = table_ ? table_->get<R>(rep) : nullptr;
    if (!obj) return bind_detail::unknown_handle(type_, rep);
    return obj;
  }

  ResourceRef type_;
  std::shared_ptr<ResourceTable> table_;
};

// A host interface ("ns:pkg/iface@version") being defined on a Linker.
class HostInterface {
 public:
  HostInterface(Linker& linker, std::string name) : inst_(&linker.instance(name)), name_(std::move(name)) {}

  template <class F>
  HostInterface& func(const std::string& name, F fn) {
    if (!inst_->wants(name)) return *this;  // before building the binding
    auto [call, check] = typed_host_fn(name_ + "#" + name, std::move(fn));
    inst_->func(name, std::move(call), std::move(check));
    return *this;
  }

  // Declares resource type `name`, bound to C++ type R, its objects kept
  // in `table` (a new table of its own when null).
  template <class R>
  HostResource<R> resource(std::string name, std::shared_ptr<ResourceTable> table = nullptr) {
    HostResource<R> r;
    r.table_ = table ? std::move(table) : std::make_shared<ResourceTable>();
    r.type_ = inst_->resource(
        std::move(name), [table = r.table_](uint32_t rep) { table->drop(rep); }, resource_tag<R>());
    return r;
  }

  // Declares resource type `name`, bound to C++ type R, for host context
  // type C: its objects live in each calling instance's table
  // (HostContextTraits<C>::table), reached with in(); the returned value
  // has no table. A drop on a store without a C does nothing.
  template <class R, HostContextType C>
  HostResource<R> context_resource(std::string name) {
    HostResource<R> r;
    r.type_ = inst_->resource_in_store(
        std::move(name),
        [](Store& store, uint32_t rep) {
          if (C* c = host_context<C>(store)) HostContextTraits<C>::table(*c).drop(rep);
        },
        resource_tag<R>());
    return r;
  }

  const std::string& name() const { return name_; }
  HostInstance& untyped() { return *inst_; }

 private:
  HostInstance* inst_;
  std::string name_;
};

// A typed top-level host function import.
template <class F>
Linker& bind_func(Linker& linker, const std::string& name, F fn) {
  auto [call, check] = typed_host_fn(name, std::move(fn));
  return linker.func(name, std::move(call), std::move(check));
}

}  // namespace wippy::component
