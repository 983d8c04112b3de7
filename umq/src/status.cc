#include "status.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "blob_id.h"
#include "engine.h"
#include "lines.h"

namespace umq {
namespace {

Expectation from_id(const std::string& abbrev) {
  if (abbrev.empty()) return Expectation{Expectation::kPresent, "", std::nullopt};
  if (is_null_id(abbrev)) return Expectation{Expectation::kAbsent, "", std::nullopt};
  return Expectation{Expectation::kId, abbrev, std::nullopt};
}

// True if patches k..1 reverse-apply and patch k+1 applies on |view|.
bool content_says_state(const TreeView& view, const Queue& queue, size_t k, int fuzz) {
  try {
    if (k < queue.size()) {
      TreeView fwd = view;
      apply_patch(fwd, queue.patches[k].patch, EngineOptions{fuzz, false}, nullptr);
    }
    TreeView back = view;
    for (size_t i = k; i > 0; --i) {
      apply_patch(back, queue.patches[i - 1].patch, EngineOptions{fuzz, true}, nullptr);
    }
    return true;
  } catch (const ApplyError&) {
    return false;
  } catch (const FsError&) {
    return false;
  }
}

}  // namespace

bool Expectation::matches(const std::string& full_id, std::optional<bool> actual_exec) const {
  if (exec && actual_exec && !full_id.empty() && *exec != *actual_exec) return false;
  switch (kind) {
    case kAbsent: return full_id.empty();
    case kPresent: return !full_id.empty();
    case kId: return !full_id.empty() && id_matches(id, full_id);
  }
  return false;
}

std::string Expectation::describe() const {
  switch (kind) {
    case kAbsent: return "absent";
    case kPresent: return "present";
    case kId: return id;
  }
  return "";
}

std::vector<std::vector<std::pair<std::string, Expectation>>> series_expectations(
    const Queue& queue) {
  std::map<std::string, Expectation> initial;
  std::vector<std::string> order;
  std::map<std::string, Expectation> current;
  std::vector<std::map<std::string, Expectation>> states(queue.size() + 1);

  size_t k = 0;  // the patch being read (0-based)
  // Registers the expectation before patch k for |path|. A known pre-image id
  // also fills in a state that so far only said "present".
  auto touch = [&](const std::string& path, const Expectation& pre) {
    if (initial.emplace(path, pre).second) order.push_back(path);
    auto [it, inserted] = current.emplace(path, pre);
    if (!inserted && it->second.kind == Expectation::kPresent && pre.kind == Expectation::kId) {
      it->second.kind = pre.kind;
      it->second.id = pre.id;
      if (k > 0 && states[k].count(path)) {
        states[k][path].kind = pre.kind;
        states[k][path].id = pre.id;
      }
    }
  };
  auto exec_of = [](std::optional<unsigned> mode) -> std::optional<bool> {
    if (!mode) return std::nullopt;
    return *mode == kModeExecutable;
  };
  const Expectation absent{Expectation::kAbsent, "", std::nullopt};
  // changed[k]: paths whose content patch k (1-based) may change.
  std::vector<std::set<std::string>> changed(queue.size() + 1);
  for (k = 0; k < queue.size(); ++k) {
    for (const FileDiff& d : queue.patches[k].patch.files) {
      if (d.is_new || d.is_delete || d.is_rename || !d.hunks.empty()) {
        changed[k + 1].insert(d.old_path);
        changed[k + 1].insert(d.new_path);
      }
      if (d.is_new) {
        touch(d.new_path, absent);
        Expectation post = d.has_index() ? from_id(d.new_id) : Expectation{};
        post.exec = exec_of(d.new_mode.value_or(kModeRegular));
        current[d.new_path] = post;
        continue;
      }
      // Only an explicit mode change constrains the executable bit: trees
      // copied with odd permissions must not look modified.
      const bool mode_change = d.old_mode && d.new_mode && *d.old_mode != *d.new_mode;
      Expectation pre = from_id(d.old_id);
      if (mode_change) pre.exec = exec_of(d.old_mode);
      touch(d.old_path, pre);
      if (d.is_delete) {
        current[d.old_path] = absent;
        continue;
      }
      Expectation post = current[d.old_path];
      if (d.has_index()) {
        post = from_id(d.new_id);
        post.exec = current[d.old_path].exec;
      } else if (!d.hunks.empty()) {
        post = Expectation{Expectation::kPresent, "", current[d.old_path].exec};
      }
      if (mode_change) post.exec = exec_of(d.new_mode);
      if (d.is_rename && d.new_path != d.old_path) {
        touch(d.new_path, absent);
        current[d.old_path] = absent;
      }
      current[d.new_path] = post;
    }
    states[k + 1] = current;
  }
  std::vector<std::vector<std::pair<std::string, Expectation>>> out(queue.size() + 1);
  for (k = 0; k <= queue.size(); ++k) {
    for (const std::string& path : order) {
      auto it = states[k].find(path);
      out[k].emplace_back(path, it != states[k].end() ? it->second : initial[path]);
    }
  }
  // A patch that only changes modes keeps the content: a blob id known after
  // it also holds before it (patches without index lines leave gaps).
  for (k = queue.size(); k > 0; --k) {
    for (size_t f = 0; f < order.size(); ++f) {
      Expectation& before = out[k - 1][f].second;
      const Expectation& after = out[k][f].second;
      if (before.kind == Expectation::kPresent && after.kind == Expectation::kId &&
          !changed[k].count(order[f])) {
        before.kind = after.kind;
        before.id = after.id;
      }
    }
  }
  return out;
}

std::string tree_version(FileSystem& fs, const std::string& root) {
  const std::string path = join_path(root, "Makefile");
  if (!fs.is_file(path)) return "";
  std::map<std::string, std::string> vars;
  int n = 0;
  const std::string text = fs.read_file(path);
  for (std::string_view line : split_lines(text)) {
    if (++n > 30) break;
    line = chomp(line);
    for (const char* key : {"VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION"}) {
      const std::string_view k = key;
      if (starts_with(line, k) && line.size() > k.size() &&
          (line[k.size()] == ' ' || line[k.size()] == '=')) {
        std::string_view v = line.substr(k.size());
        while (!v.empty() && (v.front() == ' ' || v.front() == '=')) v.remove_prefix(1);
        while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
        vars.emplace(key, std::string(v));
      }
    }
  }
  if (vars["VERSION"].empty() || vars["PATCHLEVEL"].empty()) return "";
  std::string version = vars["VERSION"] + "." + vars["PATCHLEVEL"];
  if (!vars["SUBLEVEL"].empty()) version += "." + vars["SUBLEVEL"];
  return version + vars["EXTRAVERSION"];
}

std::string Status::summary() const {
  const std::string base = version.empty() ? "base" : version;
  if (applied) {
    if (total == 0) return "empty series; base " + base;
    if (*applied == 0) return "pristine " + base;
    std::string s = fmt::format("series applied up to {} ({}/{})", numbers[*applied - 1],
                                *applied, total);
    if (*applied == total) s += ", fully applied";
    return s;
  }
  std::string s = "tree is not in a known state";
  if (by_content) {
    s += fmt::format(" (by content it looks like {} on a base other than the exact {})",
                     *by_content == 0 ? std::string("no patch applied")
                                      : fmt::format("patches up to {} applied",
                                                    numbers[*by_content - 1]),
                     base);
  }
  return s;
}

Status compute_status(TreeView& view, const Queue& queue, int fuzz) {
  Status st;
  st.version = tree_version(view.fs(), view.root());
  st.total = queue.size();
  for (const QueuedPatch& p : queue.patches) st.numbers.push_back(p.number);

  const auto expectations = series_expectations(queue);
  std::map<std::string, std::string> actual;
  std::map<std::string, bool> exec;
  for (const auto& [path, e] : expectations[0]) {
    try {
      actual[path] = view.id(path);
      exec[path] = (view.get(path).mode & 0100u) != 0;
    } catch (const FsError& err) {
      st.problems.push_back(FileProblem{path, err.what()});
      actual[path] = "?";
    }
  }
  if (!st.problems.empty()) return st;

  for (size_t k = expectations.size(); k-- > 0;) {
    bool all = true;
    for (const auto& [path, e] : expectations[k]) {
      if (!e.matches(actual[path], exec[path])) {
        all = false;
        break;
      }
    }
    if (all) {
      st.applied = k;
      return st;
    }
  }

  // No common state: say what is wrong with each file.
  std::vector<std::string> placed;
  std::vector<std::vector<size_t>> placed_states;  // the states the ids allow, per placed file
  for (size_t f = 0; f < expectations[0].size(); ++f) {
    const std::string& path = expectations[0][f].first;
    std::vector<size_t> states;
    for (size_t k = 0; k < expectations.size(); ++k) {
      if (expectations[k][f].second.matches(actual[path], exec[path])) states.push_back(k);
    }
    if (states.empty()) {
      bool content_known = false;
      for (const auto& row : expectations) content_known |= row[f].second.matches(actual[path]);
      std::string problem = "unknown edits in " + path;
      if (actual[path].empty()) {
        problem = path + " is missing";
      } else if (content_known) {
        problem = fmt::format("wrong file mode on {} (executable bit {})", path,
                              exec[path] ? "set" : "not set");
      }
      st.problems.push_back(FileProblem{path, problem});
    } else {
      auto state_name = [&](size_t k) {
        return k == 0 ? std::string("pristine") : st.numbers[k - 1];
      };
      std::string where = state_name(states.front());
      if (states.size() > 1) where += ".." + state_name(states.back());
      placed.push_back(path + " at " + where);
      placed_states.push_back(states);
    }
  }
  if (st.problems.empty()) {
    std::string msg = "files are at different states:";
    for (const std::string& p : placed) msg += " " + p + ";";
    msg.pop_back();
    st.problems.push_back(FileProblem{"", msg});
  }
  for (size_t k = queue.size() + 1; k-- > 0;) {
    if (content_says_state(view, queue, k, fuzz)) {
      st.by_content = k;
      break;
    }
  }
  for (size_t f = 0; st.by_content && f < placed.size(); ++f) {
    const std::vector<size_t>& states = placed_states[f];
    if (std::find(states.begin(), states.end(), *st.by_content) == states.end()) st.disputed.push_back(placed[f]);
  }
  return st;
}

}  // namespace umq
