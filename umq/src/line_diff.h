// A line diff of two sequences of strings (longest common subsequence) and
// its unified hunks: what range-diff shows between two versions of a patch.
#pragma once

#include <string>
#include <vector>

namespace umq {

struct DiffLine {
  char op = ' ';  // ' ' in both, '-' only in the first, '+' only in the second
  std::string text;
  bool operator==(const DiffLine&) const = default;
};

// The edit script turning |a| into |b| (minimal when the sequences are small
// enough for the table; past ~4M cells the middle is one replaced block).
std::vector<DiffLine> diff_lines(const std::vector<std::string>& a,
                                 const std::vector<std::string>& b);

struct DiffHunk {
  size_t a_start = 0, b_start = 0;  // 0-based index of the hunk's first line
  std::vector<DiffLine> lines;
};

// The changed parts of |script| with up to |context| unchanged lines around.
std::vector<DiffHunk> unified_hunks(const std::vector<DiffLine>& script, size_t context);

}  // namespace umq
