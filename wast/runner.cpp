// runner.cpp — the core spec-script runner (see runner.h).
#include "wast/runner.h"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "interp/decode/branch_hints.h"
#include "interp/exec/packed.h"
#include "interp/quote.h"
#include "interp/store.h"
#include "interp/text/wat.h"
#include "runtime/input_file.h"
#include "wast/component_runner.h"
#include "wast/spectest.h"
#include "wast/values.h"

namespace wippy::wast {

namespace {

const char* command_name(WastCommand::Kind k) {
  switch (k) {
    case WastCommand::Module: return "module";
    case WastCommand::ModuleInstance: return "module instance";
    case WastCommand::Register: return "register";
    case WastCommand::Action: return "action";
    case WastCommand::AssertReturn: return "assert_return";
    case WastCommand::AssertTrap: return "assert_trap";
    case WastCommand::AssertException: return "assert_exception";
    case WastCommand::AssertExhaustion: return "assert_exhaustion";
    case WastCommand::AssertInvalid: return "assert_invalid";
    case WastCommand::AssertMalformed: return "assert_malformed";
    case WastCommand::AssertMalformedCustom: return "assert_malformed_custom";
    case WastCommand::AssertInvalidCustom: return "assert_invalid_custom";
    case WastCommand::AssertUnlinkable: return "assert_unlinkable";
    case WastCommand::AssertUninstantiable: return "assert_uninstantiable";
  }
  return "?";
}

// Binary of a script module: text already encoded, binary as given, quote
// parsed now; text errors come back as Malformed.
Result<std::vector<uint8_t>> module_bytes(const WastModule& m) {
  switch (m.kind) {
    case WastModule::Text:
      if (m.text_error) return make_error(ErrorKind::Malformed, *m.text_error);
      return m.binary;
    case WastModule::Binary:
      return m.binary;
    case WastModule::Quote:
      return wat_to_wasm(m.quote);
  }
  return make_error(ErrorKind::Other, "unknown module kind");
}

// The outcome of one action: typed results, or the error it ended with.
struct ActionResult {
  std::vector<ValType> types;
  std::vector<Value> values;
};

}  // namespace

class CoreRunner {
 public:
  CoreRunner(std::string file, const WastOptions& opts) : file_(std::move(file)), opts_(opts) {
    store_.gc_stress = opts.gc_stress;
    registry_["spectest"] = make_spectest(store_, opts.verbose);
  }

  void run(const WastCommand& c) {
    if (opts_.verbose) fmt::print("{}:{}: {}\n", file_, c.line, command_name(c.kind));
    std::optional<std::string> failure = dispatch(c);
    if (!failure) {
      if (counted(c)) ++counts_.passed;
      return;
    }
    ++counts_.failed;
    fmt::print(stderr, "{}:{}: {}: {}\n", file_, c.line, command_name(c.kind), *failure);
    std::fflush(stdout);
  }

  WastCounts counts() const { return counts_; }

 private:
  using Failure = std::optional<std::string>;

  static bool counted(const WastCommand& c) { return c.kind != WastCommand::Register; }

  Failure dispatch(const WastCommand& c) {
    switch (c.kind) {
      case WastCommand::Module: return define(c.module);
      case WastCommand::ModuleInstance: return instantiate_definition(c);
      case WastCommand::Register: return do_register(c);
      case WastCommand::Action: {
        auto r = perform(c.action);
        if (!r) return fmt::format("{} failed: {}", describe(c.action), r.error().message);
        return std::nullopt;
      }
      case WastCommand::AssertReturn: return assert_return(c);
      case WastCommand::AssertTrap:
        if (c.has_action) return expect_action_error(c, ErrorKind::Trap);
        return expect_module_error(c, {ErrorKind::Trap, ErrorKind::Uninstantiable}, true);
      case WastCommand::AssertExhaustion: return expect_action_error(c, ErrorKind::Exhaustion);
      case WastCommand::AssertException: return expect_action_error(c, ErrorKind::Trap);
      case WastCommand::AssertInvalid: return expect_module_error(c, {ErrorKind::Invalid}, false);
      case WastCommand::AssertMalformed: return expect_module_error(c, {ErrorKind::Malformed}, false);
      case WastCommand::AssertMalformedCustom: return expect_module_error(c, {ErrorKind::Malformed}, false);
      case WastCommand::AssertInvalidCustom: return expect_invalid_custom(c);
      case WastCommand::AssertUnlinkable: return expect_module_error(c, {ErrorKind::Unlinkable}, true);
      case WastCommand::AssertUninstantiable:
        return expect_module_error(c, {ErrorKind::Trap, ErrorKind::Uninstantiable}, true);
    }
    return "unknown command";
  }

  // ---- modules ----

  // Compiles and (when `instantiate_it`) instantiates `m`; the error keeps
  // the stage's kind. The custom sections this host reads must be right
  // too (they never fail a load outside the scripts).
  Result<Instance*> load(const WastModule& m, bool instantiate_it) {
    auto bytes = module_bytes(m);
    if (!bytes) return bytes.error();
    auto mod = compile_module(*bytes);
    if (!mod) return mod.error();
    if (auto custom = decode::check_branch_hints(**mod); !custom)
      return make_error(ErrorKind::Other, "invalid custom section: " + custom.error().message);
    if (!instantiate_it) return static_cast<Instance*>(nullptr);
    std::vector<Extern> imports;
    for (const Import& imp : (*mod)->imports) {
      auto it = registry_.find(imp.module);
      const Extern* e = nullptr;
      if (it != registry_.end()) {
        auto ex = it->second->exports.find(imp.name);
        if (ex != it->second->exports.end()) e = &ex->second;
      }
      if (!e)
        return make_error(ErrorKind::Unlinkable, fmt::format("unknown import \"{}\" \"{}\"", quote_input(imp.module), quote_input(imp.name)));
      imports.push_back(*e);
    }
    return instantiate(store_, *mod, imports);
  }

  Failure define(const WastModule& m) {
    if (m.definition) {
      // Validated now, instantiated only by `(module instance ...)`; the
      // current module stays as it was.
      auto checked = load(m, false);
      if (!checked) return fmt::format("module definition failed to load: {}: {}", error_kind_name(checked.error().kind), checked.error().message);
      latest_definition_ = m;
      if (m.id) definitions_[*m.id] = m;
      return std::nullopt;
    }
    auto inst = load(m, true);
    Instance* value = inst ? *inst : nullptr;
    current_ = value;
    current_failed_ = !inst;
    if (m.id) named_[*m.id] = value;
    if (!inst) return fmt::format("module failed to load: {}: {}", error_kind_name(inst.error().kind), inst.error().message);
    return std::nullopt;
  }

  Failure instantiate_definition(const WastCommand& c) {
    const WastModule* def = latest_definition_ ? &*latest_definition_ : nullptr;
    if (c.definition_id) {
      auto it = definitions_.find(*c.definition_id);
      def = it == definitions_.end() ? nullptr : &it->second;
    }
    if (!def) return fmt::format("unknown module definition {}", c.definition_id.value_or("(none yet)"));
    WastModule m = *def;
    m.definition = false;
    m.id = c.instance_id;
    return define(m);
  }

  Failure do_register(const WastCommand& c) {
    auto inst = find_instance(c.register_module);
    if (!inst) return fmt::format("register \"{}\": {}", c.register_name, inst.error().message);
    registry_[c.register_name] = *inst;
    return std::nullopt;
  }

  Result<Instance*> find_instance(const std::optional<std::string>& id) {
    if (id) {
      auto it = named_.find(*id);
      if (it == named_.end()) return make_error(ErrorKind::Other, fmt::format("unknown module {}", *id));
      if (!it->second) return make_error(ErrorKind::Other, fmt::format("module {} failed to load", *id));
      return it->second;
    }
    if (!current_)
      return make_error(ErrorKind::Other, current_failed_ ? "the current module failed to load" : "no current module");
    return current_;
  }

  Failure expect_module_error(const WastCommand& c, std::initializer_list<ErrorKind> kinds, bool instantiate_it) {
    auto r = load(c.module, instantiate_it);
    if (r) return fmt::format("expected {} \"{}\", but the module {}", error_kind_name(*kinds.begin()), c.text,
                              instantiate_it ? "instantiated" : "is valid");
    return check_error(r.error(), kinds, c.text);
  }

  // A module that loads, but whose custom sections do not check.
  Failure expect_invalid_custom(const WastCommand& c) {
    auto bytes = module_bytes(c.module);
    if (!bytes) return fmt::format("expected a valid module, got {}: {}", error_kind_name(bytes.error().kind), bytes.error().message);
    auto mod = compile_module(*bytes);
    if (!mod) return fmt::format("expected a valid module, got {}: {}", error_kind_name(mod.error().kind), mod.error().message);
    auto custom = decode::check_branch_hints(**mod);
    if (custom) return fmt::format("expected invalid custom section \"{}\", but they check", c.text);
    return check_error(custom.error(), {ErrorKind::Invalid}, c.text);
  }

  static Failure check_error(const Error& e, std::initializer_list<ErrorKind> kinds, const std::string& text) {
    bool kind_ok = false;
    for (ErrorKind k : kinds) kind_ok |= e.kind == k;
    if (!kind_ok)
      return fmt::format("expected {} \"{}\", got {}: {}", error_kind_name(*kinds.begin()), text,
                         error_kind_name(e.kind), e.message);
    // The 3.0 scripts spell some messages in the reference interpreter's
    // own detail ("type mismatch: instruction requires [i32] but stack has
    // []"); the class before the first ": " is the part engines share.
    std::string_view want = text;
    if (e.message.find(text) == std::string::npos && want.find(": ") != std::string_view::npos)
      want = want.substr(0, want.find(": "));
    if (e.message.find(want) == std::string::npos)
      return fmt::format("expected message \"{}\", got \"{}\"", text, e.message);
    return std::nullopt;
  }

  // ---- actions ----

  static std::string describe(const WastAction& a) {
    return fmt::format("{} {}\"{}\"", a.kind == WastAction::Invoke ? "invoke" : "get",
                       a.module ? *a.module + " " : "", a.name);
  }

  Result<ActionResult> perform(const WastAction& a) {
    auto inst = find_instance(a.module);
    if (!inst) return inst.error();
    ActionResult out;
    if (a.kind == WastAction::Get) {
      GlobalInst* g = (*inst)->export_global(a.name);
      if (!g) return make_error(ErrorKind::Other, fmt::format("no global export \"{}\"", a.name));
      out.types = {g->type.type};
      out.values = {g->value};
      if (g->type.type == ValType::V128) out.values.push_back(g->hi);
      return out;
    }
    FuncInst* f = (*inst)->export_func(a.name);
    if (!f) return make_error(ErrorKind::Other, fmt::format("no function export \"{}\"", a.name));
    if (a.args.size() != f->type->params.size())
      return make_error(ErrorKind::Other, fmt::format("{} arguments given, {} expected", a.args.size(),
                                                      f->type->params.size()));
    std::vector<Value> args;
    for (size_t i = 0; i < a.args.size(); ++i) {
      std::string why;
      if (!append_arg(a.args[i], f->type->params[i], args, why)) return make_error(ErrorKind::Other, why);
    }
    auto r = invoke(store_, f, args);
    if (!r) return r.error();
    out.types = f->type->results;
    out.values = std::move(*r);
    return out;
  }

  static bool all_match(const std::vector<WastValue>& expected, const ActionResult& got) {
    // values are packed: a v128 result takes two
    if (expected.size() != got.types.size() || exec::packed_slots(got.types) != got.values.size()) return false;
    size_t at = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      if (!matches_packed(expected[i], got.types[i], got.values.data() + at)) return false;
      at += exec::slots_of(got.types[i]);
    }
    return true;
  }

  Failure assert_return(const WastCommand& c) {
    auto r = perform(c.action);
    if (!r) return fmt::format("{}: {}: {}", describe(c.action), error_kind_name(r.error().kind), r.error().message);
    bool ok = c.either.empty() ? all_match(c.expected, *r) : false;
    for (const auto& alt : c.either) ok |= all_match(alt, *r);
    if (ok) return std::nullopt;
    std::string want, got;
    if (c.either.empty()) {
      for (const auto& e : c.expected) want += (want.empty() ? "" : " ") + format_expected(e);
    } else {
      for (const auto& alt : c.either) {
        want += want.empty() ? "either(" : " | ";
        for (size_t i = 0; i < alt.size(); ++i) want += (i ? " " : "") + format_expected(alt[i]);
      }
      want += ")";
    }
    for (size_t i = 0, at = 0; i < r->types.size() && at + exec::slots_of(r->types[i]) <= r->values.size();
         at += exec::slots_of(r->types[i]), ++i)
      got += (got.empty() ? "" : " ") + format_packed(r->types[i], r->values.data() + at);
    return fmt::format("{}: expected [{}], got [{}]", describe(c.action), want, got);
  }

  Failure expect_action_error(const WastCommand& c, ErrorKind kind) {
    auto r = perform(c.action);
    if (r) return fmt::format("{}: expected {} \"{}\", but it returned", describe(c.action), error_kind_name(kind), c.text);
    if (auto f = check_error(r.error(), {kind}, c.text)) return fmt::format("{}: {}", describe(c.action), *f);
    return std::nullopt;
  }

  std::string file_;
  WastOptions opts_;
  Store store_;
  std::map<std::string, Instance*> registry_;
  std::map<std::string, Instance*> named_;
  std::map<std::string, WastModule> definitions_;    // `(module definition $id ...)`
  std::optional<WastModule> latest_definition_;
  Instance* current_ = nullptr;
  bool current_failed_ = false;
  WastCounts counts_;
};

CoreWastSession::CoreWastSession(const std::string& file, const WastOptions& opts)
    : runner_(std::make_unique<CoreRunner>(file, opts)) {}
CoreWastSession::~CoreWastSession() = default;
void CoreWastSession::run(const WastCommand& c) { runner_->run(c); }
WastCounts CoreWastSession::counts() const { return runner_->counts(); }

WastCounts run_wast_commands(const std::string& file, const std::vector<WastCommand>& commands,
                             const WastOptions& opts) {
  CoreRunner runner(file, opts);
  return run_each_command(runner, commands, opts);
}

WastCounts run_wast_file(const std::string& file, const WastOptions& opts) {
  auto src = read_input_file(file);
  if (!src) {
    fmt::print(stderr, "{}: {}\n", file, src.error().message);
    return {0, 1};
  }
  auto cmds = parse_wast(*src);
  if (!cmds) {
    auto ccmds = component::parse_component_wast(*src);
    if (ccmds) return run_component_wast_commands(file, *ccmds, opts);
    bool has_components = src->find("(component") != std::string::npos;
    fmt::print(stderr, "{}:{}\n", file, (has_components ? ccmds.error() : cmds.error()).message);
    return {0, 1};
  }
  return run_wast_commands(file, *cmds, opts);
}

}  // namespace wippy::wast
