#include "patch.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "blob_id.h"
#include "lines.h"

namespace umq {
namespace {

bool is_header_line(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    const char c = s[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return colon + 1 == s.size() || s[colon + 1] == ' ' || s[colon + 1] == '\t';
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

class Parser {
 public:
  Parser(std::string_view text, std::string file) : file_(std::move(file)) {
    raw_ = split_lines(text);
  }

  Patch parse() {
    Patch patch;
    patch.file = file_;
    parse_headers(patch);
    parse_message(patch);
    parse_files(patch);
    if (patch.files.empty()) fail(1, "no file diffs found (no \"diff --git\" or \"---\"/\"+++\" lines)");
    return patch;
  }

 private:
  [[noreturn]] void fail(size_t line_no, const std::string& reason) const {
    throw ParseError(file_, static_cast<int>(line_no), reason);
  }
  // 1-based line number of index |i|.
  static size_t no(size_t i) { return i + 1; }
  bool at_end() const { return i_ >= raw_.size(); }
  std::string_view text(size_t i) const { return i < raw_.size() ? chomp(raw_[i]) : ""; }
  std::string_view cur() const { return text(i_); }

  void parse_headers(Patch& patch) {
    if (at_end()) fail(1, "empty patch");
    const bool mbox = starts_with(cur(), "From ") && is_header_line(text(1));
    if (mbox) {
      ++i_;
    } else if (!is_header_line(cur()) || is_diff_start(i_)) {
      return;
    }
    while (!at_end() && !cur().empty()) {
      const std::string_view line = cur();
      if ((line[0] == ' ' || line[0] == '\t') && !patch.headers.empty()) {
        patch.headers.back().second += " " + trim(line);
      } else if (is_header_line(line)) {
        const size_t colon = line.find(':');
        patch.headers.emplace_back(std::string(line.substr(0, colon)),
                                   trim(line.substr(colon + 1)));
      } else {
        break;  // no blank line after the headers: the message starts here
      }
      ++i_;
    }
    if (!at_end() && cur().empty()) ++i_;
    for (const auto& [key, value] : patch.headers) {
      std::string k = key;
      std::transform(k.begin(), k.end(), k.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (k == "from") patch.from = value;
      if (k == "date") patch.date = value;
      if (k == "subject") patch.subject = value;
    }
  }

  bool is_diff_start(size_t i) const {
    const std::string_view line = text(i);
    if (starts_with(line, "diff --git ")) return true;
    if (starts_with(line, "--- ")) {
      const std::string_view next = text(i + 1);
      return starts_with(next, "+++ ") || starts_with(next, "@@ ");
    }
    if (starts_with(line, "diff ")) return starts_with(text(i + 1), "--- ");
    return false;
  }

  void parse_message(Patch& patch) {
    std::string message;
    bool in_diffstat = false;
    while (!at_end() && !is_diff_start(i_)) {
      if (!in_diffstat && cur() == "---") {
        in_diffstat = true;
      } else if (!in_diffstat) {
        message += std::string(cur()) + "\n";
      }
      ++i_;
    }
    while (!message.empty() && message.back() == '\n' &&
           (message.size() == 1 || message[message.size() - 2] == '\n')) {
      message.pop_back();
    }
    patch.message = message;
  }

  void parse_files(Patch& patch) {
    bool after_hunk = false;
    while (!at_end()) {
      const std::string_view line = cur();
      if (line == "-- " || line == "--") break;  // signature: the rest is not diff
      if (starts_with(line, "diff --git ")) {
        patch.files.push_back(parse_git_file());
        after_hunk = !patch.files.back().hunks.empty();
      } else if (starts_with(line, "--- ") && is_diff_start(i_)) {
        patch.files.push_back(parse_plain_file());
        after_hunk = true;
      } else if (starts_with(line, "diff ") && starts_with(text(i_ + 1), "--- ")) {
        ++i_;  // "diff -u a b" command line before a plain diff
      } else if (starts_with(line, "--- ")) {
        fail(no(i_), "missing \"+++\" line after \"---\" line");
      } else if (starts_with(line, "@@")) {
        fail(no(i_), "hunk without a file header (no \"---\"/\"+++\" lines before it)");
      } else if (starts_with(line, "Binary files ") || line == "GIT binary patch") {
        fail(no(i_), "binary patches are not supported");
      } else if (after_hunk && !line.empty() &&
                 (line[0] == '+' || line[0] == '-' || line[0] == ' ')) {
        fail(no(i_), "line counts do not add up: more hunk lines than the @@ header says");
      } else {
        after_hunk = false;
        ++i_;  // text between file diffs (e.g. "Only in ...") is ignored
      }
    }
  }

  unsigned parse_mode(size_t i, std::string_view value) const {
    unsigned mode = 0;
    const std::string v = trim(value);
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), mode, 8);
    if (ec != std::errc() || p != v.data() + v.size()) fail(no(i), "bad file mode \"" + v + "\"");
    if (mode == 0120000) fail(no(i), "symbolic links are not supported");
    if (mode == 0160000) fail(no(i), "submodules are not supported");
    if (mode != kModeRegular && mode != kModeExecutable) {
      fail(no(i), "unsupported file mode \"" + v + "\"");
    }
    return mode;
  }

  std::string strip_p1(size_t i, std::string_view path) const {
    std::string p = trim(path);
    if (!p.empty() && p.front() == '"') fail(no(i), "quoted path names are not supported");
    const size_t tab = p.find('\t');  // plain diffs put a timestamp after a tab
    if (tab != std::string::npos) p = trim(p.substr(0, tab));
    if (p == "/dev/null") return "";
    const size_t slash = p.find('/');
    if (slash == std::string::npos || slash + 1 == p.size()) {
      fail(no(i), "cannot strip one path component (-p1) from \"" + p + "\"");
    }
    return check_path(i, p.substr(slash + 1));
  }

  std::string check_path(size_t i, std::string p) const {
    if (p.empty() || p.front() == '/') fail(no(i), "unsafe path \"" + p + "\"");
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find('/', start);
      if (end == std::string::npos) end = p.size();
      const std::string_view part(p.data() + start, end - start);
      if (part == ".." || part == "." || part.empty()) fail(no(i), "unsafe path \"" + p + "\"");
      start = end + 1;
    }
    if (p == ".umq-journal" || starts_with(p, ".umq-journal/")) {
      fail(no(i), "path inside umq's journal directory: \"" + p + "\"");
    }
    return p;
  }

  void parse_git_header_paths(FileDiff& diff) const {
    std::string_view rest = cur().substr(std::string_view("diff --git ").size());
    if (!rest.empty() && rest.front() == '"') fail(no(i_), "quoted path names are not supported");
    // "a/P b/P": prefer the split where both sides name the same path.
    size_t split = std::string_view::npos;
    for (size_t pos = rest.find(" b/"); pos != std::string_view::npos;
         pos = rest.find(" b/", pos + 1)) {
      if (split == std::string_view::npos) split = pos;
      if (rest.substr(0, pos).substr(std::min<size_t>(2, pos)) == rest.substr(pos + 3)) {
        split = pos;
        break;
      }
    }
    if (split == std::string_view::npos || !starts_with(rest, "a/")) {
      fail(no(i_), "bad \"diff --git\" line");
    }
    diff.old_path = strip_p1(i_, rest.substr(0, split));
    diff.new_path = strip_p1(i_, rest.substr(split + 1));
  }

  FileDiff parse_git_file() {
    FileDiff diff;
    diff.patch_line = static_cast<int>(no(i_));
    parse_git_header_paths(diff);
    ++i_;
    for (; !at_end(); ++i_) {
      const std::string_view line = cur();
      auto value = [&](std::string_view prefix) { return line.substr(prefix.size()); };
      if (starts_with(line, "old mode ")) {
        diff.old_mode = parse_mode(i_, value("old mode "));
      } else if (starts_with(line, "new mode ")) {
        diff.new_mode = parse_mode(i_, value("new mode "));
      } else if (starts_with(line, "deleted file mode ")) {
        diff.is_delete = true;
        diff.old_mode = parse_mode(i_, value("deleted file mode "));
      } else if (starts_with(line, "new file mode ")) {
        diff.is_new = true;
        diff.new_mode = parse_mode(i_, value("new file mode "));
      } else if (starts_with(line, "index ")) {
        parse_index(diff, value("index "));
      } else if (starts_with(line, "similarity index ")) {
        int pct = 0;
        const std::string_view v = value("similarity index ");
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), pct);
        if (ec == std::errc() && p != v.data() && pct >= 0 && pct <= 100) diff.similarity = pct;
      } else if (starts_with(line, "dissimilarity index ")) {
        // informational
      } else if (starts_with(line, "rename from ")) {
        diff.is_rename = true;
        diff.old_path = check_path(i_, trim(value("rename from ")));
      } else if (starts_with(line, "rename to ")) {
        diff.is_rename = true;
        diff.new_path = check_path(i_, trim(value("rename to ")));
      } else if (starts_with(line, "copy from ") || starts_with(line, "copy to ")) {
        fail(no(i_), "copy patches are not supported (re-export without -C)");
      } else if (starts_with(line, "Binary files ") || line == "GIT binary patch") {
        fail(no(i_), "binary patches are not supported (" + diff.new_path + ")");
      } else {
        break;
      }
    }
    if (diff.is_new) diff.old_path.clear();
    if (diff.is_delete) diff.new_path.clear();
    if (diff.is_new && diff.is_delete) fail(no(i_), "file both created and deleted");
    if (diff.is_rename && (diff.is_new || diff.is_delete)) {
      fail(no(i_), "a rename cannot also create or delete the file");
    }
    if (starts_with(cur(), "--- ")) {
      parse_file_lines(diff, /*git=*/true);
      parse_hunks(diff);
    } else if (starts_with(cur(), "@@")) {
      fail(no(i_), "missing \"---\"/\"+++\" lines before the first hunk");
    }
    if (diff.hunks.empty() && !diff.is_new && !diff.is_delete && diff.has_index() &&
        !same_id(diff.old_id, diff.new_id)) {
      fail(static_cast<size_t>(diff.patch_line), "the index line says the content changes (" + diff.old_id +
                                                     ".." + diff.new_id + ") but the diff has no hunks");
    }
    validate(diff);
    return diff;
  }

  // Abbreviations of the same id (case aside, as long as the shorter one).
  static bool same_id(std::string_view a, std::string_view b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
        return false;
      }
    }
    return true;
  }

  void parse_index(FileDiff& diff, std::string_view v) const {
    const std::string value = trim(v);
    const size_t dots = value.find("..");
    const size_t space = value.find(' ');
    if (dots == std::string::npos) fail(no(i_), "bad index line");
    diff.old_id = value.substr(0, dots);
    diff.new_id = value.substr(dots + 2, space == std::string::npos ? std::string::npos
                                                                     : space - dots - 2);
    if (!is_hex_id(diff.old_id) || !is_hex_id(diff.new_id)) fail(no(i_), "bad index line");
    if (space != std::string::npos) {
      const unsigned mode = parse_mode(i_, value.substr(space + 1));
      diff.old_mode = diff.new_mode = mode;
    }
  }

  FileDiff parse_plain_file() {
    FileDiff diff;
    diff.patch_line = static_cast<int>(no(i_));
    parse_file_lines(diff, /*git=*/false);
    diff.is_new = diff.old_path.empty();
    diff.is_delete = diff.new_path.empty();
    parse_hunks(diff);
    if (!diff.is_new && !diff.is_delete && diff.hunks.size() == 1 &&
        diff.hunks[0].old_start == 0 && diff.hunks[0].old_count == 0) {
      diff.is_new = true;  // GNU diff -N style creation with a real "---" name
      diff.old_path.clear();
    }
    if (diff.old_path.empty() && diff.new_path.empty()) fail(no(i_), "both paths are /dev/null");
    validate(diff);
    return diff;
  }

  void parse_file_lines(FileDiff& diff, bool git) {
    const size_t minus = i_;
    const std::string old_path = strip_p1(i_, cur().substr(4));
    ++i_;
    if (!starts_with(cur(), "+++ ")) fail(no(i_), "missing \"+++\" line after \"---\" line");
    const std::string new_path = strip_p1(i_, cur().substr(4));
    ++i_;
    if (!git) {
      diff.old_path = old_path;
      diff.new_path = new_path;
      return;
    }
    if (old_path.empty() != diff.is_new ||
        (!old_path.empty() && old_path != diff.old_path)) {
      fail(no(minus), "\"---\" line does not match the \"diff --git\" header");
    }
    if (new_path.empty() != diff.is_delete ||
        (!new_path.empty() && new_path != diff.new_path)) {
      fail(no(minus + 1), "\"+++\" line does not match the \"diff --git\" header");
    }
  }

  static bool parse_range(std::string_view& s, long& start, long& count) {
    auto parse_num = [&](long& out) {
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec != std::errc() || out < 0) return false;
      s.remove_prefix(static_cast<size_t>(p - s.data()));
      return true;
    };
    if (!parse_num(start)) return false;
    count = 1;
    if (!s.empty() && s.front() == ',') {
      s.remove_prefix(1);
      if (!parse_num(count)) return false;
    }
    return true;
  }

  Hunk parse_hunk_header() const {
    Hunk h;
    h.patch_line = static_cast<int>(no(i_));
    std::string_view s = cur();
    auto bad = [&] { fail(no(i_), "bad hunk header " + quote_line(cur())); };
    if (!starts_with(s, "@@ -")) bad();
    s.remove_prefix(4);
    if (!parse_range(s, h.old_start, h.old_count)) bad();
    if (!starts_with(s, " +")) bad();
    s.remove_prefix(2);
    if (!parse_range(s, h.new_start, h.new_count)) bad();
    if (!starts_with(s, " @@")) bad();
    h.heading = trim(s.substr(3));
    if (h.old_count == 0 && h.new_count == 0) fail(no(i_), "empty hunk");
    if ((h.old_count > 0 && h.old_start == 0) || (h.new_count > 0 && h.new_start == 0)) bad();
    return h;
  }

  void parse_hunks(FileDiff& diff) {
    if (!starts_with(cur(), "@@")) {
      if (diff.is_rename || diff.new_mode || diff.is_new || diff.is_delete) {
        return;
      }
      fail(no(i_), "no hunks after \"---\"/\"+++\" lines");
    }
    long min_old = 0;
    while (!at_end() && starts_with(cur(), "@@")) {
      Hunk h = parse_hunk_header();
      const size_t header = i_;
      if (h.old_start < min_old) {
        fail(no(header), "hunk overlaps or precedes the previous hunk");
      }
      ++i_;
      long old_left = h.old_count;
      long new_left = h.new_count;
      while (old_left > 0 || new_left > 0) {
        if (at_end()) {
          fail(no(header), "truncated hunk: the patch ends " + std::to_string(old_left) +
                               " old and " + std::to_string(new_left) +
                               " new lines short of its @@ counts");
        }
        std::string_view raw = raw_[i_];
        char kind = raw[0];
        std::string body;
        if (raw == "\n" || raw == "\r\n") {
          kind = ' ';  // an empty context line whose leading space was eaten
          body = std::string(raw);
        } else {
          body = std::string(raw.substr(1));
        }
        if (body.empty() || body.back() != '\n') body += '\n';
        if (kind == '\\') {
          attach_no_newline(h);
          ++i_;
          continue;
        }
        if (kind != ' ' && kind != '-' && kind != '+') {
          if (starts_with(cur(), "@@") || starts_with(cur(), "diff ") || cur() == "-- ") {
            fail(no(i_), "hunk ends early: line counts do not add up (" +
                             std::to_string(old_left) + " old and " +
                             std::to_string(new_left) + " new lines missing)");
          }
          fail(no(i_), "junk inside hunk: " + quote_line(cur()));
        }
        if ((kind != '+' && old_left == 0) || (kind != '-' && new_left == 0)) {
          fail(no(i_), "line counts do not add up: more " +
                           std::string(kind == '+' ? "added" : kind == '-' ? "removed" : "context") +
                           " lines than the @@ header says");
        }
        if (kind != '+') --old_left;
        if (kind != '-') --new_left;
        h.lines.push_back(HunkLine{kind, std::move(body), static_cast<int>(no(i_))});
        ++i_;
      }
      if (!at_end() && starts_with(cur(), "\\")) {
        attach_no_newline(h);
        ++i_;
      }
      min_old = h.old_start + h.old_count;
      diff.hunks.push_back(std::move(h));
    }
  }

  void attach_no_newline(Hunk& h) const {
    if (h.lines.empty()) fail(no(i_), "\"\\ No newline at end of file\" without a line before it");
    std::string& text = h.lines.back().text;
    if (text.empty() || text.back() != '\n') fail(no(i_), "duplicate \"\\ No newline\" marker");
    text.pop_back();
  }

  void validate(const FileDiff& diff) const {
    const size_t line = static_cast<size_t>(diff.patch_line);
    for (const Hunk& h : diff.hunks) {
      if (diff.is_new && h.old_count != 0) fail(line, "new file with a hunk that has old lines");
      if (diff.is_delete && h.new_count != 0) fail(line, "deleted file with a hunk that adds lines");
    }
    if (diff.path().empty()) fail(line, "diff without a file name");
    if (!diff.is_new && !diff.is_delete && !diff.is_rename && diff.old_path != diff.new_path) {
      fail(line, "old and new names differ (" + diff.old_path + ", " + diff.new_path +
                     ") without \"rename from\"/\"rename to\" lines: not supported");
    }
  }

  std::string file_;
  std::vector<std::string_view> raw_;
  size_t i_ = 0;
};

}  // namespace

std::string Patch::title() const {
  std::string_view s = subject;
  for (;;) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    if (starts_with(s, "[")) {
      const size_t close = s.find(']');
      if (close == std::string_view::npos) break;
      s.remove_prefix(close + 1);
    } else if (starts_with(s, "Re: ") || starts_with(s, "RE: ")) {
      s.remove_prefix(4);
    } else {
      break;
    }
  }
  return std::string(s);
}

Patch parse_patch(std::string_view text, const std::string& file_name) {
  return Parser(text, file_name).parse();
}

FileDiff reverse_diff(const FileDiff& diff) {
  FileDiff r = diff;
  std::swap(r.old_path, r.new_path);
  std::swap(r.is_new, r.is_delete);
  std::swap(r.old_mode, r.new_mode);
  std::swap(r.old_id, r.new_id);
  for (Hunk& h : r.hunks) {
    std::swap(h.old_start, h.new_start);
    std::swap(h.old_count, h.new_count);
    for (HunkLine& l : h.lines) {
      if (l.kind == '+') {
        l.kind = '-';
      } else if (l.kind == '-') {
        l.kind = '+';
      }
    }
  }
  return r;
}

}  // namespace umq
