// annotations.cpp — reading @custom, @name and @metadata.code.branch_hint
// annotations and encoding the sections they make; see annotations.h.
#include "interp/text/annotations.h"

#include <algorithm>
#include <string_view>

#include "base/utf8.h"

namespace wippy::text {
namespace {

std::optional<SectionSlot> slot_named(std::string_view s, bool& first, bool& last) {
  static constexpr std::pair<std::string_view, SectionSlot> kNames[] = {
      {"type", SectionSlot::Type},     {"import", SectionSlot::Import}, {"func", SectionSlot::Func},
      {"table", SectionSlot::Table},   {"memory", SectionSlot::Memory}, {"tag", SectionSlot::Tag},
      {"global", SectionSlot::Global}, {"export", SectionSlot::Export}, {"start", SectionSlot::Start},
      {"elem", SectionSlot::Elem},     {"code", SectionSlot::Code},     {"data", SectionSlot::Data},
      {"datacount", SectionSlot::DataCount}};
  first = s == "first";
  last = s == "last";
  if (first) return SectionSlot::Type;
  if (last) return SectionSlot::Data;
  for (auto [name, slot] : kNames)
    if (s == name) return slot;
  return std::nullopt;
}

void put_name_map(Bytes& out, uint8_t id, const std::map<uint32_t, std::string>& names) {
  if (names.empty()) return;
  Bytes body;
  put_u32(body, names.size());
  for (const auto& [index, name] : names) {
    put_u32(body, index);
    put_name(body, name);
  }
  out.push_back(id);
  put_u32(out, body.size());
  put_bytes(out, body);
}

}  // namespace

Error annotation_error(const Annotation& a, std::string_view message) {
  Token at;
  at.line = a.line;
  at.col = a.col;
  return error_at(at, message);
}

Result<CustomAnnotation> parse_custom_annotation(const Annotation& a) {
  const std::vector<Token>& items = a.items;
  size_t i = 0;
  if (items.empty() || items[0].kind != Token::String)
    return annotation_error(a, "@custom annotation: missing section name");
  CustomAnnotation out;
  out.name = items[i++].str;
  if (!valid_utf8(out.name)) return error_at(items[0], "@custom annotation: malformed UTF-8 encoding");
  if (i < items.size() && items[i].kind == Token::LParen) {
    const Token& open = items[i++];
    if (i >= items.size() || !(items[i].is("before") || items[i].is("after")))
      return error_at(open, "@custom annotation: malformed placement");
    out.place.after = items[i++].is("after");
    bool first = false, last = false;
    std::optional<SectionSlot> slot;
    if (i < items.size() && items[i].kind == Token::Atom) slot = slot_named(items[i].text, first, last);
    if (!slot) return error_at(open, "@custom annotation: malformed section kind");
    ++i;
    out.place.slot = *slot;
    // `before last` and `after first` name the spots next to the data and
    // type sections.
    if (first && out.place.after) out.place = {false, SectionSlot::Type};
    if (last && !out.place.after) out.place = {true, SectionSlot::Data};
    if (i >= items.size() || items[i].kind != Token::RParen)
      return error_at(i < items.size() ? items[i] : open, "@custom annotation: unexpected token");
    ++i;
  }
  while (i < items.size() && items[i].kind == Token::String) out.content += items[i++].str;
  if (i < items.size()) return error_at(items[i], "@custom annotation: unexpected token");
  return out;
}

Result<std::string> parse_name_annotation(const Annotation& a) {
  if (a.items.empty() || a.items[0].kind != Token::String)
    return annotation_error(a, "@name annotation: string expected");
  if (!valid_utf8(a.items[0].str)) return error_at(a.items[0], "malformed UTF-8 encoding");
  if (a.items.size() > 1) return error_at(a.items[1], "@name annotation: unexpected token");
  return a.items[0].str;
}

Result<uint8_t> parse_branch_hint_annotation(const Annotation& a) {
  std::string payload;
  for (const Token& t : a.items) {
    if (t.kind != Token::String) return error_at(t, "@metadata.code.branch_hint annotation: unexpected token");
    payload += t.str;
  }
  if (payload.size() != 1 || uint8_t(payload[0]) > 1)
    return annotation_error(a, "@metadata.code.branch_hint annotation: invalid hint value");
  return uint8_t(payload[0]);
}

Bytes encode_name_section(const NameAnnotations& names) {
  Bytes out;
  if (names.module) {
    Bytes body;
    put_name(body, *names.module);
    out.push_back(0);
    put_u32(out, body.size());
    put_bytes(out, body);
  }
  put_name_map(out, 1, names.funcs);
  put_name_map(out, 11, names.tags);
  return out;
}

Bytes encode_branch_hint_section(BranchHints hints) {
  Bytes out;
  put_u32(out, hints.size());
  for (auto& [func, list] : hints) {
    std::sort(list.begin(), list.end());
    put_u32(out, func);
    put_u32(out, list.size());
    for (auto [offset, value] : list) {
      put_u32(out, offset);
      put_u32(out, 1);  // the hint's size in bytes
      out.push_back(value);
    }
  }
  return out;
}

void put_custom_section(Bytes& out, std::string_view name, std::string_view content) {
  Bytes body;
  put_name(body, name);
  body.insert(body.end(), content.begin(), content.end());
  out.push_back(0);
  put_u32(out, body.size());
  put_bytes(out, body);
}

}  // namespace wippy::text
