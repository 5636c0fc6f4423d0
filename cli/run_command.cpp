// run_command.cpp — the `run` subcommand: core modules (--invoke) and
// WASI commands: components and preview1 core modules (see run_command.h).
#include "cli/run_command.h"

#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <fmt/format.h>
#include <optional>
#include <utility>
#include <vector>

#include "cli/args.h"
#include "cli/bounded_call.h"
#include "cli/report.h"
#include "component/decode.h"
#include "component/load.h"
#include "dispatcher/guest_call.h"
#include "hostfns/wasi.h"
#include "hostfns/wasi_ctx.h"
#include "hostfns/wasi_preview1.h"
#include "interp/store.h"
#include "interp/exec/packed.h"
#include "interp/quote.h"
#include "interp/text/numbers.h"
#include "net/http_grant.h"
#include "net/rules.h"
#include "runtime/code_cache.h"
#include "runtime/component_cache.h"
#include "runtime/input_file.h"
#include "wast/values.h"

namespace wippy::cli {

namespace {

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
        if (auto v = parse_int(s, 32)) return val_ref(wast::extern_payload(*v));
      return std::nullopt;
    case ValType::V128:
      return std::nullopt;  // two slots: parse_v128_arg
  }
  return std::nullopt;
}

// A v128 argument is one word holding a v128.const's immediates: a lane
// shape and its lanes separated by blanks, "i32x4 1 2 3 4" (lanes as in the
// text format: hex, signed or unsigned integers, hex floats, inf, nan:0x...).
// The 16 bytes go to `out` as invoke()'s two packed slots, low half first.
bool parse_v128_arg(const std::string& s, Value out[2]) {
  std::vector<std::string_view> words;
  std::string_view rest(s);
  while (!rest.empty()) {
    size_t start = rest.find_first_not_of(" \t");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    size_t end = std::min(rest.find_first_of(" \t"), rest.size());
    words.push_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  text::LaneShape shape;
  if (words.empty() || !text::lane_shape(words[0], shape) || words.size() != shape.lanes + 1) return false;
  uint8_t bytes[16] = {};
  unsigned lane_bytes = shape.lane_bits / 8;
  for (unsigned i = 0; i < shape.lanes; ++i) {
    uint64_t bits = 0;
    if (text::parse_lane(words[i + 1], shape, bits) != text::NumStatus::Ok) return false;
    for (unsigned b = 0; b < lane_bytes; ++b) bytes[i * lane_bytes + b] = uint8_t(bits >> (8 * b));
  }
  std::memcpy(out, bytes, 16);
  return true;
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

// Everything `run` was asked to do, its values checked.
struct RunOptions {
  std::string file;
  std::vector<std::string> args;     // after FILE: the guest's argv[1..], or --invoke's ARGs
  std::optional<std::string> invoke;  // --invoke NAME
  std::vector<hostfns::Preopen> dirs;
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<std::string> cwd;
  std::optional<std::string> argv0;  // --argv0: argv[0] instead of FILE
  // wasi:sockets: every address by default (as wasmtime's
  // -S inherit-network); --allow-net RULE narrows it, --deny-net refuses all.
  net::Policy network;
  // --tcplisten HOST:PORT: preview1 listening sockets (opened at run, under `network`).
  std::vector<net::SocketAddress> tcp_listen;
  // wasi:http: any authority by default; --allow-http-host, --http-ca-file
  // and the --http-*-timeout-ms defaults.
  net::HttpGrant http;
  uint64_t timeout_ns = 0;                // --timeout; 0: none
  std::optional<std::string> timeout_text;  // as given, for the error
  // The code cache for components (runtime/code_cache.h): --cache-dir DIR,
  // else the default directory; none with --no-cache or without a home.
  std::optional<std::filesystem::path> cache_dir;
};

// --http-connect-timeout-ms and friends: the wasi:http default timeouts.
std::optional<net::HttpTimeout> http_timeout_option(std::string_view a) {
  if (a == "--http-connect-timeout-ms") return net::HttpTimeout::connect;
  if (a == "--http-first-byte-timeout-ms") return net::HttpTimeout::first_byte;
  if (a == "--http-between-bytes-timeout-ms") return net::HttpTimeout::between_bytes;
  return std::nullopt;
}

// "wippy-run: error: FILE: [WHAT]KIND: MESSAGE" on one line (a message
// already naming FILE as it is); status 1.
int fail(const std::string& file, const Error& e, const std::string& what = {}) {
  std::string msg = e.message;
  if (!msg.starts_with(file + ":")) msg = file + ": " + what + error_kind_name(e.kind) + ": " + msg;
  return report_error(one_line(msg));
}

int fail(const std::string& file, const std::string& message) { return report_error(one_line(file + ": " + message)); }

// A deadline's message names the --timeout that set it.
std::string deadline_note(const Error& e, const std::optional<std::string>& timeout) {
  return e.kind == ErrorKind::Interrupted && e.message == disp::kDeadlineExceeded && timeout
             ? fmt::format("{} (--timeout {})", e.message, quote_input(*timeout))
             : e.message;
}

int run_component(const RunOptions& opts) {
  // With a cache, the file is hashed (the cache key) while it is read.
  std::string digest;
  auto bin = read_input_binary(opts.file, opts.cache_dir ? &digest : nullptr);
  if (!bin) return report_error(one_line(bin.error().message));
  const SharedBytes& bytes = *bin;
  // A core module (binary or text) importing wasi_snapshot_preview1 is a
  // preview1 command.
  std::shared_ptr<const Module> core;
  std::shared_ptr<const component::Component> comp;
  std::optional<CodeCache> cache;
  if (component::is_component_binary(bytes)) {
    // Decoded and validated once per build and content (the cache's key
    // holds the bytes' sha256), with the code of the functions earlier runs
    // compiled; a cache that cannot be used is a miss.
    if (opts.cache_dir) cache.emplace(*opts.cache_dir);
    auto loaded = cache ? load_component_cached(bytes, digest, &*cache) : component::load_component(bytes);
    if (!loaded) return fail(opts.file, loaded.error());
    comp = std::move(*loaded);
  } else {
    auto mod = compile_module(bytes);
    if (!mod) return fail(opts.file, mod.error());
    if (!hostfns::imports_preview1(**mod))
      return fail(opts.file, fmt::format("a core module that does not import {} runs with --invoke NAME",
                                         hostfns::kPreview1Module));
    core = std::move(*mod);
  }

  // The context owns host resources (descriptors, sockets, streams' kept
  // bytes): it is closed in order before the process ends (below).
  auto owned_ctx = std::make_unique<hostfns::WasiCtx>();
  hostfns::WasiCtx& ctx = *owned_ctx;
  ctx.args.push_back(opts.argv0.value_or(opts.file));
  ctx.args.insert(ctx.args.end(), opts.args.begin(), opts.args.end());
  ctx.env = opts.env;
  ctx.initial_cwd = opts.cwd;
  ctx.preopens = opts.dirs;
  ctx.network = opts.network;
  ctx.http = opts.http;
  if (!opts.tcp_listen.empty() && !core) return fail(opts.file, "--tcplisten is for preview1 modules (a component listens with wasi:sockets)");
  // Preview1 has no working directory: wasi-libc starts every guest at "/".
  if (core && opts.cwd)
    return fail(opts.file, "--cwd does not apply to a preview1 module (preview1 has no working directory; relative "
                           "paths start at the guest libc's \"/\")");
  for (const net::SocketAddress& at : opts.tcp_listen) {
    auto sock = hostfns::open_tcp_listener(ctx.network, at);
    if (!sock) return fail(opts.file, sock.error().message);
    ctx.tcp_listeners.push_back(std::move(*sock));
  }
  ctx.inherit_stdio();
  // A reader that goes away (`| head`) must show up to the guest as a
  // failed write on its stream, not kill the host process.
  std::signal(SIGPIPE, SIG_IGN);

  std::optional<hostfns::WasiHost> host;
  if (comp) host.emplace(hostfns::WasiPackages::for_imports(*comp));
  Store store;
  int status = 0;
  auto r = run_bounded(store, opts.timeout_ns, [&](Store& s) -> Result<void> {
    auto code = core ? hostfns::run_preview1_command(s, core, ctx) : hostfns::run_wasi_command(s, comp, ctx, *host);
    if (!code) return code.error();
    status = *code;
    return {};
  });
  // The code compiled for this run, for the next (a trap or exit included).
  if (comp && cache) save_component_code(*comp, digest, &*cache);
  if (!r) status = fail(opts.file, Error{r.error().kind, deadline_note(r.error(), opts.timeout_text)});
  // The process ends here. What holds host resources is closed in order;
  // the component, its compiled code, the linker and the store are memory
  // only, which the kernel takes back at once, so std::exit (which unwinds
  // no frame) spares walking their graphs: about a tenth of a hello
  // command's run. Still on this frame, they are not leaks to LSan.
  owned_ctx.reset();
  std::exit(status);
}

int run_invoke(const RunOptions& opts) {
  const std::string& file = opts.file;
  const std::string& export_name = *opts.invoke;
  auto bytes = read_input_binary(file);
  if (!bytes) return report_error(one_line(bytes.error().message));
  if (component::is_component_binary(*bytes))
    return fail(file, "a component runs without --invoke (see `wippy-run run --help`)");
  auto mod = compile_module(*bytes);
  if (!mod) return fail(file, mod.error());
  if (!(*mod)->imports.empty()) {
    const Import& imp = (*mod)->imports.front();
    return fail(file, fmt::format("module imports \"{}\" \"{}\" ({}); `run --invoke` provides no imports",
                                  quote_input(imp.module), quote_input(imp.name), extern_kind_name(imp.kind)));
  }
  Store store;
  auto inst = instantiate(store, *mod, {});
  if (!inst) return fail(file, inst.error(), "instantiation failed: ");
  FuncInst* f = (*inst)->export_func(export_name);
  if (!f) return fail(file, fmt::format("no exported function \"{}\"", quote_input(export_name)));
  const FuncType& type = *f->type;
  const std::vector<std::string>& args = opts.args;
  if (args.size() != type.params.size())
    return fail(file, fmt::format("\"{}\" takes {} argument(s) {}, {} given", quote_input(export_name),
                                  type.params.size(), functype_to_string(type), args.size()));
  std::vector<Value> values;  // invoke()'s packed layout: a v128 takes two
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_v128 = type.params[i] == ValType::V128;
    std::optional<Value> v;
    Value v128[2];
    if (is_v128 ? !parse_v128_arg(args[i], v128) : !(v = parse_arg(args[i], type.params[i])))
      return fail(file, fmt::format("\"{}\": argument {} \"{}\" is not a valid {}{}", quote_input(export_name),
                                    i + 1, quote_input(args[i]), valtype_name(type.params[i]),
                                    is_v128 ? " (a lane shape and its lanes: \"i32x4 1 2 3 4\")" : ""));
    if (is_v128)
      values.insert(values.end(), v128, v128 + 2);
    else
      values.push_back(*v);
  }
  std::vector<Value> results;
  auto r = run_bounded(store, opts.timeout_ns, [&](Store& s) -> Result<void> {
    auto out = invoke(s, f, values);
    if (!out) return out.error();
    results = std::move(*out);
    return {};
  });
  if (!r)
    return fail(file, fmt::format("\"{}\": {}: {}", quote_input(export_name), error_kind_name(r.error().kind),
                                  deadline_note(r.error(), opts.timeout_text)));
  for (size_t i = 0, at = 0; i < type.results.size() && at + exec::slots_of(type.results[i]) <= results.size();
       at += exec::slots_of(type.results[i]), ++i)
    fmt::print("{}\n", wast::format_packed(type.results[i], results.data() + at));
  return 0;
}

// The first word after FILE starts the guest's (or --invoke's) arguments.
bool after_file(const std::string&, size_t index) { return index >= 1; }

// The options of `run` (args.h).
constexpr OptionSpec kRunOptions[] = {
    {"--invoke", true},         {"--dir", true},
    {"--env", true},            {"--cwd", true},
    {"--argv0", true},          {"--allow-net", true},
    {"--deny-net", false},      {"--allow-http-host", true},
    {"--tcplisten", true},
    {"--http-ca-file", true},   {"--http-connect-timeout-ms", true},
    {"--http-first-byte-timeout-ms", true}, {"--http-between-bytes-timeout-ms", true},
    {"--timeout", true},        {"--help", false, "-h"},
    {"--no-cache", false},      {"--cache-dir", true},
};

// Options that give a WASI command something; --invoke calls a module
// without imports, so they do not apply to it.
bool is_wasi_option(std::string_view name) {
  return name != "--invoke" && name != "--timeout" && name != "--help" && name != "--no-cache" &&
         name != "--cache-dir";
}

// ParsedArgs -> RunOptions, checking each value; the message of a usage
// error otherwise.
Result<RunOptions> run_options(const ParsedArgs& p) {
  auto bad = [](std::string msg) { return make_error(ErrorKind::Other, std::move(msg)); };
  if (p.positionals.empty()) return bad("missing FILE");
  RunOptions o;
  o.file = p.positionals[0];
  o.args.assign(p.positionals.begin() + 1, p.positionals.end());
  o.invoke = p.last("--invoke");
  bool deny_net = false;
  for (const OptionUse& u : p.options) {
    const std::string& v = u.value;
    const std::string qv = quote_input(v);  // for messages
    const std::string_view a = u.name;
    if (o.invoke && is_wasi_option(a)) return bad(fmt::format("{} does not apply to --invoke (a module without imports)", a));
    if (a == "--dir") {
      auto d = parse_dir(v);
      if (!d) return bad(fmt::format("--dir {}: expected HOST[::GUEST][:ro]", qv));
      struct stat st;
      if (::stat(d->host_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return bad(fmt::format("--dir {}: {} is not a directory", qv, quote_input(d->host_path)));
      o.dirs.push_back(std::move(*d));
    } else if (a == "--env") {
      size_t eq = v.find('=');
      if (eq == 0 || v.empty()) return bad(fmt::format("--env {}: expected NAME=VALUE or NAME", qv));
      if (eq != std::string::npos) {
        o.env.emplace_back(v.substr(0, eq), v.substr(eq + 1));
      } else if (const char* host = std::getenv(v.c_str())) {
        o.env.emplace_back(v, host);  // --env NAME: the host's value, when it has one
      }
    } else if (a == "--cwd") {
      if (v.empty()) return bad("--cwd needs a directory");
      o.cwd = v;
    } else if (a == "--argv0") {
      o.argv0 = v;
    } else if (a == "--allow-net") {
      auto rule = net::parse_rule(v);
      if (!rule) return bad(fmt::format("--allow-net: {}", rule.error().message));
      o.network.allow.push_back(*rule);
    } else if (a == "--tcplisten") {
      auto at = net::parse_socket_address(v);
      if (!at) return bad(fmt::format("--tcplisten {}: expected HOST:PORT (127.0.0.1:8080, [::1]:8080)", qv));
      o.tcp_listen.push_back(*at);
    } else if (a == "--deny-net") {
      deny_net = true;
    } else if (a == "--allow-http-host") {
      auto pattern = net::parse_host_pattern(v);
      if (!pattern) return bad(fmt::format("--allow-http-host: {}", pattern.error().message));
      o.http.allow_hosts.push_back(std::move(*pattern));
    } else if (a == "--http-ca-file") {
      struct stat st;
      if (::stat(v.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return bad(fmt::format("--http-ca-file {}: not a regular file", qv));
      o.http.ca_file = v;
    } else if (auto which = http_timeout_option(a)) {
      auto ms = parse_count(v, UINT64_MAX);
      if (!ms) return bad(fmt::format("{} {}: expected milliseconds", a, qv));
      if (auto ok = net::set_http_timeout_ms(o.http, *which, *ms, std::string(a)); !ok) return bad(ok.error().message);
    } else if (a == "--timeout") {
      auto ns = parse_duration_ns(v);
      if (!ns) return bad("--timeout: " + ns.error().message);
      o.timeout_ns = *ns;
      o.timeout_text = v;
    }
  }
  if (deny_net && !o.network.allow.empty()) return bad("--deny-net and --allow-net exclude each other");
  if (!p.has("--no-cache")) {
    if (auto dir = p.last("--cache-dir")) {
      if (dir->empty()) return bad("--cache-dir needs a directory");
      o.cache_dir = *dir;
    } else if (std::filesystem::path d = default_cache_dir(); !d.empty()) {
      o.cache_dir = std::move(d);
    }
  }
  if (deny_net) o.network = net::Policy::none();
  return o;
}

}  // namespace

const char* const kRunHelp =
    "  wippy-run run [--timeout DURATION] FILE.wasm|FILE.wat --invoke NAME [ARG...]\n"
    "      Instantiate a core module that has no imports and call export NAME.\n"
    "      ARGs are parsed by parameter type: i32/i64 as decimal or 0x hex\n"
    "      (negative allowed), f32/f64 as decimal floats, inf or nan, refs as\n"
    "      null (externref also N), v128 as one word holding a lane shape and\n"
    "      its lanes (\"i32x4 1 2 3 4\", \"f32x4 nan:0x200000 inf -0 0x1p-3\").\n"
    "      Each result is printed on its own line as TYPE:VALUE, e.g. i32:42,\n"
    "      f64:1.5 (0x3ff8000000000000) or v128:i32x4 0x00000001 ... (4 words).\n"
    "  wippy-run run [OPTIONS] COMPONENT.wasm|COMPONENT.wat [OPTIONS] [--] [ARG...]\n"
    "      Run a WASI 0.2 command component (wasi:cli/run) with exactly the\n"
    "      grants given by the options (before or after the file):\n"
    "      --dir HOST[::GUEST][:ro]  host directory HOST visible at GUEST (the\n"
    "                      same path when GUEST is left out; read-only with :ro)\n"
    "      --env NAME=VALUE  an environment variable; --env NAME passes the\n"
    "                      host's value of NAME (nothing when it is unset).\n"
    "                      Nothing else is inherited.\n"
    "      --cwd DIR       the initial working directory\n"
    "      --argv0 NAME    argv[0] instead of the file as given\n"
    "      --timeout DURATION  stop the guest after DURATION of wall-clock time\n"
    "                      (500ms, 2s, 1m; a bare number is seconds): a loop\n"
    "                      or a wait past it ends with \"interrupted: deadline\n"
    "                      exceeded\" (not a trap: the guest did no wrong), 1\n"
    "      --cache-dir DIR  keep decoded, validated components in DIR (default\n"
    "                      $XDG_CACHE_HOME/wippy or ~/.cache/wippy, as for\n"
    "                      registries); --no-cache reads and writes no cache\n"
    "      The guest's argv is the file as given, then the ARGs (they start\n"
    "      after -- or at the first word after the file that is not an\n"
    "      option). Stdio is inherited.\n"
    "      wasi:sockets reaches every address unless --allow-net RULE (repeatable;\n"
    "      tcp|udp:HOST:PORT, e.g. tcp:127.0.0.1:8000-9000, udp:[::1]:53,\n"
    "      tcp:10.0.0.0/8:*, tcp:*:443) narrows it or --deny-net refuses every\n"
    "      address, bind, listen and lookup (access-denied).\n"
    "      wasi:http reaches every authority the network rules allow unless\n"
    "      --allow-http-host PATTERN (repeatable; HOST, HOST:PORT, *.DOMAIN or\n"
    "      *.DOMAIN:PORT, e.g. api.example.com, *.example.org, 127.0.0.1:8080,\n"
    "      [::1]:8443) narrows it (HTTP-request-denied); --http-ca-file PATH adds\n"
    "      the PEM certificates in PATH to the trusted CAs of HTTPS requests.\n"
    "      Requests whose request-options leave a timeout unset get connect\n"
    "      30000 ms, first byte (the whole response head) 60000 ms and between\n"
    "      bytes 60000 ms, or the MS given (1 to 86400000) by\n"
    "      --http-connect-timeout-ms MS, --http-first-byte-timeout-ms MS and\n"
    "      --http-between-bytes-timeout-ms MS.\n"
    "      Exit status: the guest's: 0, 1 when it exits with an error or run\n"
    "      returns err, N from exit-with-code(N); 1 for a trap, a deadline or\n"
    "      an unsatisfied import (one line on stderr); 2 for bad usage.\n"
    "  wippy-run run [OPTIONS] MODULE.wasm|MODULE.wat [OPTIONS] [--] [ARG...]\n"
    "      A core module importing wasi_snapshot_preview1 runs as a WASI\n"
    "      preview1 command (its _start) with the same grants and --timeout;\n"
    "      the exit status is its proc_exit code (2, 42, ...).\n"
    "      --tcplisten HOST:PORT (repeatable) listens on HOST:PORT, if the network\n"
    "      rules allow binding and listening there, and hands the socket to the\n"
    "      guest as the fd after the --dir preopens (sock_accept). --cwd is\n"
    "      refused: preview1 has no working directory.\n";

namespace {

// What the subcommand does with its parsed arguments: the exit status.
int run_main(const ParsedArgs& p) {
  auto opts = run_options(p);
  if (!opts) return report_usage("run: " + opts.error().message, "run");
  return opts->invoke ? run_invoke(*opts) : run_component(*opts);
}

}  // namespace

const CommandSpec kRunCommand{kRunOptions, &kRunHelp, "run: ", "run", run_main, after_file};

}  // namespace wippy::cli
