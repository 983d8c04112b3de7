#include "address.h"

#include <cctype>

namespace umq {
namespace {

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_local_char(char c) { return is_word(c) || c == '-' || c == '+' || c == ',' || c == '.'; }
bool is_host_char(char c) { return is_word(c) || c == '-' || c == '+' || c == '.'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<ObfuscatedAddress> find_obfuscated_addresses(std::string_view line) {
  std::vector<ObfuscatedAddress> found;
  size_t from = 0;
  for (size_t at = line.find(" at ", from); at != std::string_view::npos;
       at = line.find(" at ", from)) {
    from = at + 1;
    size_t begin = at;
    while (begin > 0 && is_local_char(line[begin - 1])) --begin;
    while (begin < at && (line[begin] == '.' || line[begin] == ',')) ++begin;
    size_t end = at + 4;
    while (end < line.size() && is_host_char(line[end])) ++end;
    while (end > at + 4 && (line[end - 1] == '.' || line[end - 1] == '-')) --end;
    if (begin == at || end == at + 4) continue;
    const std::string_view host = line.substr(at + 4, end - at - 4);
    const size_t dot = host.find('.');
    if (dot == std::string_view::npos || dot == 0 || !is_word(host[dot - 1]) ||
        dot + 1 >= host.size() || !is_word(host[dot + 1])) {
      continue;
    }
    if (!found.empty() && begin < found.back().end) continue;
    found.push_back(ObfuscatedAddress{
        begin, end, std::string(line.substr(begin, at - begin)) + "@" + std::string(host)});
    from = end;
  }
  return found;
}

bool has_obfuscated_address(std::string_view line) {
  return !find_obfuscated_addresses(line).empty();
}

std::string deobfuscate(std::string_view line) {
  std::string out;
  size_t copied = 0;
  for (const ObfuscatedAddress& a : find_obfuscated_addresses(line)) {
    out += line.substr(copied, a.begin - copied);
    out += a.address;
    copied = a.end;
  }
  out += line.substr(copied);
  return out;
}

std::string author_from_archive_line(std::string_view line) {
  line = trim(line);
  const auto found = find_obfuscated_addresses(line);
  if (found.empty()) {
    // Not obfuscated after all: "Name <user@host>" or "user@host (Name)".
    return line.find('@') == std::string_view::npos ? "" : std::string(line);
  }
  const ObfuscatedAddress& a = found.front();
  std::string_view before = trim(line.substr(0, a.begin));
  std::string_view after = trim(line.substr(a.end));
  if (!before.empty() && before.back() == '<') before = trim(before.substr(0, before.size() - 1));
  if (!after.empty() && after.front() == '>') after = trim(after.substr(1));
  std::string_view name = before;
  if (name.empty() && after.size() >= 2 && after.front() == '(' && after.back() == ')') {
    name = trim(after.substr(1, after.size() - 2));
  }
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  return name.empty() ? a.address : std::string(name) + " <" + a.address + ">";
}

}  // namespace umq
