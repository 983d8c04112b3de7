// "umq range-diff": two versions of a series compared patch by patch, like
// git range-diff but on patch files. Patches are paired by subject (without
// the [PATCH n/m] tag, case-insensitive), then the rest by the similarity of
// their diffs (touched files and changed lines). Each pair is unchanged,
// changed (shown as a diff of the two patches: metadata, commit message, and
// per file the hunks without line numbers), new, or dropped.
//
// With RangeDiffOptions::by_number, the patches left unpaired after those two
// rules pair by the same n of "[PATCH n/m]" (else of the "NNNN-" file name):
// how v1 and v2 of a rewritten series are compared ("v1 3/7 vs v2 3/7"). A
// part renumbered by an inserted patch keeps its pair by subject or content.
// The ids printed are patch-diff ids (diff_id), not commit ids. With stat, a changed pair shows
// a summary (files with lines added/removed on each side, commit message and
// trailer changes) instead of the interdiff.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "file_system.h"
#include "patch.h"

namespace umq {

struct SeriesVersion {
  std::string label;  // what was loaded ("DIR" or "3 files")
  std::vector<std::string> names;
  std::vector<Patch> patches;
  std::vector<std::string> notes;  // "no series file in DIR: *.patch in name order"
};

// A directory with a quilt "series" file (else its *.patch/*.diff files in
// name order), or a list of patch files. Throws ParseError / FsError.
SeriesVersion load_series_dir(FileSystem& fs, const std::string& dir);
SeriesVersion load_series_files(FileSystem& fs, const std::vector<std::string>& files);

struct RangePair {
  enum class Kind { kUnchanged, kChanged, kNew, kDropped } kind = Kind::kUnchanged;
  std::optional<size_t> old_index, new_index;
  bool by_content = false;  // paired by diff similarity, not by subject
  bool by_number = false;   // paired by patch number (RangeDiffOptions::by_number)
  int similarity = 0;       // percent, when by_content or by_number
  size_t message_added = 0, message_removed = 0;
  // For new/dropped: the most similar patch on the other side (below the
  // pairing threshold), if any shares a file.
  std::optional<size_t> closest;
  int closest_similarity = 0;
  std::vector<std::string> files_changed;  // sections that differ
  std::vector<std::string> nested;         // the diff of the two patches
};

struct RangeDiff {
  std::vector<RangePair> pairs;  // in output order
  size_t count(RangePair::Kind kind) const;
};

struct RangeDiffOptions {
  bool by_number = false;  // pair what is left by patch number; show numbers and both subjects
  bool stat = false;       // summary only, no interdiff
};

RangeDiff range_diff(const SeriesVersion& old_series, const SeriesVersion& new_series,
                     const RangeDiffOptions& options = {});

// Pairing helpers, exposed for tests.
std::string subject_key(const Patch& patch);
int diff_similarity(const Patch& a, const Patch& b);  // 0..100
// n of the first "[... n/m]" tag of the subject, else the number the file
// name starts with ("0004-x.patch"); none if neither.
std::optional<unsigned> patch_number(const Patch& patch, const std::string& file_name);
// 7 hex digits naming a patch's diff (line numbers and index lines aside).
std::string diff_id(const Patch& patch);

std::string render_range_diff(const RangeDiff& diff, const SeriesVersion& old_series,
                              const SeriesVersion& new_series, const RangeDiffOptions& options = {});

}  // namespace umq
