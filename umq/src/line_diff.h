// A line diff of two sequences of strings and its unified hunks: what
// range-diff shows between two versions of a patch. The edit script is
// minimal (its unchanged lines are a longest common subsequence), found by
// Myers' O(ND) algorithm in linear space ("An O(ND) Difference Algorithm and
// Its Variations", 1986): time grows with the size times the number of
// differences, so a large input with a few changes stays cheap and exact.
#pragma once

#include <string>
#include <vector>

namespace umq {

struct DiffLine {
  char op = ' ';  // ' ' in both, '-' only in the first, '+' only in the second
  std::string text;
  bool operator==(const DiffLine&) const = default;
};

// The minimal edit script turning |a| into |b|; inside each changed run the
// removals come before the additions, like diff(1).
std::vector<DiffLine> diff_lines(const std::vector<std::string>& a,
                                 const std::vector<std::string>& b);

struct DiffHunk {
  size_t a_start = 0, b_start = 0;  // 0-based index of the hunk's first line
  std::vector<DiffLine> lines;
};

// The changed parts of |script| with up to |context| unchanged lines around.
std::vector<DiffHunk> unified_hunks(const std::vector<DiffLine>& script, size_t context);

}  // namespace umq
