// linker.cpp — host offers, import name matching, instantiation entry point
// and calling exports by name (see linker.h).
#include "component/linker.h"

#include <fmt/format.h>

#include <charconv>

#include "base/same_owner.h"
#include "component/instantiate.h"
#include "component/load.h"
#include "component/names.h"
#include "interp/quote.h"

namespace wippy::component {

namespace {

struct SemVer {
  uint64_t major = 0, minor = 0, patch = 0;
  bool plain = false;  // no pre-release / build suffix
};

std::optional<SemVer> parse_semver(std::string_view v) {
  SemVer out;
  uint64_t* parts[3] = {&out.major, &out.minor, &out.patch};
  const char* p = v.data();
  const char* end = v.data() + v.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(p, end, *parts[i]);
    if (ec != std::errc() || next == p) return std::nullopt;
    p = next;
    if (i < 2) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  out.plain = p == end;
  return out;
}

bool same_track(const SemVer& a, const SemVer& b) {
  if (a.major != b.major) return false;
  if (a.major == 0 && a.minor != b.minor) return false;
  if (a.major == 0 && a.minor == 0 && a.patch != b.patch) return false;
  return true;
}

bool less(const SemVer& a, const SemVer& b) {
  if (a.major != b.major) return a.major < b.major;
  if (a.minor != b.minor) return a.minor < b.minor;
  return a.patch < b.patch;
}

}  // namespace

bool semver_compatible(std::string_view offered, std::string_view wanted) {
  if (offered == wanted) return true;
  auto o = parse_semver(offered), w = parse_semver(wanted);
  if (!o || !w || !o->plain || !w->plain) return false;
  return same_track(*o, *w) && !less(*o, *w);
}

// ---- HostInstance ----------------------------------------------------------

namespace {

Item host_func_item(const std::string& name, HostFn fn, HostSigCheck check) {
  auto f = std::make_shared<ComponentFunc>();
  f->name = name;
  f->call = std::move(fn);
  f->check = std::move(check);
  Item item;
  item.sort = Sort::Func;
  item.func = std::move(f);
  return item;
}

std::pair<Item, ResourceRef> host_resource_item(const std::string& name,
                                                std::function<void(Store&, uint32_t)> dtor,
                                                const void* host_type) {
  auto r = std::make_shared<Resource>();
  r->name = name;
  r->host_dtor = std::move(dtor);
  r->host_type = host_type;
  Item item;
  item.sort = Sort::Type;
  item.resource = r;
  return {std::move(item), std::move(r)};
}

}  // namespace

bool HostInstance::wants(std::string_view name) const {
  if (!only_) return true;
  std::string key;
  key.reserve(key_prefix_.size() + name.size());
  key.append(key_prefix_).append(name);
  return only_->contains(key);
}

HostInstance& HostInstance::func(std::string name, HostFn fn, HostSigCheck check) {
  if (!wants(name)) return *this;
  inst_->exports[name] = host_func_item(name, std::move(fn), std::move(check));
  if (generation_) ++*generation_;
  return *this;
}

// A destructor of the rep alone, as one told the store (null stays null).
std::function<void(Store&, uint32_t)> ignoring_store(std::function<void(uint32_t)> dtor) {
  if (!dtor) return {};
  return [dtor = std::move(dtor)](Store&, uint32_t rep) { dtor(rep); };
}

ResourceRef HostInstance::resource(std::string name, std::function<void(uint32_t)> dtor, const void* host_type) {
  return resource_in_store(std::move(name), ignoring_store(std::move(dtor)), host_type);
}

ResourceRef HostInstance::resource_in_store(std::string name, std::function<void(Store&, uint32_t)> dtor,
                                            const void* host_type) {
  auto [item, r] = host_resource_item(name, std::move(dtor), host_type);
  inst_->exports[std::move(name)] = std::move(item);
  if (generation_) ++*generation_;
  return r;
}

// ---- Linker ------------------------------------------------------------------

HostInstance& Linker::instance(const std::string& name) {
  auto [it, fresh] = instances_.try_emplace(name);
  if (fresh) {
    it->second.generation_ = generation_;
    it->second.only_ = only_;
    it->second.key_prefix_ = std::string(split_version(name).first) + "#";
    Item item;
    item.sort = Sort::Instance;
    item.instance = it->second.inst_;
    items_[name] = std::move(item);
    changed();
  }
  return it->second;
}

Linker& Linker::func(const std::string& name, HostFn fn, HostSigCheck check) {
  items_[name] = host_func_item(name, std::move(fn), std::move(check));
  changed();
  return *this;
}

ResourceRef Linker::resource(const std::string& name, std::function<void(uint32_t)> dtor, const void* host_type) {
  auto [item, r] = host_resource_item(name, ignoring_store(std::move(dtor)), host_type);
  items_[name] = std::move(item);
  changed();
  return r;
}

Linker& Linker::define_instance(const std::string& name, std::shared_ptr<const RtInstance> inst) {
  Item item;
  item.sort = Sort::Instance;
  item.instance = std::move(inst);
  items_[name] = std::move(item);
  changed();
  return *this;
}

Linker& Linker::only_funcs(std::shared_ptr<const FuncFilter> funcs) {
  only_ = std::move(funcs);
  return *this;
}

Linker& Linker::set_base(std::shared_ptr<const Linker> base) {
  base_ = std::move(base);
  changed();
  return *this;
}

Linker& Linker::set_host_data(void* data, const void* type) {
  host_data_ = data;
  host_data_type_ = type;
  return *this;
}

// ---- remembered bindings ---------------------------------------------------

void Linker::changed() {
  ++*generation_;
  bindings_ = std::make_shared<Bindings>();  // a copy of this linker keeps the old ones
}

std::vector<uint64_t> Linker::generations() const {
  std::vector<uint64_t> out;
  for (const Linker* l = this; l; l = l->base_.get()) out.push_back(l->generation_->load());
  return out;
}

bool Linker::same_generations(std::span<const uint64_t> gens) const {
  size_t k = 0;
  for (const Linker* l = this; l; l = l->base_.get(), ++k)
    if (k >= gens.size() || gens[k] != l->generation_->load()) return false;
  return k == gens.size();
}

Linker::Bindings::Entry* Linker::live_entry(Bindings& b, const std::shared_ptr<const Component>& component,
                                            uint32_t index) const {
  auto it = b.entries.find(component.get());
  if (it == b.entries.end()) return nullptr;
  Bindings::Entry& e = it->second;
  if (!same_owner(e.component, component) || !same_generations(e.generations) || index >= e.bound.size() ||
      !e.bound[index])
    return nullptr;
  return &e;
}

std::optional<Linker::Remembered> Linker::remembered(const std::shared_ptr<const Component>& component,
                                                     uint32_t index) const {
  Bindings* b = bindings_.get();
  std::lock_guard lock(b->mu);
  const Bindings::Entry* e = live_entry(*b, component, index);
  if (e == nullptr) return std::nullopt;
  return Remembered{*e->bound[index], e->resources[index]};
}

void Linker::remember(const std::shared_ptr<const Component>& component, uint32_t index, const Item& bound) const {
  Bindings* b = bindings_.get();
  std::lock_guard lock(b->mu);
  auto gens = generations();
  // Forget components since freed (their entries can never hit again).
  for (auto it = b->entries.begin(); it != b->entries.end();)
    it = it->second.component.expired() ? b->entries.erase(it) : std::next(it);
  Bindings::Entry& e = b->entries[component.get()];
  if (e.component.lock() != component || e.generations != gens) {
    e = Bindings::Entry{component, std::move(gens), {}, {}};
    e.bound.resize(component->imports.size());
    e.resources.resize(component->imports.size());
  }
  if (index < e.bound.size()) {
    e.bound[index] = bound;
    e.resources[index] = nullptr;  // found for the binding it replaces
  }
}

void Linker::remember_resources(const std::shared_ptr<const Component>& component, uint32_t index, const Item& bound,
                                std::shared_ptr<const ResourceBinds> binds) const {
  Bindings* b = bindings_.get();
  std::lock_guard lock(b->mu);
  Bindings::Entry* e = live_entry(*b, component, index);
  // Only for the binding still remembered there (another thread may have
  // replaced it since `bound` was handed out); the entry keeps it alive,
  // so its addresses name it alone.
  if (e == nullptr) return;
  const Item& now = *e->bound[index];
  if (now.instance != bound.instance || now.resource != bound.resource) return;
  e->resources[index] = std::move(binds);
}

namespace {

// The highest semver-compatible offer for `name` among `items`, or null.
const Item* best_compatible(const std::map<std::string, Item>& items, std::string_view name) {
  auto [base, version] = split_version(name);
  if (version.empty()) return nullptr;
  const Item* best = nullptr;
  std::optional<SemVer> best_version;
  for (auto& [offer, item] : items) {
    auto [obase, oversion] = split_version(offer);
    if (obase != base || oversion.empty() || !semver_compatible(oversion, version)) continue;
    auto v = parse_semver(oversion);
    if (!best || (v && best_version && less(*best_version, *v))) {
      best = &item;
      best_version = v;
    }
  }
  return best;
}

}  // namespace

Result<Item> Linker::resolve(const std::string& name) const {
  // Exact names first, then compatible versions; this linker before its base.
  for (const Linker* l = this; l; l = l->base_.get())
    if (auto it = l->items_.find(name); it != l->items_.end()) return it->second;
  for (const Linker* l = this; l; l = l->base_.get())
    if (const Item* best = best_compatible(l->items_, name)) return *best;
  const std::string_view base = split_version(name).first;
  std::string offered;
  for (const Linker* l = this; l; l = l->base_.get())
    for (auto& [offer, item] : l->items_)
      if (split_version(offer).first == base) offered += (offered.empty() ? "" : ", ") + offer;
  return make_error(ErrorKind::Unlinkable,
                    offered.empty()
                        ? fmt::format("missing import `{}`: the host does not provide it", quote_input(name))
                        : fmt::format("missing import `{}`: the host provides only incompatible versions ({})",
                                      quote_input(name), offered));
}

Result<std::unique_ptr<ComponentInstance>> Linker::instantiate(Store& store,
                                                               std::shared_ptr<const Component> component) const {
  if (auto v = validate_once(*component); !v) return v.error();
  if (host_data_) {
    store.host_data = host_data_;
    store.host_data_type = host_data_type_;
  }
  auto r = instantiate_component(store, *this, std::move(component));
  if (!r) return r.error();
  return std::make_unique<ComponentInstance>(store, r->exports, std::move(r->keep));
}

// ---- ComponentInstance ---------------------------------------------------

ComponentInstance::ComponentInstance(Store& store, std::shared_ptr<const RtInstance> exports,
                                     std::shared_ptr<const void> keep)
    : store_(store), exports_(std::move(exports)), keep_(std::move(keep)) {}

ComponentInstance::~ComponentInstance() = default;

Result<ComponentFuncRef> ComponentInstance::func(std::string_view name) const {
  auto no_export = [&]() {
    return make_error(ErrorKind::Unlinkable, fmt::format("component has no exported function `{}`", quote_input(name)));
  };
  auto hash = name.find('#');
  const RtInstance* where = exports_.get();
  std::string_view fname = name;
  if (hash != std::string_view::npos) {
    std::string iface(name.substr(0, hash));
    fname = name.substr(hash + 1);
    const Item* found = nullptr;
    if (auto it = exports_->exports.find(iface); it != exports_->exports.end()) found = &it->second;
    if (!found) {
      auto [base, version] = split_version(iface);
      for (auto& [ename, item] : exports_->exports) {
        auto [ebase, eversion] = split_version(ename);
        if (ebase == base && !version.empty() && !eversion.empty() &&
            (semver_compatible(eversion, version) || semver_compatible(version, eversion))) {
          found = &item;
          break;
        }
      }
    }
    if (!found || found->sort != Sort::Instance || !found->instance) return no_export();
    where = found->instance.get();
  }
  auto it = where->exports.find(std::string(fname));
  if (it == where->exports.end() || it->second.sort != Sort::Func || !it->second.func) return no_export();
  return it->second.func;
}

Result<std::vector<Val>> ComponentInstance::call(std::string_view name, std::span<const Val> args) const {
  auto f = func(name);
  if (!f) return f.error();
  if ((*f)->sig && (*f)->sig->params.size() != args.size())
    return make_error(ErrorKind::Other, fmt::format("`{}` takes {} arguments, {} given", quote_input(name),
                                                    (*f)->sig->params.size(), args.size()));
  return (*f)->call(store_, args);
}

}  // namespace wippy::component
