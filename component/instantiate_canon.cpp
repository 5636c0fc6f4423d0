// instantiate_canon.cpp — canonical definitions at instantiation
// (Scope::make_canon): canon lift makes a component function that lowers
// its arguments into a core call and lifts the results; canon lower makes
// a core host function the other way round; resource.new/rep/drop make
// core host functions over the instance's handle table. See
// instantiate_impl.h.
#include <fmt/format.h>

#include <new>
#include <stdexcept>

#include "component/canon.h"
#include "component/instantiate_impl.h"

namespace wippy::component {

namespace {
Error trap(std::string msg) { return make_error(ErrorKind::Trap, std::move(msg)); }

// Wraps a lifted function's call: running out of memory while lowering the
// arguments or lifting the results (a guest can return a list of ~10^8
// strings) fails that call with Exhaustion instead of aborting the process.
// (Inside the core call interp's invoke() already does the same, so
// may_enter is never left false by an exception.)
template <class F>
auto alloc_guarded(F f) {
  return [f = std::move(f)](Store& store, std::span<const Val> args) -> Result<std::vector<Val>> {
    try {
      return f(store, args);
    } catch (const std::bad_alloc&) {
    } catch (const std::length_error&) {
    }
    return make_error(ErrorKind::Exhaustion, "out of memory");
  };
}
}  // namespace

Result<Item> Scope::make_canon(uint32_t index) {
  const Canon& c = comp->canons[index];
  Item item;
  MemoryInst* memory = nullptr;
  FuncInst* realloc = nullptr;
  FuncInst* post_return = nullptr;
  if (c.options.memory) {
    WIPPY_TRY_ASSIGN(m, core_at(Sort::CoreMemory, *c.options.memory));
    memory = m.memory();
  }
  if (c.options.realloc) {
    WIPPY_TRY_ASSIGN(f, core_at(Sort::CoreFunc, *c.options.realloc));
    realloc = f.func();
  }
  if (c.options.post_return) {
    WIPPY_TRY_ASSIGN(f, core_at(Sort::CoreFunc, *c.options.post_return));
    post_return = f.func();
  }
  StringEncoding enc = c.options.string_encoding;
  auto st = state;
  switch (c.kind) {
    case Canon::Kind::Lift: {
      WIPPY_TRY_ASSIGN(cf, core_at(Sort::CoreFunc, c.func));
      if (c.type >= spaces.types.size()) return inst_error("canon lift: type index out of range");
      auto typed = sig_of(spaces.types[c.type]);
      if (!typed) return inst_error(fmt::format("canon lift: {}", typed.error().message));
      FuncInst* core = cf.func();
      FuncSigRef sig = std::move(*typed);
      auto f = std::make_shared<ComponentFunc>();
      f->sig = sig;
      f->name = "lifted function";
      f->call = alloc_guarded([st = std::move(st), core, sig = std::move(sig), memory, realloc, post_return, enc](Store& store,
                                                                    std::span<const Val> args) -> Result<std::vector<Val>> {
        if (!st->may_enter) return trap("cannot enter component instance: it is already on the call stack");
        auto scope = std::make_shared<CallScope>();
        CanonCx cx{store, memory, realloc, enc, &st->handles, st.get(), scope};
        auto flat = lower_values(cx, sig->params, args, kMaxFlatParams);
        if (!flat) return flat.error();
        st->may_enter = false;
        auto res = invoke(store, core, *flat);
        st->may_enter = true;
        if (!res) return res.error();
        std::vector<VTypeRef> rtypes;
        if (sig->result) rtypes.push_back(*sig->result);
        auto vals = lift_values(cx, rtypes, *res, kMaxFlatResults);
        if (!vals) return vals.error();
        if (scope->borrow_count != 0)
          return trap(fmt::format("borrow handles still remain at the end of the call ({} not dropped)",
                                  scope->borrow_count));
        if (post_return) {
          auto pr = invoke(store, post_return, *res);
          if (!pr) return pr.error();
        }
        return vals;
      });
      item.sort = Sort::Func;
      item.func = std::move(f);
      return item;
    }
    case Canon::Kind::Lower: {
      WIPPY_TRY_ASSIGN(callee, func_at(c.func));
      if (!callee || !callee->sig) return inst_error("canon lower: function has no type");
      const FuncSig* sig = callee->sig.get();
      const LoweredShape& shape = comp->memo->lowered_for(index, comp->canons.size(), [&] {
        LoweredShape l;
        l.core = std::make_shared<const wippy::FuncType>(flatten_func(*sig, true));
        const size_t nflat = flatten_params(*sig).size();
        l.nflat_params = nflat > kMaxFlatParams ? 1 : nflat;
        l.results_spill = flatten_results(*sig).size() > kMaxFlatResults;
        return l;
      });
      if (!lowers) {
        size_t n = 0;
        for (const Canon& k : comp->canons) n += k.kind == Canon::Kind::Lower;
        lowers = std::make_shared<std::vector<LowerCtx>>();
        lowers->reserve(n);
      }
      if (lowers->size() == lowers->capacity()) return inst_error("canon lower: more lowers than counted");
      // The first host function over `lowers` keeps it; the others, made in
      // the same store, never outlive that one (a store frees its host
      // functions only with itself).
      std::shared_ptr<const void> keep;
      if (lowers->empty()) keep = lowers;
      const LowerCtx* cx_of = &lowers->emplace_back(
          LowerCtx{std::move(st), std::move(callee), sig, memory, realloc, enc, shape.nflat_params, shape.results_spill});
      HostFunc hf = [cx_of](HostContext& hc, std::span<const Value> args, std::span<Value> results) -> Result<void> {
        const LowerCtx& l = *cx_of;
        auto scope = std::make_shared<CallScope>();
        CanonCx cx{hc.store, l.memory, l.realloc, l.encoding, &l.state->handles, l.state.get(), scope};
        auto vals = lift_values(cx, l.sig->params, args.first(l.nflat_params), kMaxFlatParams);
        if (!vals) {
          release_lenders(*scope);
          return vals.error();
        }
        auto res = l.callee->call(hc.store, *vals);
        release_lenders(*scope);
        if (!res) return res.error();
        std::vector<VTypeRef> rtypes;
        if (l.sig->result) rtypes.push_back(*l.sig->result);
        std::optional<uint32_t> out_ptr;
        if (l.results_spill) out_ptr = args.back().i32;
        auto flat = lower_values(cx, rtypes, *res, kMaxFlatResults, out_ptr);
        if (!flat) return flat.error();
        if (flat->size() != results.size()) return trap("canon lower: result count mismatch");
        for (size_t i = 0; i < flat->size(); ++i) results[i] = (*flat)[i];
        return {};
      };
      item.sort = Sort::CoreFunc;
      item.core = Extern{ExternKind::Func, store.create_host_func(shape.core, std::move(hf), std::move(keep))};
      return item;
    }
    case Canon::Kind::ResourceNew: case Canon::Kind::ResourceRep: case Canon::Kind::ResourceDrop: {
      WIPPY_TRY_ASSIGN(rt_item, get(Sort::Type, c.type));
      ResourceRef rt = std::move(rt_item.resource);
      if (!rt) return inst_error("canon resource.*: type is not a resource");
      const LoweredShape& shape = comp->memo->lowered_for(index, comp->canons.size(), [&] {
        wippy::FuncType ft;
        ft.params = {wippy::ValType::I32};
        if (c.kind != Canon::Kind::ResourceDrop) ft.results = {wippy::ValType::I32};
        LoweredShape l;
        l.core = std::make_shared<const wippy::FuncType>(std::move(ft));
        return l;
      });
      HostFunc hf;
      if (c.kind == Canon::Kind::ResourceNew) {
        hf = [st = std::move(st), rt = std::move(rt)](HostContext&, std::span<const Value> args,
                                                     std::span<Value> results) -> Result<void> {
          HandleEntry e;
          e.type = rt;
          e.rep = args[0].i32;
          e.own = true;
          results[0] = val_i32(st->handles.add(std::move(e)));
          return {};
        };
      } else if (c.kind == Canon::Kind::ResourceRep) {
        hf = [st = std::move(st), rt = std::move(rt)](HostContext&, std::span<const Value> args,
                                                     std::span<Value> results) -> Result<void> {
          auto e = st->handles.get(args[0].i32, rt.get());
          if (!e) return e.error();
          results[0] = val_i32((*e)->rep);
          return {};
        };
      } else {
        hf = [st = std::move(st), rt = std::move(rt)](HostContext& hc, std::span<const Value> args,
                                                     std::span<Value>) -> Result<void> {
          uint32_t index = args[0].i32;
          auto e = st->handles.get(index, rt.get());
          if (!e) return e.error();
          if ((*e)->own && (*e)->num_lends != 0)
            return trap(fmt::format("cannot drop handle {}: it is lent out as a borrow", index));
          auto h = st->handles.remove(index, rt.get());
          if (!h) return h.error();
          if (!h->own) {
            if (h->scope && h->scope->borrow_count > 0) --h->scope->borrow_count;
            return {};
          }
          if (rt->dtor) {
            Value a[1] = {val_i32(h->rep)};
            auto r = invoke(hc.store, rt->dtor, a);
            if (!r) return r.error();
          } else if (rt->host_dtor) {
            rt->host_dtor(hc.store, h->rep);
          }
          return {};
        };
      }
      item.sort = Sort::CoreFunc;
      item.core = Extern{ExternKind::Func, store.create_host_func(shape.core, std::move(hf))};
      return item;
    }
  }
  return inst_error("unknown canonical definition");
}

}  // namespace wippy::component
