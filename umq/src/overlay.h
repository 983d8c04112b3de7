// The overlay: files under an overlay directory copied onto the tree at
// mirrored paths (see overlay_base), on top of the applied series. Never overwrites a differing tree file; removal takes
// away exactly the overlay files whose content still matches.
#pragma once

#include <string>
#include <vector>

#include "file_system.h"
#include "tree_view.h"

namespace umq {

struct OverlayFile {
  std::string path;  // relative to both the overlay directory and the tree
  std::string content;
  unsigned mode = 0644;
};

enum class OverlayState { kNone, kNotApplied, kApplied, kModified };

struct OverlayStatus {
  OverlayState state = OverlayState::kNone;
  size_t files = 0;
  size_t matching = 0;               // present in the tree with the same content
  std::vector<std::string> differing;  // present in the tree with other content
  std::string describe() const;      // "applied (3 files)", "modified: ..."
};

// Every regular file below |dir| ([] if |dir| does not exist), its tree
// path being |base|/<path in dir>.
std::vector<OverlayFile> load_overlay(FileSystem& fs, const std::string& dir,
                                      const std::string& base = "");

// Where overlay paths start in the tree: the tree root when the overlay has a
// top-level "arch" directory (arch-um-overlay/arch/um/x.c), else "arch/um"
// (arch-um-overlay/x.c -> arch/um/x.c).
std::string overlay_base(FileSystem& fs, const std::string& dir);

OverlayStatus overlay_status(TreeView& view, const std::vector<OverlayFile>& files);

// Stages the overlay into |view|. Files already identical are left alone.
// Returns the list of problems (differing files): nothing is staged then.
std::vector<std::string> stage_overlay(TreeView& view, const std::vector<OverlayFile>& files);

// Stages removal of the overlay files whose content matches; returns the
// paths left in place because they were modified.
std::vector<std::string> stage_overlay_removal(TreeView& view,
                                               const std::vector<OverlayFile>& files);

}  // namespace umq
