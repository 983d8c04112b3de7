// A patch: a git-format-patch mbox message (From line, headers, message,
// "---", diffstat, "diff --git" sections, "-- " signature) or a plain unified
// diff, parsed strictly. Any malformation throws ParseError "FILE:LINE: reason".
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace umq {

class ParseError : public std::runtime_error {
 public:
  ParseError(const std::string& file, int line, const std::string& reason)
      : std::runtime_error(file + ":" + std::to_string(line) + ": " + reason),
        file_(file), line_(line), reason_(reason) {}
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  int line_;
  std::string reason_;
};

struct HunkLine {
  char kind = ' ';   // ' ' context, '-' removed, '+' added
  std::string text;  // with its "\n" unless "\ No newline at end of file"
  int patch_line = 0;
};

struct Hunk {
  long old_start = 0, old_count = 0, new_start = 0, new_count = 0;
  int patch_line = 0;  // line of the "@@" header in the patch file
  std::string heading;  // text after the closing "@@" (the function), trimmed
  std::vector<HunkLine> lines;
};

constexpr unsigned kModeRegular = 0100644;
constexpr unsigned kModeExecutable = 0100755;

struct FileDiff {
  std::string old_path;  // -p1 stripped; "" for /dev/null (new file)
  std::string new_path;  // "" for /dev/null (deleted file)
  bool is_new = false;
  bool is_delete = false;
  bool is_rename = false;
  std::optional<unsigned> old_mode;  // git modes: 0100644 or 0100755
  std::optional<unsigned> new_mode;
  std::optional<int> similarity;  // "similarity index N%" of a rename
  std::string old_id;  // abbreviated blob ids from "index A..B", "" if absent
  std::string new_id;
  int patch_line = 0;  // first line of this file's section
  std::vector<Hunk> hunks;

  // The path this diff leaves behind (the old one for a deletion).
  const std::string& path() const { return is_delete ? old_path : new_path; }
  bool has_index() const { return !old_id.empty(); }
};

struct Patch {
  std::string file;  // name used in messages
  std::string from, date, subject;
  std::string message;  // commit message body
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<FileDiff> files;

  // The subject without "[PATCH v2 3/7]"-style tags.
  std::string title() const;
};

Patch parse_patch(std::string_view text, const std::string& file_name);

// The diff that undoes |diff|.
FileDiff reverse_diff(const FileDiff& diff);

}  // namespace umq
