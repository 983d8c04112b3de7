// Checks a series against a tree without writing anything: walking forward
// from the tree's state, every patch's preimage ids must match the in-memory
// tree before it applies and its postimage ids after; walking backward
// (reverse-applying in memory) the same for the patches already applied.
#pragma once

#include <string>
#include <vector>

#include "queue.h"
#include "tree_view.h"

namespace umq {

struct VerifyIssue {
  std::string patch;     // patch file
  std::string file;      // target file
  std::string what;      // "preimage", "postimage" or "apply"
  std::string expected;  // abbreviated id, "absent", or the apply error
  std::string actual;
  std::string describe() const;
};

struct VerifyResult {
  size_t start = 0;
  size_t ids_checked = 0;
  std::vector<VerifyIssue> issues;
  bool ok() const { return issues.empty(); }
};

// |start|: the number of patches applied in |view| (from status).
VerifyResult verify_series(const TreeView& view, const Queue& queue, size_t start);

}  // namespace umq
