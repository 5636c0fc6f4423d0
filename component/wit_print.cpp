// wit_print.cpp — the WIT printer over the resolved type graph. See
// wit_print.h.
#include "component/wit_print.h"

#include <fmt/format.h>

#include <map>
#include <vector>

namespace wippy::component {

namespace {

using tgraph::Item;
using tgraph::NodeKind;
using tgraph::TRef;

constexpr const char* kUnknown = "/* unknown */";

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) s += (i ? sep : "") + parts[i];
  return s;
}

class Printer {
 public:
  explicit Printer(TRef root) : root_(root) {
    if (!root_) return;
    name_items(root_->imports);
    name_items(root_->exports);
  }

  std::vector<std::string> world() {
    std::vector<std::string> out;
    if (!root_) return out;
    for (const Item& it : root_->imports) item_lines(out, "import", it);
    for (const Item& it : root_->exports) item_lines(out, "export", it);
    return out;
  }

 private:
  // Each type import or export is a node of its own: the node's name. The
  // first name met wins (an instance's types keep the names it exports).
  void name_items(const std::vector<Item>& items) {
    for (const Item& it : items) {
      if (!it.type) continue;
      if (it.sort == Sort::Type) names_.emplace(it.type, it.name);
      else if (it.sort == Sort::Instance) name_items(it.type->exports);
    }
  }

  const std::string* name_of(TRef t) const {
    auto f = names_.find(t);
    return f == names_.end() ? nullptr : &f->second;
  }

  std::string val(TRef t) {
    if (!t) return kUnknown;
    if (const std::string* n = name_of(t)) return *n;
    return structural(t);
  }

  std::string resource_name(TRef t) {
    const std::string* n = name_of(t);
    return n ? *n : "/* resource */";
  }

  std::vector<std::string> fields(TRef t) {
    std::vector<std::string> f;
    for (const auto& [name, type] : t->fields) f.push_back(name + ": " + val(type));
    return f;
  }

  std::vector<std::string> cases(TRef t) {
    std::vector<std::string> f;
    for (const auto& [name, type] : t->fields) f.push_back(type ? name + "(" + val(type) + ")" : name);
    return f;
  }

  std::string structural(TRef t) {
    switch (t->kind) {
      case NodeKind::Prim: return prim_name(t->prim);
      case NodeKind::Record: return "record { " + join(fields(t), ", ") + " }";
      case NodeKind::Variant: return "variant { " + join(cases(t), ", ") + " }";
      case NodeKind::List:
        if (t->is_map && t->a && t->a->fields.size() == 2)
          return "map<" + val(t->a->fields[0].second) + ", " + val(t->a->fields[1].second) + ">";
        return "list<" + val(t->a) + (t->fixed_len ? ", " + std::to_string(t->fixed_len) : "") + ">";
      case NodeKind::Tuple: {
        std::vector<std::string> f;
        for (const auto& field : t->fields) f.push_back(val(field.second));
        return "tuple<" + join(f, ", ") + ">";
      }
      case NodeKind::Flags: return "flags { " + join(t->labels, ", ") + " }";
      case NodeKind::Enum: return "enum { " + join(t->labels, ", ") + " }";
      case NodeKind::Option: return "option<" + val(t->a) + ">";
      case NodeKind::Result:
        if (!t->a && !t->b) return "result";
        if (!t->b) return "result<" + val(t->a) + ">";
        return "result<" + (t->a ? val(t->a) : std::string("_")) + ", " + val(t->b) + ">";
      case NodeKind::Own: return resource_name(t->a);
      case NodeKind::Borrow: return "borrow<" + resource_name(t->a) + ">";
      case NodeKind::Func: return func(t);
      case NodeKind::Component: return "component";
      case NodeKind::Instance: return "interface";
      case NodeKind::Resource: return "/* resource */";
    }
    return kUnknown;
  }

  std::string func(TRef f) {
    if (!f || f->kind != NodeKind::Func) return kUnknown;
    std::string out = "func(" + join(fields(f), ", ") + ")";
    if (f->a) out += " -> " + val(f->a);
    return out;
  }

  // `resource r;`, `record r { ... }`, `type r = ...;` for a type item.
  std::string type_def(const std::string& name, TRef t) {
    if (!t) return "type " + name + ";  " + kUnknown;
    if (t->kind == NodeKind::Resource) return "resource " + name + ";";
    TRef def = t->alias_of ? t->alias_of : t;
    if (def != t)
      if (const std::string* other = name_of(def))
        return *other == name ? "use " + name + ";" : "type " + name + " = " + *other + ";";
    switch (def->kind) {
      case NodeKind::Record: return "record " + name + " { " + join(fields(def), ", ") + " }";
      case NodeKind::Variant: return "variant " + name + " { " + join(cases(def), ", ") + " }";
      case NodeKind::Enum: return "enum " + name + " { " + join(def->labels, ", ") + " }";
      case NodeKind::Flags: return "flags " + name + " { " + join(def->labels, ", ") + " }";
      default: return "type " + name + " = " + structural(def) + ";";
    }
  }

  void item_lines(std::vector<std::string>& out, const char* dir, const Item& it) {
    std::string head = fmt::format("  {} {}", dir, it.name);
    switch (it.sort) {
      case Sort::Func: out.push_back(head + ": " + func(it.type) + ";"); return;
      case Sort::Type: out.push_back(fmt::format("  {} {}", dir, type_def(it.name, it.type))); return;
      case Sort::Instance:
        if (!it.type) {
          out.push_back(head + ": interface { " + kUnknown + " }");
          return;
        }
        out.push_back(head + ": interface {");
        for (const Item& x : it.type->exports) {
          if (x.sort == Sort::Type) out.push_back("    " + type_def(x.name, x.type));
          else if (x.sort == Sort::Func) out.push_back("    " + x.name + ": " + func(x.type) + ";");
          else out.push_back(fmt::format("    {}: {};", x.name, sort_name(x.sort)));
        }
        out.push_back("  }");
        return;
      default: out.push_back(fmt::format("{}: {};", head, sort_name(it.sort))); return;
    }
  }

  TRef root_;
  std::map<TRef, std::string> names_;
};

}  // namespace

std::string wit_print(const tgraph::TypeGraph& graph, const std::string& world_name) {
  Printer p(graph.root);
  std::string out = fmt::format("world {} {{\n", world_name);
  for (const auto& line : p.world()) out += line + "\n";
  out += "}\n";
  return out;
}

}  // namespace wippy::component
