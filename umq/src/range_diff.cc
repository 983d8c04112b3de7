#include "range_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "blob_id.h"
#include "line_diff.h"
#include "lines.h"
#include "queue.h"

namespace umq {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string mode_text(std::optional<unsigned> m) { return fmt::format("{:06o}", m.value_or(kModeRegular)); }

// A patch as comparable text: named sections of lines.
struct Section {
  std::string name;
  bool is_file = false;
  std::vector<std::string> lines;
};

std::string file_name(const FileDiff& d) {
  return d.is_rename && d.old_path != d.new_path ? d.old_path + " => " + d.new_path : d.path();
}

Section file_section(const FileDiff& d) {
  Section s{file_name(d), true, {}};
  if (d.is_new) s.lines.push_back("new file mode " + mode_text(d.new_mode));
  if (d.is_delete) s.lines.push_back("deleted file mode " + mode_text(d.old_mode));
  if (d.is_rename) {
    s.lines.push_back("rename from " + d.old_path);
    s.lines.push_back("rename to " + d.new_path);
  }
  if (!d.is_new && !d.is_delete && d.old_mode && d.new_mode && *d.old_mode != *d.new_mode) {
    s.lines.push_back("old mode " + mode_text(d.old_mode));
    s.lines.push_back("new mode " + mode_text(d.new_mode));
  }
  for (const Hunk& h : d.hunks) {
    s.lines.push_back(h.heading.empty() ? "@@" : "@@ " + h.heading);
    for (const HunkLine& l : h.lines) {
      s.lines.push_back(std::string(1, l.kind) + std::string(chomp(l.text)));
      if (l.text.empty() || l.text.back() != '\n') s.lines.push_back("\\ No newline at end of file");
    }
  }
  return s;
}

std::vector<Section> sections(const Patch& p) {
  std::vector<Section> out;
  out.push_back(Section{"Metadata", false, {"Author: " + p.from, "Subject: " + p.title()}});
  Section message{"Commit message", false, {}};
  for (std::string_view l : split_lines(p.message)) message.lines.emplace_back(chomp(l));
  out.push_back(std::move(message));
  for (const FileDiff& d : p.files) out.push_back(file_section(d));
  return out;
}

std::multiset<std::string> changed_lines(const Patch& p, bool short_too) {
  std::multiset<std::string> out;
  for (const FileDiff& d : p.files) {
    for (const Hunk& h : d.hunks) {
      for (const HunkLine& l : h.lines) {
        if (l.kind == ' ') continue;
        const std::string t = trim(l.text);
        if (t.size() < 3 && !short_too) continue;  // "}", "", "*/": say little
        out.insert(d.path() + '\0' + l.kind + t);
      }
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string added_removed(size_t added, size_t removed) {
  return fmt::format("{} line{} added, {} removed", added, added == 1 ? "" : "s", removed);
}

// 1 to 9 decimal digits, nothing else.
std::optional<unsigned> small_number(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  unsigned n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  return n;
}

// "Signed-off-by: ...", "Cc: ...", "Link: ...": a line of the trailer block.
bool is_trailer(std::string_view line) {
  const size_t colon = line.find(": ");
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view key = line.substr(0, colon);
  if (!std::isupper(static_cast<unsigned char>(key.front()))) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  static const std::set<std::string_view> kKeys = {"Cc", "Link", "Fixes", "Closes"};
  return key.find("-by") != std::string_view::npos || kKeys.count(key) > 0;
}

struct FileStat {
  size_t added = 0, removed = 0;
};

FileStat file_stat(const FileDiff& d) {
  FileStat st;
  for (const Hunk& h : d.hunks) {
    for (const HunkLine& l : h.lines) {
      st.added += l.kind == '+';
      st.removed += l.kind == '-';
    }
  }
  return st;
}

std::string stat_text(const FileStat& st) { return fmt::format("+{} -{}", st.added, st.removed); }

std::string file_name_at(const SeriesVersion& s, size_t k) {
  return k < s.names.size() ? s.names[k] : s.patches[k].file;
}

}  // namespace

size_t RangeDiff::count(RangePair::Kind kind) const {
  return static_cast<size_t>(
      std::count_if(pairs.begin(), pairs.end(), [&](const RangePair& p) { return p.kind == kind; }));
}

SeriesVersion load_series_dir(FileSystem& fs, const std::string& dir) {
  SeriesVersion s;
  s.label = dir;
  if (fs.is_file(join_path(dir, "series"))) {
    Queue q = load_queue(fs, dir);
    for (QueuedPatch& p : q.patches) {
      s.names.push_back(p.name);
      s.patches.push_back(std::move(p.patch));
    }
    return s;
  }
  if (!fs.is_dir(dir)) throw FsError(dir + " is not a directory");
  for (const std::string& f : fs.list_dir(dir)) {
    const auto ends = [&](std::string_view suffix) {
      return f.size() > suffix.size() && f.substr(f.size() - suffix.size()) == suffix;
    };
    if (!ends(".patch") && !ends(".diff")) continue;
    const std::string path = join_path(dir, f);
    s.names.push_back(f);
    s.patches.push_back(parse_patch(fs.read_file(path), path));
  }
  if (s.patches.empty()) throw FsError("no series file and no *.patch files in " + dir);
  s.notes.push_back("no series file in " + dir + ": its *.patch files in name order");
  return s;
}

SeriesVersion load_series_files(FileSystem& fs, const std::vector<std::string>& files) {
  SeriesVersion s;
  s.label = fmt::format("{} file{}", files.size(), files.size() == 1 ? "" : "s");
  for (const std::string& f : files) {
    s.names.push_back(base_name(f));
    s.patches.push_back(parse_patch(fs.read_file(f), f));
  }
  return s;
}

std::string subject_key(const Patch& patch) {
  std::string key;
  for (char c : patch.title()) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!key.empty() && key.back() != ' ') key += ' ';
    } else {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  while (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

int diff_similarity(const Patch& a, const Patch& b) {
  std::set<std::string> fa, fb;
  for (const FileDiff& d : a.files) fa.insert(d.path());
  for (const FileDiff& d : b.files) fb.insert(d.path());
  size_t both_files = 0;
  for (const std::string& f : fa) both_files += fb.count(f);
  const size_t any_files = fa.size() + fb.size() - both_files;
  const double files = any_files ? static_cast<double>(both_files) / static_cast<double>(any_files) : 0;
  if (both_files == 0) return 0;
  std::multiset<std::string> la = changed_lines(a, false), lb = changed_lines(b, false);
  if (la.empty() && lb.empty()) {
    la = changed_lines(a, true);
    lb = changed_lines(b, true);
  }
  std::vector<std::string> common;
  std::set_intersection(la.begin(), la.end(), lb.begin(), lb.end(), std::back_inserter(common));
  const double lines = la.size() + lb.size()
                           ? 2.0 * static_cast<double>(common.size()) / static_cast<double>(la.size() + lb.size())
                           : files;
  return static_cast<int>(100.0 * (0.25 * files + 0.75 * lines) + 0.5);
}

std::optional<unsigned> patch_number(const Patch& patch, const std::string& file_name) {
  // The leading tags, as Patch::title() skips them: "[PATCH v2 3/7]", "[RFC 1/2]".
  std::string_view s = patch.subject;
  for (;;) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    if (starts_with(s, "Re: ") || starts_with(s, "RE: ")) {
      s.remove_prefix(4);
      continue;
    }
    if (!starts_with(s, "[")) break;
    const size_t close = s.find(']');
    if (close == std::string_view::npos) break;
    std::string_view tag = s.substr(1, close - 1);
    s.remove_prefix(close + 1);
    while (!tag.empty()) {
      const size_t space = tag.find(' ');
      const std::string_view word = tag.substr(0, space);
      tag = space == std::string_view::npos ? std::string_view() : tag.substr(space + 1);
      const size_t slash = word.find('/');
      if (slash == std::string_view::npos) continue;
      const auto n = small_number(word.substr(0, slash));
      if (n && small_number(word.substr(slash + 1))) return n;
    }
  }
  std::string_view name = file_name;
  if (const size_t slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  const size_t dash = name.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  return small_number(name.substr(0, dash));
}

std::string diff_id(const Patch& patch) {
  std::string text;
  for (const FileDiff& d : patch.files) {
    const Section s = file_section(d);
    text += "## " + s.name + "\n";
    for (const std::string& l : s.lines) text += l + "\n";
  }
  return blob_id(text).substr(0, 7);
}

RangeDiff range_diff(const SeriesVersion& old_series, const SeriesVersion& new_series,
                     const RangeDiffOptions& options) {
  constexpr int kMinSimilarity = 50;
  const size_t no = old_series.patches.size(), nn = new_series.patches.size();
  std::vector<std::optional<size_t>> old_match(no), new_match(nn);
  std::vector<int> similarity(nn, 0);
  std::vector<bool> numbered(nn, false);
  // 1. The same subject.
  for (size_t j = 0; j < nn; ++j) {
    const std::string key = subject_key(new_series.patches[j]);
    for (size_t i = 0; i < no; ++i) {
      if (!old_match[i] && subject_key(old_series.patches[i]) == key) {
        old_match[i] = j;
        new_match[j] = i;
        break;
      }
    }
  }
  // 2. Similar diffs, the most similar first.
  std::vector<std::tuple<int, size_t, size_t>> candidates;
  for (size_t i = 0; i < no; ++i) {
    if (old_match[i]) continue;
    for (size_t j = 0; j < nn; ++j) {
      if (new_match[j]) continue;
      const int s = diff_similarity(old_series.patches[i], new_series.patches[j]);
      if (s >= kMinSimilarity) candidates.emplace_back(-s, i, j);
    }
  }
  std::sort(candidates.begin(), candidates.end());
  for (const auto& [neg, i, j] : candidates) {
    if (old_match[i] || new_match[j]) continue;
    old_match[i] = j;
    new_match[j] = i;
    similarity[j] = -neg;
  }
  // 3. With --by-number, what is left by its number (a rewrite).
  if (options.by_number) {
    std::vector<std::optional<unsigned>> old_number(no);
    for (size_t i = 0; i < no; ++i) old_number[i] = patch_number(old_series.patches[i], file_name_at(old_series, i));
    for (size_t j = 0; j < nn; ++j) {
      if (new_match[j]) continue;
      const auto n = patch_number(new_series.patches[j], file_name_at(new_series, j));
      if (!n) continue;
      for (size_t i = 0; i < no; ++i) {
        if (!old_match[i] && old_number[i] == n) {
          old_match[i] = j;
          new_match[j] = i;
          numbered[j] = true;
          break;
        }
      }
    }
  }

  auto closest = [](RangePair& p, const Patch& patch, const SeriesVersion& other) {
    for (size_t k = 0; k < other.patches.size(); ++k) {
      const int s = diff_similarity(patch, other.patches[k]);
      if (s > p.closest_similarity) {
        p.closest = k;
        p.closest_similarity = s;
      }
    }
  };
  RangeDiff result;
  std::vector<bool> shown(no, false);
  size_t i = 0, j = 0;
  while (i < no || j < nn) {
    if (i < no && shown[i]) {
      ++i;
    } else if (i < no && !old_match[i]) {
      RangePair p;
      p.kind = RangePair::Kind::kDropped;
      p.old_index = i;
      closest(p, old_series.patches[i], new_series);
      result.pairs.push_back(p);
      shown[i++] = true;
    } else if (j < nn && !new_match[j]) {
      RangePair p;
      p.kind = RangePair::Kind::kNew;
      p.new_index = j;
      closest(p, new_series.patches[j], old_series);
      result.pairs.push_back(p);
      ++j;
    } else if (j < nn) {
      const size_t oi = *new_match[j];
      RangePair p;
      p.old_index = oi;
      p.new_index = j;
      p.by_number = numbered[j];
      p.by_content = !p.by_number && similarity[j] > 0;
      p.similarity = p.by_number ? diff_similarity(old_series.patches[oi], new_series.patches[j])
                                 : similarity[j];
      const std::vector<Section> a = sections(old_series.patches[oi]);
      const std::vector<Section> b = sections(new_series.patches[j]);
      // Sections in the new order, then those only in the old version.
      std::vector<std::pair<const Section*, const Section*>> order;
      for (const Section& sb : b) {
        const auto it = std::find_if(a.begin(), a.end(), [&](const Section& sa) { return sa.name == sb.name; });
        order.emplace_back(it == a.end() ? nullptr : &*it, &sb);
      }
      for (const Section& sa : a) {
        if (std::none_of(b.begin(), b.end(), [&](const Section& sb) { return sb.name == sa.name; })) {
          order.emplace_back(&sa, nullptr);
        }
      }
      static const std::vector<std::string> kNone;
      for (const auto& [sa, sb] : order) {
        const std::vector<std::string>& la = sa ? sa->lines : kNone;
        const std::vector<std::string>& lb = sb ? sb->lines : kNone;
        if (sa && sb && la == lb) continue;
        const Section& s = sb ? *sb : *sa;
        const std::vector<DiffLine> script = diff_lines(la, lb);
        if (s.name == "Commit message") {
          for (const DiffLine& l : script) {
            p.message_added += l.op == '+';
            p.message_removed += l.op == '-';
          }
        } else if (s.is_file) {
          p.files_changed.push_back(s.name);
        }
        p.nested.push_back("## " + s.name + (!sa ? " (only in the new version)" : !sb ? " (only in the old version)" : "") + " ##");
        for (const DiffHunk& h : unified_hunks(script, 3)) {
          std::string label;
          const std::vector<std::string>& ref = sa ? la : lb;
          const size_t start = sa ? h.a_start : h.b_start;
          for (size_t k = std::min(start, ref.size()); k-- > 0;) {
            if (starts_with(ref[k], "@@")) {
              label = ref[k].substr(2);
              break;
            }
          }
          if (start > 0 || !label.empty()) p.nested.push_back("@@" + label);
          for (const DiffLine& l : h.lines) p.nested.push_back(std::string(1, l.op) + l.text);
        }
      }
      p.kind = p.nested.empty() ? RangePair::Kind::kUnchanged : RangePair::Kind::kChanged;
      result.pairs.push_back(std::move(p));
      shown[oi] = true;
      ++j;
    } else {
      ++i;
    }
  }
  return result;
}

namespace {

// Per file of the two patches (in the new order, then the old-only ones):
// lines added/removed on each side and whether the file's diff differs.
void render_file_table(const Patch& a, const Patch& b, std::string& out) {
  struct Row {
    std::string name, old_stat, new_stat, verdict;
  };
  std::vector<Row> rows;
  std::map<std::string, const FileDiff*> old_files;
  for (const FileDiff& d : a.files) old_files.emplace(file_name(d), &d);
  std::set<std::string> seen;
  size_t both = 0, differ = 0;
  for (const FileDiff& d : b.files) {
    const std::string name = file_name(d);
    seen.insert(name);
    const auto it = old_files.find(name);
    if (it == old_files.end()) {
      rows.push_back({name, "-", stat_text(file_stat(d)), "only new"});
      continue;
    }
    ++both;
    const bool same = file_section(*it->second).lines == file_section(d).lines;
    differ += !same;
    rows.push_back({name, stat_text(file_stat(*it->second)), stat_text(file_stat(d)), same ? "same" : "differs"});
  }
  for (const FileDiff& d : a.files) {
    if (!seen.count(file_name(d))) rows.push_back({file_name(d), stat_text(file_stat(d)), "-", "only old"});
  }
  out += fmt::format("    files: {} old, {} new, {} in both ({} differ{})\n", a.files.size(), b.files.size(),
                     both, differ, differ == 1 ? "s" : "");
  size_t wn = 0, wo = 3, wnew = 3;
  for (const Row& r : rows) {
    wn = std::max(wn, r.name.size());
    wo = std::max(wo, r.old_stat.size());
    wnew = std::max(wnew, r.new_stat.size());
  }
  out += fmt::format("      {:<{}}  {:>{}} | new\n", "", wn, "old", wo);
  for (const Row& r : rows) {
    out += fmt::format("      {:<{}}  {:>{}} | {:<{}}  {}\n", r.name, wn, r.old_stat, wo, r.new_stat, wnew, r.verdict);
  }
}

// The commit messages: how many lines went and came, and which trailers.
void render_message_summary(const Patch& a, const Patch& b, std::string& out) {
  std::vector<std::string> la, lb;
  for (std::string_view l : split_lines(a.message)) la.emplace_back(chomp(l));
  for (std::string_view l : split_lines(b.message)) lb.emplace_back(chomp(l));
  if (la == lb) {
    out += "    commit message: unchanged\n";
    return;
  }
  size_t added = 0, removed = 0, kept = 0;
  std::vector<std::string> trailers;
  for (const DiffLine& l : diff_lines(la, lb)) {
    added += l.op == '+';
    removed += l.op == '-';
    kept += l.op == ' ';
    if (l.op != ' ' && is_trailer(l.text)) {
      trailers.push_back(fmt::format("    trailer {}: {}", l.op == '+' ? "added" : "removed", l.text));
    }
  }
  out += fmt::format("    commit message: {} -> {} lines: {} removed, {} added, {} kept\n", la.size(), lb.size(),
                     removed, added, kept);
  for (const std::string& t : trailers) out += t + "\n";
}

}  // namespace

constexpr std::string_view kIdsLegend =
    "ids: patch-diff ids (a hash of the diff, line numbers and index lines aside), not commit ids";

std::string render_range_diff(const RangeDiff& diff, const SeriesVersion& old_series,
                              const SeriesVersion& new_series, const RangeDiffOptions& options) {
  std::string out;
  for (const std::string& n : old_series.notes) out += "old: " + n + "\n";
  for (const std::string& n : new_series.notes) out += "new: " + n + "\n";
  const size_t width = std::to_string(std::max(old_series.patches.size(), new_series.patches.size())).size();
  // With --by-number a patch goes by its number, else by its position.
  auto label = [&](const SeriesVersion& s, size_t k) {
    if (options.by_number) {
      if (const auto n = patch_number(s.patches[k], file_name_at(s, k))) return std::to_string(*n);
    }
    return std::to_string(k + 1);
  };
  auto side = [&](const SeriesVersion& s, const std::optional<size_t>& k) {
    if (options.by_number) {
      return k ? label(s, *k) + ": " + s.patches[*k].title() : std::string("-: -------");
    }
    if (!k) return fmt::format("{:>{}}:  -------", "-", width);
    return fmt::format("{:>{}}:  {}", *k + 1, width, diff_id(s.patches[*k]));
  };
  const bool summary = options.by_number || options.stat;
  // The 7 hex digits are not commit ids: say what they are wherever one shows.
  const bool ids_shown = !options.by_number || std::any_of(diff.pairs.begin(), diff.pairs.end(),
                                                           [](const RangePair& p) { return p.closest.has_value(); });
  if (ids_shown) out += std::string(kIdsLegend) + "\n";
  for (const RangePair& p : diff.pairs) {
    char op = '=';
    switch (p.kind) {
      case RangePair::Kind::kUnchanged: op = '='; break;
      case RangePair::Kind::kChanged: op = '!'; break;
      case RangePair::Kind::kNew: op = '>'; break;
      case RangePair::Kind::kDropped: op = '<'; break;
    }
    if (options.by_number) {
      out += fmt::format("{} {} {}\n", side(old_series, p.old_index), op, side(new_series, p.new_index));
    } else {
      const Patch& shown = p.new_index ? new_series.patches[*p.new_index] : old_series.patches[*p.old_index];
      out += fmt::format("{} {} {} {}\n", side(old_series, p.old_index), op, side(new_series, p.new_index),
                         shown.title());
    }
    if (p.by_content) {
      out += fmt::format("    paired by content ({}% similar): the subject changed\n", p.similarity);
    }
    if (p.by_number && p.kind == RangePair::Kind::kChanged) {
      out += fmt::format("    paired by number; the diffs are {}% similar\n", p.similarity);
    }
    if (p.closest) {
      const bool dropped = p.kind == RangePair::Kind::kDropped;
      const SeriesVersion& other = dropped ? new_series : old_series;
      out += fmt::format("    closest in the {} version: {}: {} {} ({}% similar; pairing needs 50%)\n",
                         dropped ? "new" : "old", label(other, *p.closest), diff_id(other.patches[*p.closest]),
                         other.patches[*p.closest].title(), p.closest_similarity);
    }
    if (summary && (p.kind == RangePair::Kind::kNew || p.kind == RangePair::Kind::kDropped)) {
      const Patch& only = p.new_index ? new_series.patches[*p.new_index] : old_series.patches[*p.old_index];
      FileStat total;
      for (const FileDiff& d : only.files) {
        const FileStat st = file_stat(d);
        total.added += st.added;
        total.removed += st.removed;
      }
      out += fmt::format("    {} file{}, {}\n", only.files.size(), only.files.size() == 1 ? "" : "s",
                         stat_text(total));
    }
    if (p.kind != RangePair::Kind::kChanged) continue;
    const Patch& a = old_series.patches[*p.old_index];
    const Patch& b = new_series.patches[*p.new_index];
    if (summary) {
      if (a.from != b.from) out += "    author: " + a.from + " -> " + b.from + "\n";
      render_message_summary(a, b, out);
      render_file_table(a, b, out);
    } else {
      out += "    commit message: " +
             (p.message_added + p.message_removed ? added_removed(p.message_added, p.message_removed)
                                                   : std::string("unchanged")) +
             "\n";
      const size_t files = b.files.size();
      out += p.files_changed.empty()
                 ? std::string("    diff: unchanged\n")
                 : fmt::format("    diff: {} of {} file{} differ{}: {}\n", p.files_changed.size(), files,
                               files == 1 ? "" : "s", p.files_changed.size() == 1 ? "s" : "",
                               join(p.files_changed, ", "));
    }
    if (options.stat) continue;
    for (const std::string& l : p.nested) out += "    " + l + "\n";
  }
  out += fmt::format("range-diff: {} old, {} new: {} unchanged, {} changed, {} dropped, {} new\n",
                     old_series.patches.size(), new_series.patches.size(),
                     diff.count(RangePair::Kind::kUnchanged), diff.count(RangePair::Kind::kChanged),
                     diff.count(RangePair::Kind::kDropped), diff.count(RangePair::Kind::kNew));
  return out;
}

}  // namespace umq
