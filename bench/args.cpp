// args.cpp — see args.h.
#include "args.h"

#include <cstdlib>
#include <cstring>

namespace wippy::bench {

const char* const kUsage =
    "usage: wippy-bench kernels [--runs N] [--filter NAME] [--n N] [--dir DIR]\n"
    "       wippy-bench startup [--runs N] [--wippy-run PATH]\n"
    "       wippy-bench load    [--runs N] [--mb SIZE]\n"
    "       wippy-bench reset   [--runs N]\n"
    "       wippy-bench guests  [--runs N] [--guests N] [--sleep-ms MS] [--dir DIR]\n"
    "       wippy-bench http-guests [--runs N] [--guests N] [--sleep-ms MS] [--dir DIR]\n"
    "       wippy-bench http-client [--runs N] [--n GETS] [--mib MIB] [--dir DIR]\n"
    "       wippy-bench instantiate [--runs N] [--file COMPONENT.wasm]\n"
    "       wippy-bench tail-calls [--runs N] [--n N]\n";

static bool parse_int(const char* s, int& out) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (end == s || *end != 0 || v < 0 || v > 1000000000) return false;
  out = int(v);
  return true;
}

static bool parse_double(const char* s, double& out) {
  char* end = nullptr;
  double v = std::strtod(s, &end);
  if (end == s || *end != 0 || !(v > 0) || v > 4096) return false;
  out = v;
  return true;
}

Result<Args> parse_args(int argc, char** argv) {
  Args a;
  if (argc < 2) return make_error(ErrorKind::Other, "missing command");
  a.command = argv[1];
  if (a.command != "kernels" && a.command != "startup" && a.command != "load" &&
      a.command != "reset" && a.command != "guests" && a.command != "http-guests" &&
      a.command != "http-client" && a.command != "instantiate" &&
      a.command != "tail-calls")
    return make_error(ErrorKind::Other, "unknown command: " + a.command);
  for (int i = 2; i < argc; i += 2) {
    std::string opt = argv[i];
    if (i + 1 >= argc) return make_error(ErrorKind::Other, opt + " needs a value");
    const char* val = argv[i + 1];
    bool ok = true;
    if (opt == "--runs") {
      ok = parse_int(val, a.runs) && a.runs > 0;
    } else if (opt == "--filter" && a.command == "kernels") {
      a.filter = val;
    } else if (opt == "--n" && (a.command == "kernels" || a.command == "http-client" || a.command == "tail-calls")) {
      ok = parse_int(val, a.n) && a.n > 0;
    } else if (opt == "--dir" && (a.command == "kernels" || a.command == "guests" || a.command == "http-guests" ||
                                 a.command == "http-client")) {
      a.dir = val;
    } else if (opt == "--wippy-run" && a.command == "startup") {
      a.wippy_run = val;
    } else if (opt == "--guests" && (a.command == "guests" || a.command == "http-guests")) {
      ok = parse_int(val, a.guests) && a.guests > 0 && a.guests <= 100000;
    } else if (opt == "--sleep-ms" && (a.command == "guests" || a.command == "http-guests")) {
      ok = parse_int(val, a.sleep_ms);
    } else if (opt == "--mib" && a.command == "http-client") {
      ok = parse_int(val, a.mib) && a.mib > 0 && a.mib <= 65536;
    } else if (opt == "--file" && (a.command == "instantiate" || a.command == "load")) {
      a.file = val;
    } else if (opt == "--mb" && a.command == "load") {
      ok = parse_double(val, a.mb);
    } else {
      return make_error(ErrorKind::Other, "unknown option for " + a.command + ": " + opt);
    }
    if (!ok) return make_error(ErrorKind::Other, "bad value for " + opt + ": " + val);
  }
  return a;
}

}  // namespace wippy::bench
