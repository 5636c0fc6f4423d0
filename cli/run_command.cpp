// run_command.cpp — the `run` subcommand: core modules (--invoke) and
// WASI commands: components and preview1 core modules (see run_command.h).
#include "cli/run_command.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <fmt/format.h>
#include <optional>

#include "cli/load.h"
#include "cli/values.h"
#include "hostfns/wasi.h"
#include "hostfns/wasi_preview1.h"
#include "interp/store.h"
#include "interp/text/wat.h"
#include "interp/quote.h"

namespace wippy::cli {

namespace {

bool looks_like_text(const std::string& file, const std::string& data) {
  if (file.size() >= 4 && file.compare(file.size() - 4, 4, ".wat") == 0) return true;
  if (data.size() >= 4 && data.compare(0, 4, std::string("\0asm", 4)) == 0) return false;
  for (char ch : data) {
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') continue;
    return ch == '(' || ch == ';';
  }
  return false;
}

std::optional<uint64_t> parse_int(const std::string& s, int bits) {
  if (s.empty()) return std::nullopt;
  const char* p = s.c_str();
  bool neg = *p == '-';
  if (*p == '-' || *p == '+') ++p;
  int base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) base = 16, p += 2;
  if (!*p) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(p, &end, base);
  if (*end || errno == ERANGE || *p == '-' || *p == '+') return std::nullopt;
  uint64_t limit = bits == 32 ? 0xFFFFFFFFull : ~0ull;
  if (neg) {
    uint64_t min_mag = bits == 32 ? 0x80000000ull : 0x8000000000000000ull;
    if (v > min_mag) return std::nullopt;
    return uint64_t(0) - v;
  }
  if (v > limit) return std::nullopt;
  return v;
}

std::optional<Value> parse_arg(const std::string& s, ValType t) {
  switch (t) {
    case ValType::I32:
      if (auto v = parse_int(s, 32)) return val_i32(uint32_t(*v));
      return std::nullopt;
    case ValType::I64:
      if (auto v = parse_int(s, 64)) return val_i64(*v);
      return std::nullopt;
    case ValType::F32:
    case ValType::F64: {
      if (s.empty()) return std::nullopt;
      char* end = nullptr;
      if (t == ValType::F32) {
        float f = std::strtof(s.c_str(), &end);
        if (*end) return std::nullopt;
        return val_f32(f);
      }
      double d = std::strtod(s.c_str(), &end);
      if (*end) return std::nullopt;
      return val_f64(d);
    }
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (s == "null") return val_ref(0);
      if (t == ValType::ExternRef)
        if (auto v = parse_int(s, 32)) return val_ref(extern_payload(*v));
      return std::nullopt;
    case ValType::V128:
      return std::nullopt;
  }
  return std::nullopt;
}

// One line: newlines in a message become "; ".
std::string one_line(std::string s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\n') {
      if (!out.empty() && out.back() != ' ') out += "; ";
    } else if (ch != '\r') {
      out += ch;
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  return out;
}

// --dir HOST::GUEST[:ro] or --dir DIR (the same path on both sides).
std::optional<hostfns::Preopen> parse_dir(const std::string& spec) {
  hostfns::Preopen p;
  std::string guest;
  size_t sep = spec.find("::");
  if (sep == std::string::npos) {
    p.host_path = spec;
    guest = spec;
  } else {
    p.host_path = spec.substr(0, sep);
    guest = spec.substr(sep + 2);
  }
  if (guest.size() >= 3 && guest.compare(guest.size() - 3, 3, ":ro") == 0) {
    p.read_only = true;
    guest.resize(guest.size() - 3);
    if (sep == std::string::npos) p.host_path = guest;
  }
  if (p.host_path.empty() || guest.empty()) return std::nullopt;
  p.guest_path = guest;
  return p;
}

// --http-connect-timeout-ms and friends: the wasi:http default timeouts.
std::optional<net::HttpTimeout> http_timeout_option(std::string_view a) {
  if (a == "--http-connect-timeout-ms") return net::HttpTimeout::connect;
  if (a == "--http-first-byte-timeout-ms") return net::HttpTimeout::first_byte;
  if (a == "--http-between-bytes-timeout-ms") return net::HttpTimeout::between_bytes;
  return std::nullopt;
}

}  // namespace

bool is_component_binary(std::span<const uint8_t> bytes) {
  // \0asm, a 2-byte version, then the 2-byte layer: 0 core, 1 component.
  return bytes.size() >= 8 && bytes[0] == 0 && bytes[1] == 'a' && bytes[2] == 's' && bytes[3] == 'm' &&
         bytes[6] == 1 && bytes[7] == 0;
}

std::optional<ComponentRunOptions> parse_component_run(const std::vector<std::string>& args) {
  auto bad = [](const std::string& msg) -> std::optional<ComponentRunOptions> {
    fmt::print(stderr, "wippy-run run: {}\n", msg);
    return std::nullopt;
  };
  if (args.empty()) return bad("missing FILE");
  ComponentRunOptions o;
  o.file = args[0];
  size_t i = 1;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--deny-net") {
      o.deny_net = true;
      continue;
    }
    if (a != "--dir" && a != "--env" && a != "--cwd" && a != "--allow-net" && a != "--allow-http-host" &&
        a != "--http-ca-file" && a != "--argv0" && !http_timeout_option(a)) {
      if (a.size() > 1 && a[0] == '-') return bad(fmt::format("unknown option {}", a));
      break;  // the first guest argument
    }
    if (i + 1 >= args.size()) return bad(fmt::format("{} needs a value", a));
    const std::string& v = args[++i];
    if (a == "--dir") {
      auto p = parse_dir(v);
      if (!p) return bad(fmt::format("--dir {}: expected HOST::GUEST[:ro] or DIR", v));
      struct stat st;
      if (::stat(p->host_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return bad(fmt::format("--dir {}: {} is not a directory", v, p->host_path));
      o.dirs.push_back(std::move(*p));
    } else if (a == "--allow-net") {
      auto rule = net::parse_rule(v);
      if (!rule) return bad(fmt::format("--allow-net: {}", rule.error().message));
      o.network.allow.push_back(*rule);
    } else if (a == "--allow-http-host") {
      auto pattern = net::parse_host_pattern(v);
      if (!pattern) return bad(fmt::format("--allow-http-host: {}", pattern.error().message));
      o.http.allow_hosts.push_back(std::move(*pattern));
    } else if (a == "--http-ca-file") {
      struct stat st;
      if (::stat(v.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return bad(fmt::format("--http-ca-file {}: not a regular file", v));
      o.http.ca_file = v;
    } else if (auto which = http_timeout_option(a)) {
      uint64_t ms = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
      if (ec != std::errc() || end != v.data() + v.size() || v.empty())
        return bad(fmt::format("{} {}: expected milliseconds", a, v));
      if (auto ok = net::set_http_timeout_ms(o.http, *which, ms, a); !ok) return bad(ok.error().message);
    } else if (a == "--argv0") {
      o.argv0 = v;
    } else if (a == "--env") {
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) return bad(fmt::format("--env {}: expected NAME=VALUE", v));
      o.env.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else {
      if (v.empty()) return bad("--cwd needs a directory");
      o.cwd = v;
    }
  }
  if (o.deny_net && !o.network.allow.empty()) return bad("--deny-net and --allow-net exclude each other");
  if (o.deny_net) o.network = net::Policy::none();
  o.args.assign(args.begin() + std::ptrdiff_t(i), args.end());
  return o;
}

int run_component(const ComponentRunOptions& opts) {
  auto fail = [&](const std::string& msg) {
    fmt::print(stderr, "wippy-run: {}: {}\n", opts.file, one_line(msg));
    return 1;
  };
  auto data = read_file(opts.file);
  if (!data) {
    fmt::print(stderr, "wippy-run: {}\n", one_line(data.error().message));
    return 1;
  }
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(data->data()), data->size());
  // A core module (binary or text) importing wasi_snapshot_preview1 is a
  // preview1 command.
  std::shared_ptr<const Module> core;
  if (!is_component_binary(bytes)) {
    std::vector<uint8_t> wasm(bytes.begin(), bytes.end());
    if (looks_like_text(opts.file, *data)) {
      auto b = wat_to_wasm(*data);
      if (!b) return fail(fmt::format("malformed text: {}", b.error().message));
      wasm = std::move(*b);
    }
    auto mod = compile_module(wasm);
    if (!mod) return fail(fmt::format("{}: {}", error_kind_name(mod.error().kind), mod.error().message));
    if (!hostfns::imports_preview1(**mod))
      return fail(fmt::format("a core module that does not import {} runs with --invoke NAME",
                              hostfns::kPreview1Module));
    core = std::move(*mod);
  }

  hostfns::WasiCtx ctx;
  ctx.args.push_back(opts.argv0.value_or(opts.file));
  ctx.args.insert(ctx.args.end(), opts.args.begin(), opts.args.end());
  ctx.env = opts.env;
  ctx.initial_cwd = opts.cwd;
  ctx.preopens = opts.dirs;
  ctx.network = opts.network;
  ctx.http = opts.http;
  ctx.inherit_stdio();
  // A reader that goes away (`| head`) must show up to the guest as a
  // failed write on its stream, not kill the host process.
  std::signal(SIGPIPE, SIG_IGN);

  Store store;
  auto r = core ? hostfns::run_preview1_command(store, core, ctx) : hostfns::run_wasi_command(store, bytes, ctx);
  if (!r) return fail(fmt::format("{}: {}", error_kind_name(r.error().kind), r.error().message));
  return *r;
}

int run_command(const std::string& file, const std::string& export_name, const std::vector<std::string>& args) {
  auto fail = [&](const std::string& msg) {
    fmt::print(stderr, "wippy-run: {}: {}\n", file, msg);
    return 1;
  };
  auto data = read_file(file);
  if (!data) {
    fmt::print(stderr, "wippy-run: {}\n", data.error().message);
    return 1;
  }
  std::vector<uint8_t> bytes;
  if (looks_like_text(file, *data)) {
    auto b = wat_to_wasm(*data);
    if (!b) return fail(fmt::format("malformed text: {}", b.error().message));
    bytes = std::move(*b);
  } else {
    bytes.assign(data->begin(), data->end());
    if (is_component_binary(bytes)) return fail("a component runs without --invoke (see `wippy-run help`)");
  }
  auto mod = compile_module(bytes);
  if (!mod) return fail(fmt::format("{}: {}", error_kind_name(mod.error().kind), mod.error().message));
  if (!(*mod)->imports.empty()) {
    const Import& imp = (*mod)->imports.front();
    return fail(fmt::format("module imports \"{}\" \"{}\" ({}); `run` provides no imports", quote_input(imp.module), quote_input(imp.name),
                            extern_kind_name(imp.kind)));
  }
  Store store;
  auto inst = instantiate(store, *mod, {});
  if (!inst) return fail(fmt::format("instantiation failed: {}: {}", error_kind_name(inst.error().kind),
                                     inst.error().message));
  FuncInst* f = (*inst)->export_func(export_name);
  if (!f) return fail(fmt::format("no exported function \"{}\"", quote_input(export_name)));
  const FuncType& type = f->type;
  if (args.size() != type.params.size())
    return fail(fmt::format("\"{}\" takes {} argument(s) {}, {} given", quote_input(export_name), type.params.size(),
                            functype_to_string(type), args.size()));
  std::vector<Value> values;
  for (size_t i = 0; i < args.size(); ++i) {
    auto v = parse_arg(args[i], type.params[i]);
    if (!v)
      return fail(fmt::format("\"{}\": argument {} \"{}\" is not a valid {}", quote_input(export_name), i + 1, quote_input(args[i]),
                              valtype_name(type.params[i])));
    values.push_back(*v);
  }
  auto r = invoke(store, f, values);
  if (!r) return fail(fmt::format("\"{}\": {}: {}", quote_input(export_name), error_kind_name(r.error().kind), r.error().message));
  for (size_t i = 0; i < r->size() && i < type.results.size(); ++i)
    fmt::print("{}\n", format_value(type.results[i], (*r)[i]));
  return 0;
}

}  // namespace wippy::cli
