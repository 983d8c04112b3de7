// Writing patches the way git format-patch does: the subject tag, the file
// name ("0004-um-skas-handle-out-of-batch-stub-mmap-notific.patch"), the
// diffstat, and reading the numbers back ("[PATCH v2 4/7]").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "patch.h"

namespace umq {

// git format-patch's first line: no commit id, a fixed magic date.
inline constexpr std::string_view kFormatPatchFrom =
    "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001";

struct SeriesTag {
  int n = 0, m = 0;     // "4/7"; 0 when the subject has no number
  std::string version;  // "v2", "" for the first version
  bool numbered() const { return m > 0; }
  std::string label() const;  // "4/7"
};

// From the "[PATCH ...]" tag of |subject|, if any.
SeriesTag series_tag(std::string_view subject);

// "Re: [linux-um] [PATCH 4/7] foo" -> "[PATCH 4/7] foo": mail prefixes (Re:,
// Fwd:) and list tags go, the PATCH tag stays; no tag gives "[PATCH] foo".
std::string normalize_subject(std::string_view subject);

// git's "NNNN-sanitized-subject.patch" (format_sanitized_subject, 64-byte
// limit including the ".patch" suffix), "v2-NNNN-..." for a |version|.
std::string patch_file_name(int number, std::string_view title, std::string_view version = "");

// A header line folded the way git format-patch folds its Subject: words
// wrapped at 78 columns, continuation lines indented by one space.
std::vector<std::string> fold_header(std::string_view line);

// Whether |text| has a byte past ASCII.
bool has_non_ascii(std::string_view text);

// git format-patch's "From:" header for |author| ("Name <address>"): a name
// past ASCII (or holding "=?") as RFC 2047 Q-encoded UTF-8 words broken
// before 76 columns, the address then on a line of its own if it does not
// fit; else "From: " + |author| as it is.
std::vector<std::string> author_header(std::string_view author);

// git format-patch's "Subject:" header for |subject| ("[PATCH n/m] title"):
// a title past ASCII (or holding "=?") Q-encoded the same way after the tag,
// else the line folded (fold_header).
std::vector<std::string> subject_header(std::string_view subject);

struct ChangeCounts {
  size_t files = 0, insertions = 0, deletions = 0;
  bool operator==(const ChangeCounts&) const = default;
  std::string describe() const;  // "3 files, +45 -6"
};
ChangeCounts count_changes(const Patch& patch);

// The summary line " 3 files changed, 45 insertions(+), 6 deletions(-)".
std::optional<ChangeCounts> parse_diffstat_summary(std::string_view line);

// A diffstat like git's (80 columns), summary line included, each line with
// its "\n".
std::string render_diffstat(const Patch& patch);

}  // namespace umq
