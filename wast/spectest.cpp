// spectest.cpp — the spectest host module.
#include "wast/spectest.h"

#include <fmt/format.h>

#include "wast/values.h"

namespace wippy::wast {

namespace {

void add(Instance& inst, const char* name, ExternKind kind, void* ptr) {
  Extern e;
  e.kind = kind;
  e.ptr = ptr;
  inst.exports.emplace(name, e);
}

void add_print(Store& store, Instance& inst, const char* name, std::vector<ValType> params, bool echo) {
  FuncType type{params, {}};
  FuncInst* f = store.create_host_func(type, [params, echo](HostContext&, std::span<const Value> args,
                                                            std::span<Value>) -> Result<void> {
    if (echo) {
      std::string line;
      for (size_t i = 0; i < args.size() && i < params.size(); ++i)
        line += (i ? " " : "") + format_value(params[i], args[i]);
      fmt::print("{}\n", line);
    }
    return {};
  });
  add(inst, name, ExternKind::Func, f);
}

}  // namespace

Instance* make_spectest(Store& store, bool echo) {
  auto owned = std::make_unique<Instance>();
  Instance& inst = *owned;
  using V = ValType;
  add_print(store, inst, "print", {}, echo);
  add_print(store, inst, "print_i32", {V::I32}, echo);
  add_print(store, inst, "print_i64", {V::I64}, echo);
  add_print(store, inst, "print_f32", {V::F32}, echo);
  add_print(store, inst, "print_f64", {V::F64}, echo);
  add_print(store, inst, "print_i32_f32", {V::I32, V::F32}, echo);
  add_print(store, inst, "print_f64_f64", {V::F64, V::F64}, echo);
  add(inst, "global_i32", ExternKind::Global, store.create_global({V::I32, false}, val_i32(666)));
  add(inst, "global_i64", ExternKind::Global, store.create_global({V::I64, false}, val_i64(666)));
  add(inst, "global_f32", ExternKind::Global, store.create_global({V::F32, false}, val_f32(666.6f)));
  add(inst, "global_f64", ExternKind::Global, store.create_global({V::F64, false}, val_f64(666.6)));
  add(inst, "table", ExternKind::Table, store.create_table(TableType{V::FuncRef, Limits{10, true, 20}}, 0));
  add(inst, "memory", ExternKind::Memory, store.create_memory(MemoryType{Limits{1, true, 2}}));
  add(inst, "table64", ExternKind::Table, store.create_table(TableType{V::FuncRef, Limits{10, true, 20, true}}, 0));
  return store.adopt(std::move(owned));
}

}  // namespace wippy::wast
