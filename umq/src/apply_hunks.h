// Applying the hunks of one file diff to a file's content, in memory: each
// hunk at its stated line, else at the nearest offset (searching both ways),
// optionally with fuzz (up to N context lines ignored at each hunk edge).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "patch.h"

namespace umq {

struct HunkNote {
  int hunk = 0;     // 1-based
  long offset = 0;  // lines away from the @@ header's position
  int fuzz = 0;     // context lines ignored
  std::string describe() const;  // "hunk #2 applied at offset +3 lines (fuzz 1)"
};

struct HunkFailure {
  int hunk = 0;        // 1-based
  int patch_line = 0;  // the hunk's "@@" line in the patch file
  std::string reason;
};

struct HunkResult {
  std::string content;
  std::vector<HunkNote> notes;  // only for hunks not applied exactly
  std::optional<HunkFailure> failure;
  bool ok() const { return !failure.has_value(); }
};

HunkResult apply_hunks(std::string_view content, const std::vector<Hunk>& hunks,
                       int max_fuzz = 0);

}  // namespace umq
