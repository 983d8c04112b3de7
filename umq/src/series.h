// The quilt "series" file: one patch file name per line, "#" comments, blank
// lines ignored, options after the name (only -p1 is accepted).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace umq {

struct SeriesEntry {
  std::string name;  // file name relative to the queue directory
  int line = 0;      // line in the series file
};

// Throws ParseError "FILE:LINE: reason".
std::vector<SeriesEntry> parse_series(std::string_view text, const std::string& file_name);

// "0004" for "0004-um-foo.patch", else the 1-based |position| as "0004".
std::string patch_number(const std::string& name, size_t position);

}  // namespace umq
