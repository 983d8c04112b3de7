#include "format_patch.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

#include "lines.h"

namespace umq {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool strip_mail_prefix(std::string_view& s) {
  for (std::string_view p : {"re:", "fwd:", "fw:", "aw:"}) {
    if (lower(s.substr(0, p.size())) == p) {
      s = trim(s.substr(p.size()));
      return true;
    }
  }
  return false;
}

bool is_patch_tag(std::string_view tag) { return lower(tag).find("patch") != std::string::npos; }

// Splits |subject| into its PATCH tag ("" if none) and the title after the
// prefixes and tags.
std::pair<std::string, std::string> split_subject(std::string_view subject) {
  std::string_view s = trim(subject);
  std::string tag;
  for (;;) {
    if (strip_mail_prefix(s)) continue;
    if (!s.empty() && s.front() == '[') {
      const size_t close = s.find(']');
      if (close == std::string_view::npos) break;
      const std::string_view t = s.substr(0, close + 1);
      if (tag.empty() && is_patch_tag(t)) tag = std::string(t);
      s = trim(s.substr(close + 1));
      continue;
    }
    break;
  }
  return {tag, std::string(s)};
}

bool is_title_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_';
}

}  // namespace

std::string SeriesTag::label() const { return fmt::format("{}/{}", n, m); }

SeriesTag series_tag(std::string_view subject) {
  SeriesTag tag;
  const std::string t = split_subject(subject).first;
  if (t.empty()) return tag;
  std::istringstream words(t.substr(1, t.size() - 2));
  for (std::string w; words >> w;) {
    if (w.size() > 1 && (w[0] == 'v' || w[0] == 'V') &&
        std::all_of(w.begin() + 1, w.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      tag.version = "v" + w.substr(1);
      continue;
    }
    const size_t slash = w.find('/');
    if (slash == std::string::npos) continue;
    int n = 0, m = 0;
    auto [p1, e1] = std::from_chars(w.data(), w.data() + slash, n);
    auto [p2, e2] = std::from_chars(w.data() + slash + 1, w.data() + w.size(), m);
    if (e1 == std::errc() && e2 == std::errc() && p1 == w.data() + slash &&
        p2 == w.data() + w.size() && m > 0 && n >= 0 && n <= m) {
      tag.n = n;
      tag.m = m;
    }
  }
  return tag;
}

std::string normalize_subject(std::string_view subject) {
  auto [tag, title] = split_subject(subject);
  return (tag.empty() ? std::string("[PATCH]") : tag) + " " + title;
}

std::string patch_file_name(int number, std::string_view title, std::string_view version) {
  std::string name = version.empty() ? "" : std::string(version) + "-";
  name += fmt::format("{:04}-", number);
  const size_t start = name.size();
  int space = 2;
  for (size_t i = 0; i < title.size(); ++i) {
    if (is_title_char(title[i])) {
      if (space == 1) name += '-';
      space = 0;
      name += title[i];
      if (title[i] == '.') {
        while (i + 1 < title.size() && title[i + 1] == '.') ++i;
      }
    } else {
      space |= 1;
    }
  }
  while (name.size() > start && (name.back() == '.' || name.back() == '-')) name.pop_back();
  const std::string suffix = ".patch";
  const size_t max_len = 64 - (suffix.size() + 1);
  if (name.size() > max_len) name.resize(max_len);
  return name + suffix;
}

std::vector<std::string> fold_header(std::string_view line) {
  constexpr size_t kWidth = 78;
  std::vector<std::string> out(1);
  const size_t colon = line.find(": ");
  std::string_view rest = line;
  if (colon != std::string_view::npos) {
    out.back() = std::string(line.substr(0, colon + 2));
    rest = line.substr(colon + 2);
  }
  bool first_word = true;
  while (!rest.empty()) {
    const size_t space = rest.find(' ');
    const std::string_view word = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    std::string& cur = out.back();
    const size_t need = cur.size() + (first_word ? 0 : 1) + word.size();
    if (!first_word && need > kWidth) {
      out.push_back(" " + std::string(word));
    } else {
      if (!first_word) cur += ' ';
      cur += word;
    }
    first_word = false;
  }
  return out;
}

bool has_non_ascii(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

namespace {

// git's needs_rfc2047_encoding().
bool needs_encoding(std::string_view text) {
  return has_non_ascii(text) || text.find("=?") != std::string_view::npos || text.find('\n') != std::string_view::npos;
}

// The bytes of the UTF-8 character at the start of |s| (1 for a stray byte).
size_t char_length(std::string_view s) {
  const auto c = static_cast<unsigned char>(s[0]);
  const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (n > s.size()) return 1;
  for (size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(s[i]) >> 6) != 0x2) return 1;
  }
  return n;
}

// git's is_rfc2047_special(): what must be "=XX" in a Q-encoded word (of a
// name in an address header: also everything but letters, digits and !*+-/).
bool special(unsigned char c, bool address) {
  if (c >= 0x80 || std::isspace(c) || c == '=' || c == '?' || c == '_') return true;
  if (!address) return false;
  return !(std::isalnum(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/');
}

// git's add_rfc2047(): appends |text| to the last of |lines| as encoded words.
void add_rfc2047(std::vector<std::string>& lines, std::string_view text, bool address) {
  constexpr size_t kMax = 76;
  constexpr std::string_view kOpen = "=?UTF-8?q?";
  lines.back() += kOpen;
  size_t line_len = lines.back().size();
  while (!text.empty()) {
    const size_t n = char_length(text);
    const bool is_special = n > 1 || special(static_cast<unsigned char>(text[0]), address);
    const size_t encoded_len = is_special ? 3 * n : 1;
    if (line_len + encoded_len + 2 > kMax) {
      lines.back() += "?=";
      lines.push_back(" " + std::string(kOpen));
      line_len = lines.back().size();
    }
    for (size_t i = 0; i < n; ++i) {
      lines.back() += is_special ? fmt::format("={:02X}", static_cast<unsigned char>(text[i])) : std::string(1, text[i]);
    }
    line_len += encoded_len;
    text.remove_prefix(n);
  }
  lines.back() += "?=";
}

}  // namespace

std::vector<std::string> author_header(std::string_view author) {
  const size_t open = author.rfind(" <");
  if (open == std::string_view::npos || author.back() != '>' || !needs_encoding(author.substr(0, open))) {
    return {"From: " + std::string(author)};
  }
  std::vector<std::string> lines{"From: "};
  add_rfc2047(lines, author.substr(0, open), true);
  const std::string_view address = author.substr(open + 1);  // "<...>"
  if (lines.back().size() + 1 + address.size() > 76) {
    lines.push_back(" " + std::string(address));
  } else {
    lines.back() += " " + std::string(address);
  }
  return lines;
}

std::vector<std::string> subject_header(std::string_view subject) {
  size_t title = 0;
  if (!subject.empty() && subject[0] == '[') {
    const size_t close = subject.find("] ");
    if (close != std::string_view::npos) title = close + 2;
  }
  if (!needs_encoding(subject.substr(title))) return fold_header("Subject: " + std::string(subject));
  std::vector<std::string> lines{"Subject: " + std::string(subject.substr(0, title))};
  add_rfc2047(lines, subject.substr(title), false);
  return lines;
}

std::string ChangeCounts::describe() const {
  return fmt::format("{} file{}, +{} -{}", files, files == 1 ? "" : "s", insertions, deletions);
}

ChangeCounts count_changes(const Patch& patch) {
  ChangeCounts c;
  c.files = patch.files.size();
  for (const FileDiff& d : patch.files) {
    for (const Hunk& h : d.hunks) {
      for (const HunkLine& l : h.lines) {
        if (l.kind == '+') ++c.insertions;
        if (l.kind == '-') ++c.deletions;
      }
    }
  }
  return c;
}

std::optional<ChangeCounts> parse_diffstat_summary(std::string_view line) {
  line = trim(line);
  ChangeCounts c;
  bool files = false;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find(',', pos);
    if (end == std::string_view::npos) end = line.size();
    const std::string_view part = trim(line.substr(pos, end - pos));
    pos = end + 1;
    size_t value = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc()) return std::nullopt;
    const std::string_view what = trim(part.substr(static_cast<size_t>(p - part.data())));
    if (what == "file changed" || what == "files changed") {
      c.files = value;
      files = true;
    } else if (what == "insertion(+)" || what == "insertions(+)") {
      c.insertions = value;
    } else if (what == "deletion(-)" || what == "deletions(-)") {
      c.deletions = value;
    } else {
      return std::nullopt;
    }
  }
  if (!files) return std::nullopt;
  return c;
}

namespace {

// git's pprint_rename: "dir/{old => new}/file".
std::string rename_name(const std::string& a, const std::string& b) {
  size_t pfx = 0;
  for (size_t i = 0; i < a.size() && i < b.size() && a[i] == b[i]; ++i) {
    if (a[i] == '/') pfx = i + 1;
  }
  size_t sfx = 0;
  const long adjust = pfx ? 1 : 0;
  long ia = static_cast<long>(a.size()), ib = static_cast<long>(b.size());
  const long lo = static_cast<long>(pfx) - adjust;
  while (ia >= lo && ib >= lo) {
    const char ca = ia < static_cast<long>(a.size()) ? a[static_cast<size_t>(ia)] : '\0';
    const char cb = ib < static_cast<long>(b.size()) ? b[static_cast<size_t>(ib)] : '\0';
    if (ca != cb) break;
    if (ca == '/') sfx = a.size() - static_cast<size_t>(ia);
    --ia;
    --ib;
  }
  const size_t a_mid = a.size() >= pfx + sfx ? a.size() - pfx - sfx : 0;
  const size_t b_mid = b.size() >= pfx + sfx ? b.size() - pfx - sfx : 0;
  std::string out;
  if (pfx + sfx) out += a.substr(0, pfx) + "{";
  out += a.substr(pfx, a_mid) + " => " + b.substr(pfx, b_mid);
  if (pfx + sfx) out += "}" + a.substr(a.size() - sfx);
  return out;
}

}  // namespace

std::string render_diffstat(const Patch& patch) {
  // git diff.c show_stats() with format-patch's width (MAIL_DEFAULT_WRAP, 72).
  struct Row {
    std::string name;
    size_t added = 0, removed = 0;
  };
  std::vector<Row> rows;
  size_t max_len = 0, max_change = 0;
  for (const FileDiff& d : patch.files) {
    Row r;
    r.name = d.is_rename && d.old_path != d.new_path ? rename_name(d.old_path, d.new_path) : d.path();
    for (const Hunk& h : d.hunks) {
      for (const HunkLine& l : h.lines) {
        if (l.kind == '+') ++r.added;
        if (l.kind == '-') ++r.removed;
      }
    }
    max_len = std::max(max_len, r.name.size());
    max_change = std::max(max_change, r.added + r.removed);
    rows.push_back(std::move(r));
  }
  const long number_width = static_cast<long>(std::to_string(max_change).size());
  const long width = 72;
  long graph_width = static_cast<long>(max_change);
  long name_width = static_cast<long>(max_len);
  if (name_width + number_width + 6 + graph_width > width) {
    if (graph_width > width * 3 / 8 - number_width - 6) {
      graph_width = std::max<long>(width * 3 / 8 - number_width - 6, 6);
    }
    if (name_width > width - number_width - 6 - graph_width) {
      name_width = width - number_width - 6 - graph_width;
    } else {
      graph_width = width - number_width - 6 - name_width;
    }
  }
  auto scale = [&](size_t it) -> size_t {
    if (it == 0) return 0;
    return 1 + it * static_cast<size_t>(graph_width - 1) / max_change;
  };
  std::string out;
  for (const Row& r : rows) {
    std::string name = r.name, prefix;
    if (static_cast<long>(name.size()) > name_width) {
      prefix = "...";
      const size_t keep = name_width > 3 ? static_cast<size_t>(name_width - 3) : 0;
      name = name.substr(name.size() - keep);
      const size_t slash = name.find('/');
      if (slash != std::string::npos) name = name.substr(slash);
    }
    const long len = name_width - static_cast<long>(prefix.size());
    const size_t padding = len > static_cast<long>(name.size()) ? static_cast<size_t>(len) - name.size() : 0;
    size_t add = r.added, del = r.removed;
    if (static_cast<size_t>(graph_width) <= max_change) {
      size_t total = scale(add + del);
      if (total < 2 && add && del) total = 2;
      if (add < del) {
        add = scale(add);
        del = total - add;
      } else {
        del = scale(del);
        add = total - del;
      }
    }
    out += fmt::format(" {}{}{} | {:>{}}{}{}{}\n", prefix, name, std::string(padding, ' '),
                       r.added + r.removed, number_width, r.added + r.removed ? " " : "",
                       std::string(add, '+'), std::string(del, '-'));
  }
  const ChangeCounts total = count_changes(patch);
  std::string summary = fmt::format(" {} file{} changed", total.files, total.files == 1 ? "" : "s");
  if (total.insertions || !total.deletions) {
    summary += fmt::format(", {} insertion{}(+)", total.insertions, total.insertions == 1 ? "" : "s");
  }
  if (total.deletions || !total.insertions) {
    summary += fmt::format(", {} deletion{}(-)", total.deletions, total.deletions == 1 ? "" : "s");
  }
  out += summary + "\n";
  // format-patch's --summary lines.
  auto mode = [](std::optional<unsigned> m) { return fmt::format("{:06o}", m.value_or(kModeRegular)); };
  for (const FileDiff& d : patch.files) {
    if (d.is_new) {
      out += fmt::format(" create mode {} {}\n", mode(d.new_mode), d.new_path);
    } else if (d.is_delete) {
      out += fmt::format(" delete mode {} {}\n", mode(d.old_mode), d.old_path);
    } else if (d.is_rename && d.old_path != d.new_path) {
      out += fmt::format(" rename {} ({}%)\n", rename_name(d.old_path, d.new_path),
                         d.similarity.value_or(100));
      if (d.old_mode && d.new_mode && *d.old_mode != *d.new_mode) {
        out += fmt::format(" mode change {} => {}\n", mode(d.old_mode), mode(d.new_mode));
      }
    } else if (d.old_mode && d.new_mode && *d.old_mode != *d.new_mode) {
      out += fmt::format(" mode change {} => {} {}\n", mode(d.old_mode), mode(d.new_mode), d.path());
    }
  }
  return out;
}

}  // namespace umq
