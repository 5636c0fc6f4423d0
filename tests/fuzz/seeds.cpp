// seeds.cpp — gathering the seeds of seeds.h.
#include "tests/fuzz/seeds.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string_view>

#include "component/decode.h"
#include "component/text/component_wast.h"
#include "interp/text/wast.h"

namespace wippy::fuzz {

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Regular files under `dir` (recursively or not) whose names end with one
// of `suffixes`, sorted.
std::vector<fs::path> files_under(const fs::path& dir, std::initializer_list<std::string_view> suffixes,
                                  bool recursive) {
  std::vector<fs::path> out;
  std::error_code ec;
  auto take = [&](const fs::directory_entry& e) {
    if (!e.is_regular_file()) return;
    std::string name = e.path().filename().string();
    for (std::string_view s : suffixes)
      if (ends_with(name, s)) out.push_back(e.path());
  };
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir, ec)) take(e);
  } else {
    for (const auto& e : fs::directory_iterator(dir, ec)) take(e);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The text of every top-level `(KEYWORD ...)` form of a script, and of those
// nested directly in assertions; skips `binary` and `quote` forms.
void forms(const std::string& text, std::string_view keyword, std::vector<std::string>& out) {
  std::string open = "(" + std::string(keyword);
  for (size_t p = text.find(open); p != std::string::npos; p = text.find(open, p + 1)) {
    char after = p + open.size() < text.size() ? text[p + open.size()] : ' ';
    if (after != ' ' && after != '\n' && after != ')' && after != '\t') continue;
    int depth = 0;
    size_t end = std::string::npos;
    bool in_string = false;
    for (size_t i = p; i < text.size(); ++i) {
      char c = text[i];
      if (in_string) {
        if (c == '\\') ++i;
        else if (c == '"') in_string = false;
        continue;
      }
      if (c == '"') in_string = true;
      else if (c == '(') ++depth;
      else if (c == ')' && --depth == 0) {
        end = i;
        break;
      }
    }
    if (end == std::string::npos) return;
    std::string form = text.substr(p, end - p + 1);
    if (form.find(" binary") != std::string::npos && form.find(" binary") < 40) continue;
    if (form.find(" quote") != std::string::npos && form.find(" quote") < 40) continue;
    out.push_back(std::move(form));
    p = end;
  }
}

}  // namespace

void add_core_suite(Seeds& s, const fs::path& dir) {
  for (const fs::path& f : files_under(dir, {".wast"}, false)) {
    std::string text = slurp(f);
    if (auto cmds = parse_wast(text)) {
      for (const WastCommand& c : *cmds)
        if (!c.module.binary.empty() && c.kind != WastCommand::AssertMalformed) s.core.push_back(c.module.binary);
    }
    forms(text, "module", s.wat);
    if (text.size() <= kMaxScriptSeed) s.wast.push_back(std::move(text));
  }
}

void add_component_suite(Seeds& s, const fs::path& dir) {
  for (const fs::path& f : files_under(dir, {".wast"}, true)) {
    std::string text = slurp(f);
    if (auto cmds = component::parse_component_wast(text)) {
      for (const component::ComponentWastCommand& c : *cmds) {
        if (c.kind == component::ComponentWastCommand::AssertMalformed) continue;
        if (c.kind == component::ComponentWastCommand::Core) {
          if (!c.core.module.binary.empty()) s.core.push_back(c.core.module.binary);
        } else if (!c.component.binary.empty()) {
          s.component.push_back(c.component.binary);
        }
      }
    }
    forms(text, "component", s.cwat);
    if (text.size() <= kMaxScriptSeed) s.cwast.push_back(std::move(text));
  }
}

void add_files(Seeds& s, const fs::path& dir) {
  for (const fs::path& f : files_under(dir, {".wasm"}, true)) {
    std::string text = slurp(f);
    std::vector<uint8_t> bytes(text.begin(), text.end());
    if (component::is_component_binary(bytes))
      s.component.push_back(std::move(bytes));
    else
      s.core.push_back(std::move(bytes));
  }
  for (const fs::path& f : files_under(dir, {".wat"}, true)) {
    std::string text = slurp(f);
    if (text.find("(component") != std::string::npos)
      s.cwat.push_back(std::move(text));
    else
      s.wat.push_back(std::move(text));
  }
  for (const fs::path& f : files_under(dir, {".yaml", ".yaml.in"}, true)) s.yaml.push_back(slurp(f));
}

void add_builtin_yaml(Seeds& s) {
  s.yaml.push_back(R"(version: "1.0"
namespace: app
entries:
  - name: data
    kind: fs.directory
    directory: ./data
    auto_init: true
  - name: key
    kind: env.variable
    variable: HOST_KEY
    default: fallback
  - name: f
    kind: function.wat
    source: '(module (func (export "run") (result i32) i32.const 7))'
    method: run
    imports: [wasi:cli, wasi:io]
    pool: {type: lazy, max_size: 4}
    limits: {max_execution_ms: 1000, memory_bytes: 16777216}
    wasi:
      args: [a, b]
      cwd: /data
      env:
        - {id: key, name: KEY}
        - {id: app:key, required: true}
      mounts:
        - {fs: data, guest: /data, read_only: true}
)");
  s.yaml.push_back(R"(namespace: other
entries:
  - name: c
    kind: function.wasm
    fs: other:dir
    path: /c.wasm
    hash: sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    method: greeter#greet
  - name: dir
    kind: fs.directory
    directory: .
  - &anchor {name: x, kind: env.variable, variable: X}
  - *anchor
)");
}

}  // namespace wippy::fuzz
