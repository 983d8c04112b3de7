#include "series.h"

#include <fmt/format.h>

#include <cctype>
#include <set>
#include <sstream>

#include "lines.h"
#include "patch.h"

namespace umq {

std::vector<SeriesEntry> parse_series(std::string_view text, const std::string& file_name) {
  std::vector<SeriesEntry> entries;
  std::set<std::string> seen;
  int line_no = 0;
  for (std::string_view raw : split_lines(text)) {
    ++line_no;
    std::string line(chomp(raw));
    if (const size_t hash = line.find('#');
        hash != std::string::npos && (hash == 0 || std::isspace(static_cast<unsigned char>(line[hash - 1])))) {
      line.erase(hash);
    }
    std::istringstream words(line);
    std::string name;
    if (!(words >> name)) continue;
    for (std::string opt; words >> opt;) {
      if (opt != "-p1") {
        throw ParseError(file_name, line_no,
                         "unsupported option \"" + opt + "\" for " + name + " (only -p1 is accepted)");
      }
    }
    if (name.find("..") != std::string::npos || name.front() == '/') {
      throw ParseError(file_name, line_no, "patch name must stay inside the queue: " + name);
    }
    if (!seen.insert(name).second) {
      throw ParseError(file_name, line_no, "patch listed twice: " + name);
    }
    entries.push_back(SeriesEntry{name, line_no});
  }
  return entries;
}

std::string patch_number(const std::string& name, size_t position) {
  const std::string base = name.substr(name.find_last_of('/') == std::string::npos
                                           ? 0
                                           : name.find_last_of('/') + 1);
  size_t digits = 0;
  while (digits < base.size() && std::isdigit(static_cast<unsigned char>(base[digits]))) ++digits;
  if (digits > 0 && digits < base.size() && base[digits] == '-') return base.substr(0, digits);
  return fmt::format("{:04}", position);
}

}  // namespace umq
