// "umq import": mail messages (pipermail archive text, mbox, git-format-patch
// files) -> clean git-format-patch files, checked against a base tree.
//
// What the archive changed is undone only where there is evidence: addresses
// ("user at host") in the From: line and in trailers are turned back, since
// those lines hold addresses by definition. A diff line is changed only when
// a base tree is given and the tree proves it: the hunk does not apply as is
// but applies with that line's address turned back, or (for added lines) the
// postimage blob id on the "index" line matches only with it. Everything else
// is left as is and reported.
//
// With a base tree each patch is then checked: preimage ids, an in-memory
// apply, postimage ids. Patches of a series are checked in order, each on the
// result of the ones before; a patch whose preimage is the work of a missing
// part of the series "stands on" that part and is reported so, not as broken.
#pragma once

#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "file_system.h"
#include "format_patch.h"

namespace umq {

struct ImportOptions {
  std::vector<std::string> inputs;
  std::string output_dir = "imported";
  std::string base_tree;  // "" = no base: nothing verified, diff lines left alone
  // A patch queue (quilt series) on top of the base whose states may stand in
  // for missing parts of the series ("" = none).
  std::string queue_dir;
  // The output directory may hold patch files (*.patch, *.diff) this import
  // does not write, e.g. from an earlier import: they are removed with
  // |replace|, else the import is refused (FsError naming them), nothing written.
  bool replace = false;
};

struct ImportedPatch {
  enum class Outcome { kImported, kSkipped, kFailed };
  std::string source;  // "FILE" or "FILE:LINE" (a message inside an mbox)
  std::string format;  // "pipermail archive text", ...
  Outcome outcome = Outcome::kImported;
  std::string output;  // file name written in the output directory
  std::string subject, author, date;
  SeriesTag tag;
  std::vector<std::string> changed;      // what import changed, with lines
  std::vector<std::string> verified;     // what was proven
  std::vector<std::string> standing;     // why it stands on missing parts
  std::vector<std::string> unproven;     // what could not be proven
  std::vector<std::string> warnings;     // "possible obfuscated address ..."
  std::vector<std::string> errors;       // broken / malformed
  std::set<int> stands_on;               // missing part numbers
  std::set<int> through;                 // present parts it stands on them through
  std::string skipped_because;           // "not a patch (no diff in it)..."
  bool written_as_is = false;            // passed through byte for byte
};

struct ImportReport {
  std::vector<ImportedPatch> patches;  // in series order, then skipped/failed
  std::vector<std::string> series;     // "series of 7: have 1, 4, 5, 6; missing 2, 3, 7"
  std::vector<std::string> notes;      // general notes (no base tree, series file)
  size_t imported = 0, skipped = 0, failed = 0;
  int exit_code() const { return failed ? 1 : 0; }
};

// Reads, cleans, verifies and writes. Throws FsError only for output errors.
ImportReport import_mails(FileSystem& fs, const ImportOptions& options);

void print_import_report(const ImportReport& report, std::ostream& out);

}  // namespace umq
