// registry.cpp — Registry lookups and small model helpers (see registry.h).
#include "runtime/registry.h"

#include <utility>

#include <fmt/format.h>

namespace wippy {

std::string SourceLoc::str() const {
  if (line <= 0) return file.string();
  return fmt::format("{}:{}", file.string(), line);
}

std::string_view pool_type_name(PoolType t) {
  switch (t) {
    case PoolType::Inline: return "inline";
    case PoolType::Lazy: return "lazy";
    case PoolType::Static: return "static";
    case PoolType::Adaptive: return "adaptive";
  }
  return "?";
}

const EntryInfo& entry_info(const Entry& e) {
  return std::visit([](const auto& x) -> const EntryInfo& { return x; }, e);
}

std::string_view entry_kind_name(const Entry& e) {
  if (std::holds_alternative<FsDirectoryEntry>(e)) return "fs.directory";
  if (std::holds_alternative<EnvVariableEntry>(e)) return "env.variable";
  return std::get<FunctionEntry>(e).kind == FunctionKind::Wasm ? "function.wasm" : "function.wat";
}

std::string qualify_id(std::string_view ns, std::string_view ref) {
  if (ref.find(':') != std::string_view::npos) return std::string(ref);
  return fmt::format("{}:{}", ns, ref);
}

bool Registry::add(Entry e) {
  std::string id = entry_info(e).id;
  if (index_.contains(id)) return false;
  index_.emplace(std::move(id), entries_.size());
  entries_.push_back(std::move(e));
  return true;
}

const Entry* Registry::find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

const FsDirectoryEntry* Registry::find_fs(std::string_view id) const {
  const Entry* e = find(id);
  return e ? std::get_if<FsDirectoryEntry>(e) : nullptr;
}

const EnvVariableEntry* Registry::find_env(std::string_view id) const {
  const Entry* e = find(id);
  return e ? std::get_if<EnvVariableEntry>(e) : nullptr;
}

const FunctionEntry* Registry::find_function(std::string_view id) const {
  const Entry* e = find(id);
  return e ? std::get_if<FunctionEntry>(e) : nullptr;
}

FunctionEntry* Registry::find_function(std::string_view id) {
  return const_cast<FunctionEntry*>(std::as_const(*this).find_function(id));
}

std::vector<const FunctionEntry*> Registry::functions() const {
  std::vector<const FunctionEntry*> out;
  for (const Entry& e : entries_)
    if (auto* f = std::get_if<FunctionEntry>(&e)) out.push_back(f);
  return out;
}

}  // namespace wippy
