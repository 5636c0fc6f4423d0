// input_file.cpp — file reading for command-line inputs.
#include "runtime/input_file.h"

#include <cctype>

#include "component/text/component_wat.h"
#include "interp/text/wat.h"
#include "runtime/source_file.h"

namespace wippy {

namespace {

Result<SharedBytes> read_input_bytes(const std::string& path, Sha256* hasher = nullptr) {
  ReadSpec spec;
  spec.what = "file";
  spec.max_bytes = kMaxInputFileBytes;
  spec.hasher = hasher;
  return read_host_file(path, spec);
}

std::string_view as_text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The first non-blank, non-comment character of `text` (';;' line and
// '(;' block comments skipped), and whether the form there is `(component`.
bool starts_with_component_form(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    char ch = text[i];
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
      ++i;
    } else if (text.substr(i, 2) == ";;") {
      size_t nl = text.find('\n', i);
      i = nl == std::string_view::npos ? text.size() : nl + 1;
    } else if (text.substr(i, 2) == "(;") {
      size_t end = text.find(";)", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 2;
    } else {
      break;
    }
  }
  std::string_view rest = text.substr(i);
  if (!rest.starts_with("(")) return false;
  rest.remove_prefix(1);
  while (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r')) rest.remove_prefix(1);
  return rest.starts_with("component") && (rest.size() == 9 || !std::isalnum(static_cast<unsigned char>(rest[9])));
}

bool looks_like_text(const std::string& path, std::string_view data) {
  if (data.size() >= 4 && data.substr(0, 4) == std::string_view("\0asm", 4)) return false;
  if (path.ends_with(".wat") || path.ends_with(".wast")) return true;
  for (char ch : data) {
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') continue;
    return ch == '(' || ch == ';';
  }
  return false;
}

}  // namespace

Result<std::string> read_input_file(const std::string& path) {
  auto bytes = read_input_bytes(path);
  if (!bytes) return bytes.error();
  return std::string(as_text(*bytes));
}

Result<SharedBytes> read_input_binary(const std::string& path, std::string* sha256) {
  Sha256 hasher;
  auto bytes = read_input_bytes(path, sha256 ? &hasher : nullptr);
  if (!bytes) return bytes.error();
  const std::string_view data = as_text(*bytes);
  if (!looks_like_text(path, data)) {  // a binary: no copy, hashed while read
    if (sha256) *sha256 = hasher.finish_hex();
    return bytes;
  }
  auto bin = starts_with_component_form(data) ? component::component_wat_to_binary(data) : wat_to_wasm(data);
  if (!bin) return make_error(bin.error().kind, path + ":" + bin.error().message);
  SharedBytes out = SharedBytes::take(std::move(*bin));
  if (sha256) *sha256 = sha256_hex(out);
  return out;
}

}  // namespace wippy
