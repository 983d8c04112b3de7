// Which patches of the series a tree has, decided from its content: the git
// blob id of every file the series touches is compared with the abbreviated
// ids on the patches' "index <pre>..<post>" lines. State k means patches
// 1..k are applied; the tree is in state k when every touched file matches.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "queue.h"
#include "tree_view.h"

namespace umq {

struct FileProblem {
  std::string path;
  std::string problem;  // "unknown edits in PATH", "PATH is missing", ...
};

struct Status {
  std::string version;  // "7.3.4" from the top Makefile, "" if none
  size_t total = 0;
  std::optional<size_t> applied;     // the state proven by blob ids
  std::optional<size_t> by_content;  // else: the state the patches' content suggests
  // Files whose ids place them exactly, but not at by_content ("a.c at pristine").
  std::vector<std::string> disputed;
  std::vector<FileProblem> problems;
  std::vector<std::string> numbers;  // "0001", ... per patch

  bool known() const { return applied.has_value(); }
  // "pristine 7.3.4", "series applied up to 0004 (4/7)", ...
  std::string summary() const;
};

// What the series says a file's blob is in some state.
struct Expectation {
  enum Kind { kAbsent, kId, kPresent } kind = kPresent;  // kPresent: any content
  std::string id;             // abbreviated, for kId
  std::optional<bool> exec;   // executable bit, when the series says
  // |full_id| "" = absent. |actual_exec| is checked when both sides know it.
  bool matches(const std::string& full_id, std::optional<bool> actual_exec = std::nullopt) const;
  std::string describe() const;
};

// expectations[k][path]: the expected blob of every touched file in state k.
std::vector<std::vector<std::pair<std::string, Expectation>>> series_expectations(
    const Queue& queue);

// |fuzz| is used only for the by-content guess when the ids do not match.
Status compute_status(TreeView& view, const Queue& queue, int fuzz = 0);

// The kernel version from <root>/Makefile ("7.3.4"), or "" if not found.
std::string tree_version(FileSystem& fs, const std::string& root);

}  // namespace umq
