// Applying whole patches (all their file diffs) to a TreeView, forward or in
// reverse, with precise errors: patch file, target file, hunk, patch line, reason.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "patch.h"
#include "tree_view.h"

namespace umq {

class ApplyError : public std::runtime_error {
 public:
  ApplyError(std::string patch, int patch_line, std::string file, int hunk, std::string reason);
  const std::string& patch() const { return patch_; }
  int patch_line() const { return patch_line_; }
  const std::string& file() const { return file_; }
  int hunk() const { return hunk_; }  // 0 when not about one hunk
  const std::string& reason() const { return reason_; }

 private:
  std::string patch_;
  int patch_line_;
  std::string file_;
  int hunk_;
  std::string reason_;
};

struct EngineOptions {
  int fuzz = 0;
  bool reverse = false;
  // A file whose blob id is the preimage id of the diff's index line must end
  // as its postimage id, else ApplyError ("the patch is damaged"). Off where
  // the caller reports ids itself (verify, import) or guesses (status).
  bool check_ids = false;
};

// Applies one file diff of |patch| to |view|. Notes about offsets and fuzz are
// appended to |notes| as "FILE: hunk #N applied at offset ...".
void apply_file_diff(TreeView& view, const Patch& patch, const FileDiff& diff,
                     const EngineOptions& options, std::vector<std::string>* notes);

// Applies every file diff of |patch| (in reverse order when reversing).
void apply_patch(TreeView& view, const Patch& patch, const EngineOptions& options,
                 std::vector<std::string>* notes);

// git mode (0100644/0100755) -> permission bits, keeping |current| bits.
unsigned permissions_for(unsigned git_mode, unsigned current);

}  // namespace umq
