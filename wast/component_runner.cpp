// component_runner.cpp — the component-script runner (see component_runner.h).
#include "wast/component_runner.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <optional>

#include "component/decode.h"
#include "component/linker.h"
#include "component/text/component_wat.h"
#include "component/validate.h"
#include "interp/quote.h"
#include "interp/store.h"
#include "wast/component_values.h"

namespace wippy::wast {

namespace {

using component::Component;
using component::ComponentInstance;
using component::ComponentWastCommand;
using component::Val;
using component::WastCAction;
using component::WastComponent;
using CompRef = std::shared_ptr<const Component>;

const char* command_name(ComponentWastCommand::Kind k) {
  switch (k) {
    case ComponentWastCommand::Core: return "core";
    case ComponentWastCommand::Component: return "component";
    case ComponentWastCommand::ComponentDefinition: return "component definition";
    case ComponentWastCommand::ComponentInstance: return "component instance";
    case ComponentWastCommand::Action: return "action";
    case ComponentWastCommand::AssertReturn: return "assert_return";
    case ComponentWastCommand::AssertTrap: return "assert_trap";
    case ComponentWastCommand::AssertExhaustion: return "assert_exhaustion";
    case ComponentWastCommand::AssertInvalid: return "assert_invalid";
    case ComponentWastCommand::AssertMalformed: return "assert_malformed";
    case ComponentWastCommand::AssertUnlinkable: return "assert_unlinkable";
    case ComponentWastCommand::AssertUninstantiable: return "assert_uninstantiable";
  }
  return "?";
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// Why an error means "out of scope" rather than "wrong": the async ABI and
// the one WebAssembly 3.0 core feature not built yet (GC types), as the
// decoders name them. nullopt for every other error (multi-memory,
// exception handling and core tags are built: their errors are failures).
std::optional<std::string> skip_reason(const Error& e) {
  const std::string& m = e.message;
  size_t at = m.find("unsupported: ");
  std::string what;
  if (at != std::string::npos) {
    what = m.substr(at + 13);
  } else if ((at = m.find("unsupported canonical built-in ")) != std::string::npos) {
    what = "canon " + m.substr(at + 31);
  } else {
    return std::nullopt;
  }
  if (size_t off = what.find(" at offset"); off != std::string::npos) what.resize(off);
  for (std::string_view k : {"async", "stream", "future", "error-context", "task.", "subtask", "waitable",
                             "context.", "backpressure", "thread", "yield", "callback"})
    if (contains(what, k)) return fmt::format("async ABI ({})", what);
  if (contains(what, "GC types")) return fmt::format("WebAssembly 3.0 core feature ({})", what);
  return std::nullopt;
}

struct Outcome {
  enum Kind : uint8_t { Pass, Fail, Skip } kind = Pass;
  std::string text;
  static Outcome pass() { return {}; }
  static Outcome fail(std::string t) { return {Fail, std::move(t)}; }
  static Outcome skip(std::string t) { return {Skip, std::move(t)}; }
};

// An instance slot: the instance, or why there is none.
struct Slot {
  std::unique_ptr<ComponentInstance> inst;
  std::string problem;  // when !inst
  bool skipped = false; // the problem is out of scope
};

class ComponentRunner {
 public:
  ComponentRunner(std::string file, const WastOptions& opts)
      : file_(std::move(file)), opts_(opts), core_(file_, opts) {}

  void run(const ComponentWastCommand& c) {
    if (c.kind == ComponentWastCommand::Core) {
      core_.run(c.core);
      return;
    }
    if (opts_.verbose) fmt::print("{}:{}: {}\n", file_, c.line, command_name(c.kind));
    Outcome o = dispatch(c);
    switch (o.kind) {
      case Outcome::Pass: ++counts_.passed; return;
      case Outcome::Skip:
        ++counts_.skipped;
        fmt::print(stderr, "{}:{}: skipped: {}\n", file_, c.line, o.text);
        break;
      case Outcome::Fail:
        ++counts_.failed;
        fmt::print(stderr, "{}:{}: {}: {}\n", file_, c.line, command_name(c.kind), o.text);
        break;
    }
    std::fflush(stdout);
  }

  WastCounts counts() const {
    WastCounts core = core_.counts();
    return {counts_.passed + core.passed, counts_.failed + core.failed, counts_.skipped + core.skipped};
  }

 private:
  Outcome dispatch(const ComponentWastCommand& c) {
    switch (c.kind) {
      case ComponentWastCommand::Core: return Outcome::pass();
      case ComponentWastCommand::Component: return define(c.component);
      case ComponentWastCommand::ComponentDefinition: return define_only(c.component);
      case ComponentWastCommand::ComponentInstance: return instance_of(c);
      case ComponentWastCommand::Action: {
        auto r = perform(c.action);
        if (r.kind == Outcome::Fail) return Outcome::fail(fmt::format("{} failed: {}", describe(c.action), r.text));
        return r;
      }
      case ComponentWastCommand::AssertReturn: return assert_return(c);
      case ComponentWastCommand::AssertTrap:
        if (c.has_action) return expect_action_error(c, ErrorKind::Trap);
        return expect_component_error(c, {ErrorKind::Trap, ErrorKind::Uninstantiable}, true);
      case ComponentWastCommand::AssertExhaustion: return expect_action_error(c, ErrorKind::Exhaustion);
      // The reference tools decode and validate components in one pass, so
      // the scripts do not tell malformed from invalid: either kind is
      // accepted, and the expected message decides.
      case ComponentWastCommand::AssertInvalid:
        return expect_component_error(c, {ErrorKind::Invalid, ErrorKind::Malformed}, false);
      case ComponentWastCommand::AssertMalformed:
        return expect_component_error(c, {ErrorKind::Malformed, ErrorKind::Invalid}, false);
      case ComponentWastCommand::AssertUnlinkable:
        return expect_component_error(c, {ErrorKind::Unlinkable}, true);
      case ComponentWastCommand::AssertUninstantiable:
        return expect_component_error(c, {ErrorKind::Trap, ErrorKind::Uninstantiable}, true);
    }
    return Outcome::fail("unknown command");
  }

  // ---- components ----

  // Text (or quote) -> bytes -> decoded -> validated component.
  static Result<CompRef> compile(const WastComponent& wc) {
    std::vector<uint8_t> quoted;
    const std::vector<uint8_t>* bytes = &wc.binary;
    if (wc.kind == WastComponent::Quote) {
      auto b = component::component_wat_to_binary(wc.quote);
      if (!b) return b.error();
      quoted = std::move(*b);
      bytes = &quoted;
    } else if (wc.text_error) {
      return make_error(ErrorKind::Malformed, *wc.text_error);
    }
    // Decoded as load_component does: core bodies read once, by validation.
    auto decoded = component::decode_component(SharedBytes::copy_of(*bytes), nullptr,
                                               DecodeOptions{.scan_bodies = false});
    if (!decoded) return decoded.error();
    auto comp = std::make_shared<const Component>(std::move(*decoded));
    if (auto v = component::validate_component(*comp); !v) return v.error();
    return comp;
  }

  Result<std::unique_ptr<ComponentInstance>> instantiate(const CompRef& comp) {
    return linker_.instantiate(store_, comp);
  }

  static std::string describe_error(const Error& e) {
    return fmt::format("{}: {}", error_kind_name(e.kind), e.message);
  }

  // Makes `slot` the current instance (and `$id`'s), reporting its outcome.
  Outcome install(const std::optional<std::string>& id, Slot slot) {
    Outcome o = slot.inst       ? Outcome::pass()
                : slot.skipped  ? Outcome::skip(slot.problem)
                                : Outcome::fail(slot.problem);
    auto shared = std::make_shared<Slot>(std::move(slot));
    current_ = shared;
    if (id) named_[*id] = shared;
    return o;
  }

  Slot make_slot(const WastComponent& wc) {
    Slot s;
    auto comp = compile(wc);
    if (comp) {
      auto inst = instantiate(*comp);
      if (inst) {
        s.inst = std::move(*inst);
        return s;
      }
      comp = inst.error();
    }
    if (auto why = skip_reason(comp.error())) {
      s.skipped = true;
      s.problem = *why;
    } else {
      s.problem = "component failed to load: " + describe_error(comp.error());
    }
    return s;
  }

  Outcome define(const WastComponent& wc) { return install(wc.id, make_slot(wc)); }

  Outcome define_only(const WastComponent& wc) {
    auto comp = compile(wc);
    if (wc.id) definitions_.insert_or_assign(*wc.id, comp);
    if (comp) return Outcome::pass();
    if (auto why = skip_reason(comp.error())) return Outcome::skip(*why);
    return Outcome::fail("component failed to compile: " + describe_error(comp.error()));
  }

  Outcome instance_of(const ComponentWastCommand& c) {
    Slot s;
    auto it = definitions_.find(c.definition_id);
    if (it == definitions_.end()) {
      s.problem = fmt::format("unknown component definition {}", c.definition_id);
    } else if (!it->second) {
      if (auto why = skip_reason(it->second.error())) {
        s.skipped = true;
        s.problem = *why;
      } else {
        s.problem = fmt::format("component definition {} failed to compile", c.definition_id);
      }
    } else if (auto inst = instantiate(*it->second)) {
      s.inst = std::move(*inst);
    } else if (auto why = skip_reason(inst.error())) {
      s.skipped = true;
      s.problem = *why;
    } else {
      s.problem = "instantiation failed: " + describe_error(inst.error());
    }
    return install(c.instance_id, std::move(s));
  }

  Outcome expect_component_error(const ComponentWastCommand& c, std::initializer_list<ErrorKind> kinds,
                                 bool instantiate_it) {
    auto comp = compile(c.component);
    Error e;
    if (comp) {
      if (!instantiate_it)
        return Outcome::fail(fmt::format("expected {} \"{}\", but the component is valid",
                                         error_kind_name(*kinds.begin()), c.text));
      auto inst = instantiate(*comp);
      if (inst)
        return Outcome::fail(fmt::format("expected {} \"{}\", but the component instantiated",
                                         error_kind_name(*kinds.begin()), c.text));
      e = inst.error();
    } else {
      e = comp.error();
    }
    if (auto why = skip_reason(e)) return Outcome::skip(*why);
    return check_error(e, kinds, c.text);
  }

  static Outcome check_error(const Error& e, std::initializer_list<ErrorKind> kinds, const std::string& text) {
    bool kind_ok = false;
    for (ErrorKind k : kinds) kind_ok |= e.kind == k;
    if (!kind_ok)
      return Outcome::fail(fmt::format("expected {} \"{}\", got {}", error_kind_name(*kinds.begin()), text,
                                       describe_error(e)));
    if (!contains(e.message, text))
      return Outcome::fail(fmt::format("expected message \"{}\", got \"{}\"", text, e.message));
    return Outcome::pass();
  }

  // ---- actions ----

  static std::string describe(const WastCAction& a) {
    return fmt::format("invoke {}\"{}\"", a.instance ? *a.instance + " " : "", quote_input(a.name));
  }

  // The instance an action targets; Fail/Skip when there is none.
  Outcome find_instance(const std::optional<std::string>& id, ComponentInstance*& out) {
    std::shared_ptr<Slot> slot;
    if (id) {
      auto it = named_.find(*id);
      if (it == named_.end()) return Outcome::fail(fmt::format("unknown component instance {}", *id));
      slot = it->second;
    } else {
      slot = current_;
      if (!slot) return Outcome::fail("no current component instance");
    }
    if (slot->inst) {
      out = slot->inst.get();
      return Outcome::pass();
    }
    if (slot->skipped) return Outcome::skip(slot->problem);
    return Outcome::fail("the component instance failed to load");
  }

  // Calls the action; on success `sig` and `results` are set. A failed
  // call is Fail with the error kept in `error`.
  Outcome perform(const WastCAction& a, component::FuncSigRef* sig_out = nullptr,
                  std::vector<Val>* results = nullptr, std::optional<Error>* error = nullptr) {
    ComponentInstance* inst = nullptr;
    if (Outcome o = find_instance(a.instance, inst); o.kind != Outcome::Pass) return o;
    auto f = inst->func(a.name);
    if (!f) return Outcome::fail(describe_error(f.error()));
    const component::FuncSigRef& sig = (*f)->sig;
    if (!sig) return Outcome::fail(fmt::format("export \"{}\" has no signature", quote_input(a.name)));
    if (a.args.size() != sig->params.size())
      return Outcome::fail(fmt::format("{} arguments given, {} expected", a.args.size(), sig->params.size()));
    std::vector<Val> args;
    for (size_t i = 0; i < a.args.size(); ++i) {
      auto v = to_component_val(a.args[i], *sig->params[i]);
      if (!v) return Outcome::fail(fmt::format("argument {}: {}", i + 1, v.error().message));
      args.push_back(std::move(*v));
    }
    auto r = inst->call(a.name, args);
    if (!r) {
      if (error) *error = r.error();
      return Outcome::fail(describe_error(r.error()));
    }
    if (sig_out) *sig_out = sig;
    if (results) *results = std::move(*r);
    return Outcome::pass();
  }

  Outcome assert_return(const ComponentWastCommand& c) {
    component::FuncSigRef sig;
    std::vector<Val> results;
    Outcome o = perform(c.action, &sig, &results);
    if (o.kind == Outcome::Fail) return Outcome::fail(fmt::format("{}: {}", describe(c.action), o.text));
    if (o.kind == Outcome::Skip) return o;
    bool ok = c.expected.size() == results.size() && results.size() == (sig->result ? 1u : 0u);
    for (size_t i = 0; ok && i < results.size(); ++i)
      ok = component_val_matches(c.expected[i], **sig->result, results[i]);
    if (ok) return Outcome::pass();
    std::string want, got;
    for (const auto& e : c.expected) want += (want.empty() ? "" : ", ") + format_cvalue(e);
    for (const auto& v : results) got += (got.empty() ? "" : ", ") + component::to_string(v);
    return Outcome::fail(fmt::format("{}: expected [{}], got [{}]", describe(c.action), want, got));
  }

  Outcome expect_action_error(const ComponentWastCommand& c, ErrorKind kind) {
    std::optional<Error> error;
    Outcome o = perform(c.action, nullptr, nullptr, &error);
    if (o.kind == Outcome::Skip) return o;
    if (o.kind == Outcome::Pass)
      return Outcome::fail(fmt::format("{}: expected {} \"{}\", but it returned", describe(c.action),
                                       error_kind_name(kind), c.text));
    if (!error) return Outcome::fail(fmt::format("{}: {}", describe(c.action), o.text));
    Outcome check = check_error(*error, {kind}, c.text);
    if (check.kind == Outcome::Fail) check.text = fmt::format("{}: {}", describe(c.action), check.text);
    return check;
  }

  std::string file_;
  WastOptions opts_;
  // The store outlives every instance below (members are destroyed in
  // reverse order).
  Store store_;
  component::Linker linker_;
  CoreWastSession core_;
  std::map<std::string, Result<CompRef>> definitions_;
  std::map<std::string, std::shared_ptr<Slot>> named_;
  std::shared_ptr<Slot> current_;
  WastCounts counts_;
};

}  // namespace

WastCounts run_component_wast_commands(const std::string& file,
                                       const std::vector<ComponentWastCommand>& commands,
                                       const WastOptions& opts) {
  ComponentRunner runner(file, opts);
  return run_each_command(runner, commands, opts);
}

}  // namespace wippy::wast
