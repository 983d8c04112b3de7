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

std::string diff_id(const Patch& patch) {
  std::string text;
  for (const FileDiff& d : patch.files) {
    const Section s = file_section(d);
    text += "## " + s.name + "\n";
    for (const std::string& l : s.lines) text += l + "\n";
  }
  return blob_id(text).substr(0, 7);
}

RangeDiff range_diff(const SeriesVersion& old_series, const SeriesVersion& new_series) {
  constexpr int kMinSimilarity = 50;
  const size_t no = old_series.patches.size(), nn = new_series.patches.size();
  std::vector<std::optional<size_t>> old_match(no), new_match(nn);
  std::vector<int> similarity(nn, 0);
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
      p.by_content = similarity[j] > 0;
      p.similarity = similarity[j];
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

std::string render_range_diff(const RangeDiff& diff, const SeriesVersion& old_series,
                              const SeriesVersion& new_series) {
  std::string out;
  for (const std::string& n : old_series.notes) out += "old: " + n + "\n";
  for (const std::string& n : new_series.notes) out += "new: " + n + "\n";
  const size_t width = std::to_string(std::max(old_series.patches.size(), new_series.patches.size())).size();
  auto side = [&](const SeriesVersion& s, const std::optional<size_t>& k) {
    if (!k) return fmt::format("{:>{}}:  -------", "-", width);
    return fmt::format("{:>{}}:  {}", *k + 1, width, diff_id(s.patches[*k]));
  };
  for (const RangePair& p : diff.pairs) {
    char op = '=';
    switch (p.kind) {
      case RangePair::Kind::kUnchanged: op = '='; break;
      case RangePair::Kind::kChanged: op = '!'; break;
      case RangePair::Kind::kNew: op = '>'; break;
      case RangePair::Kind::kDropped: op = '<'; break;
    }
    const Patch& shown = p.new_index ? new_series.patches[*p.new_index] : old_series.patches[*p.old_index];
    out += fmt::format("{} {} {} {}\n", side(old_series, p.old_index), op, side(new_series, p.new_index),
                       shown.title());
    if (p.by_content) {
      out += fmt::format("    paired by content ({}% similar): the subject changed\n", p.similarity);
    }
    if (p.closest) {
      const bool dropped = p.kind == RangePair::Kind::kDropped;
      const SeriesVersion& other = dropped ? new_series : old_series;
      out += fmt::format("    closest in the {} version: {}: {} {} ({}% similar; pairing needs 50%)\n",
                         dropped ? "new" : "old", *p.closest + 1, diff_id(other.patches[*p.closest]),
                         other.patches[*p.closest].title(), p.closest_similarity);
    }
    if (p.kind != RangePair::Kind::kChanged) continue;
    out += "    commit message: " +
           (p.message_added + p.message_removed ? added_removed(p.message_added, p.message_removed)
                                                 : std::string("unchanged")) +
           "\n";
    const size_t files = new_series.patches[*p.new_index].files.size();
    out += p.files_changed.empty()
               ? std::string("    diff: unchanged\n")
               : fmt::format("    diff: {} of {} file{} differ{}: {}\n", p.files_changed.size(), files,
                             files == 1 ? "" : "s", p.files_changed.size() == 1 ? "s" : "",
                             join(p.files_changed, ", "));
    for (const std::string& l : p.nested) out += "    " + l + "\n";
  }
  out += fmt::format("range-diff: {} old, {} new: {} unchanged, {} changed, {} dropped, {} new\n",
                     old_series.patches.size(), new_series.patches.size(),
                     diff.count(RangePair::Kind::kUnchanged), diff.count(RangePair::Kind::kChanged),
                     diff.count(RangePair::Kind::kDropped), diff.count(RangePair::Kind::kNew));
  return out;
}

}  // namespace umq
