// inspect_command.cpp — `wippy-run inspect`: argument handling and output.
// A component is printed by component::wit_print (component/wit_print.h);
// a core module's imports and exports are listed here.
#include "cli/inspect_command.h"

#include <fmt/format.h>

#include <span>

#include "cli/args.h"
#include "cli/report.h"
#include "component/decode.h"
#include "component/type_graph.h"
#include "component/wit_print.h"
#include "runtime/input_file.h"

namespace wippy::cli {

namespace {

namespace wc = wippy::component;

std::string file_stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.find('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

std::string limits_text(const Limits& l) {
  return l.has_max ? fmt::format("{}..{}", l.min, l.max) : fmt::format("{}", l.min);
}

std::string core_import_type(const Module& m, const Import& imp) {
  switch (imp.kind) {
    case ExternKind::Func:
      return "func " + (imp.func_type < m.types.size() ? functype_to_string(m.types[imp.func_type]) : "?");
    case ExternKind::Table: return fmt::format("table {} {}", valtype_name(imp.table.elem), limits_text(imp.table.limits));
    case ExternKind::Memory: return "memory " + limits_text(imp.memory.limits);
    case ExternKind::Global:
      return fmt::format("global {}{}", imp.global.mut ? "mut " : "", valtype_name(imp.global.type));
    case ExternKind::Tag:
      return "tag " + (imp.func_type < m.types.size() ? functype_to_string(m.types[imp.func_type]) : "?");
  }
  return "?";
}

void print_module(const Module& m) {
  // The index spaces: imports first, then definitions.
  std::vector<const FuncType*> funcs;
  std::vector<std::string> tables, memories, globals, tags;
  for (const auto& imp : m.imports) {
    std::string t = core_import_type(m, imp);
    switch (imp.kind) {
      case ExternKind::Func:
        funcs.push_back(imp.func_type < m.types.size() ? &m.types[imp.func_type] : nullptr);
        break;
      case ExternKind::Table: tables.push_back(t); break;
      case ExternKind::Memory: memories.push_back(t); break;
      case ExternKind::Global: globals.push_back(t); break;
      case ExternKind::Tag: tags.push_back(t); break;
    }
  }
  for (uint32_t ti : m.tags) tags.push_back("tag " + (ti < m.types.size() ? functype_to_string(m.types[ti]) : "?"));
  for (uint32_t ti : m.funcs) funcs.push_back(ti < m.types.size() ? &m.types[ti] : nullptr);
  for (const auto& t : m.tables) tables.push_back(fmt::format("table {} {}", valtype_name(t.elem), limits_text(t.limits)));
  for (const auto& mem : m.memories) memories.push_back("memory " + limits_text(mem.limits));
  for (const auto& g : m.globals)
    globals.push_back(fmt::format("global {}{}", g.type.mut ? "mut " : "", valtype_name(g.type.type)));

  fmt::print("core module: {} imports, {} exports\n", m.imports.size(), m.exports.size());
  for (const auto& imp : m.imports) fmt::print("  import \"{}\" \"{}\": {}\n", imp.module, imp.name, core_import_type(m, imp));
  for (const auto& ex : m.exports) {
    std::string t = "?";
    auto pick = [&](const std::vector<std::string>& v) { return ex.index < v.size() ? v[ex.index] : std::string("?"); };
    switch (ex.kind) {
      case ExternKind::Func:
        if (ex.index < funcs.size() && funcs[ex.index]) t = "func " + functype_to_string(*funcs[ex.index]);
        break;
      case ExternKind::Table: t = pick(tables); break;
      case ExternKind::Memory: t = pick(memories); break;
      case ExternKind::Global: t = pick(globals); break;
      case ExternKind::Tag: t = pick(tags); break;
    }
    fmt::print("  export \"{}\": {}\n", ex.name, t);
  }
}

constexpr OptionSpec kInspectOptions[] = {{"--help", false, "-h"}};

}  // namespace

const char* const kInspectHelp =
    "  wippy-run inspect FILE.wasm|FILE.wat\n"
    "      Print a component's imports and exports as a WIT-like world, with\n"
    "      function signatures and named types (an exported instance with the\n"
    "      functions and types it exports); for a core module, its imports and\n"
    "      exports with kinds and function types. FILE may be binary or text\n"
    "      (core or component WAT). Exit status: 0, 1 when FILE cannot be\n"
    "      read, decoded or validated, 2 for bad usage.\n";

namespace {

// What the subcommand does with its parsed arguments: the exit status.
int inspect_command(const ParsedArgs& p) {
  if (p.positionals.size() != 1) return report_usage("inspect: expected one FILE", "inspect");
  const std::string& path = p.positionals[0];
  auto bin = read_input_binary(path);
  if (!bin) return report_error(bin.error().message);
  const SharedBytes& bytes = *bin;
  auto fail = [&](const Error& e) { return report_error(fmt::format("{}: {}: {}", path, error_kind_name(e.kind), e.message)); };
  if (wc::is_component_binary(bytes)) {
    auto comp = wc::decode_component(bytes);
    if (!comp) return fail(comp.error());
    auto graph = wc::tgraph::resolve_component(*comp);  // validates
    if (!graph) return fail(graph.error());
    fmt::print("{}", wc::wit_print(**graph, file_stem(path)));
    return 0;
  }
  auto mod = compile_module(bytes);
  if (!mod) return fail(mod.error());
  print_module(**mod);
  return 0;
}

}  // namespace

const CommandSpec kInspectCommand{kInspectOptions, &kInspectHelp, "inspect: ", "inspect", inspect_command};

}  // namespace wippy::cli
