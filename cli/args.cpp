// args.cpp — the table-driven argument parser of wippy-run (see args.h).
#include "cli/args.h"

#include <charconv>

#include "interp/quote.h"

namespace wippy::cli {

namespace {

// "-1", "-0x10", "-.5", "-inf", "-nan", "-nan:0x1": a negative number, not an option.
bool is_negative_number(std::string_view w) {
  if (w.size() < 2 || w[0] != '-') return false;
  std::string_view r = w.substr(1);
  if (r[0] >= '0' && r[0] <= '9') return true;
  if (r[0] == '.' && r.size() > 1 && r[1] >= '0' && r[1] <= '9') return true;
  return r == "inf" || r.starts_with("nan");
}

const OptionSpec* find(std::span<const OptionSpec> table, std::string_view word) {
  for (const OptionSpec& o : table)
    if (o.name == word || (!o.short_name.empty() && o.short_name == word)) return &o;
  return nullptr;
}

Error usage(std::string message) { return make_error(ErrorKind::Other, std::move(message)); }

}  // namespace

bool ParsedArgs::has(std::string_view name) const {
  for (const OptionUse& u : options)
    if (u.name == name) return true;
  return false;
}

std::optional<std::string> ParsedArgs::last(std::string_view name) const {
  std::optional<std::string> v;
  for (const OptionUse& u : options)
    if (u.name == name) v = u.value;
  return v;
}

Result<ParsedArgs> parse_args(std::span<const std::string> args, std::span<const OptionSpec> table,
                              const StopAt& stop) {
  ParsedArgs out;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& w = args[i];
    if (w == "--") {
      ++i;
      break;
    }
    if (w.size() < 2 || w[0] != '-' || is_negative_number(w)) {
      if (stop && stop(w, out.positionals.size())) break;
      out.positionals.push_back(w);
      continue;
    }
    std::string_view word = w;
    std::optional<std::string> inline_value;
    if (size_t eq = word.find('='); word.starts_with("--") && eq != std::string_view::npos) {
      inline_value = std::string(word.substr(eq + 1));
      word = word.substr(0, eq);
    }
    const OptionSpec* spec = find(table, word);
    if (!spec) return usage("unknown option " + quote_input(word));
    OptionUse use{spec->name, {}};
    if (spec->takes_value) {
      if (inline_value) {
        use.value = std::move(*inline_value);
      } else if (i + 1 < args.size()) {
        use.value = args[++i];
      } else {
        return usage(std::string(spec->name) + " needs a value");
      }
    } else if (inline_value) {
      return usage(std::string(spec->name) + " takes no value");
    }
    out.options.push_back(std::move(use));
  }
  for (; i < args.size(); ++i) out.positionals.push_back(args[i]);
  return out;
}

Result<uint64_t> parse_duration_ns(std::string_view text) {
  const char* b = text.data();
  const char* e = b + text.size();
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(b, e, n);
  if (ec != std::errc() || p == b)
    return usage("duration " + quote_input(text) + ": expected a count and a unit (500ms, 2s)");
  std::string_view unit(p, size_t(e - p));
  uint64_t scale = 0;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = 1'000;
  else if (unit == "ms") scale = 1'000'000;
  else if (unit == "s" || unit.empty()) scale = 1'000'000'000;
  else if (unit == "m") scale = 60'000'000'000;
  else if (unit == "h") scale = 3'600'000'000'000;
  else return usage("duration " + quote_input(text) + ": unknown unit " + quote_input(unit) + " (ns, us, ms, s, m, h)");
  constexpr uint64_t kMaxNs = 30ull * 24 * 3'600'000'000'000;
  if (n == 0 || n > kMaxNs / scale)
    return usage("duration " + quote_input(text) + ": must be above 0 and at most 30 days");
  return n * scale;
}

Result<uint64_t> parse_count(std::string_view text, uint64_t max) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty() || n > max)
    return usage("expected a count from 0 to " + std::to_string(max) + ", got " + quote_input(text));
  return n;
}

}  // namespace wippy::cli
