#include "overlay.h"

#include <fmt/format.h>

#include "lines.h"

namespace umq {

std::vector<OverlayFile> load_overlay(FileSystem& fs, const std::string& dir,
                                      const std::string& base) {
  std::vector<OverlayFile> files;
  if (!fs.is_dir(dir)) return files;
  for (const std::string& rel : fs.list_files_recursive(dir)) {
    const std::string abs = join_path(dir, rel);
    const auto info = fs.stat(abs);
    files.push_back(OverlayFile{join_path(base, rel), fs.read_file(abs),
                                info ? (info->mode & 0777u) : 0644u});
  }
  return files;
}

std::string overlay_base(FileSystem& fs, const std::string& dir) {
  return fs.is_dir(join_path(dir, "arch")) ? "" : "arch/um";
}

std::string OverlayStatus::describe() const {
  switch (state) {
    case OverlayState::kNone: return "none (no overlay files)";
    case OverlayState::kNotApplied: return "not applied (" + count_of(files, "file") + ")";
    case OverlayState::kApplied: return "applied (" + count_of(files, "file") + ")";
    case OverlayState::kModified: {
      std::string s = fmt::format("modified ({} of {} in place", matching, count_of(files, "file"));
      if (!differing.empty()) {
        s += "; differing:";
        for (const std::string& d : differing) s += " " + d;
      }
      return s + ")";
    }
  }
  return "";
}

OverlayStatus overlay_status(TreeView& view, const std::vector<OverlayFile>& files) {
  OverlayStatus st;
  st.files = files.size();
  for (const OverlayFile& f : files) {
    const FileEntry& e = view.get(f.path);
    if (!e.exists) continue;
    if (e.content == f.content) {
      ++st.matching;
    } else {
      st.differing.push_back(f.path);
    }
  }
  if (files.empty()) {
    st.state = OverlayState::kNone;
  } else if (st.matching == files.size()) {
    st.state = OverlayState::kApplied;
  } else if (st.matching == 0 && st.differing.empty()) {
    st.state = OverlayState::kNotApplied;
  } else {
    st.state = OverlayState::kModified;
  }
  return st;
}

std::vector<std::string> stage_overlay(TreeView& view, const std::vector<OverlayFile>& files) {
  std::vector<std::string> problems;
  for (const OverlayFile& f : files) {
    const FileEntry& e = view.get(f.path);
    if (e.exists && e.content != f.content) {
      problems.push_back(f.path + ": the tree has a different file there; not overwriting it");
    }
  }
  if (!problems.empty()) return problems;
  for (const OverlayFile& f : files) {
    if (!view.get(f.path).exists) view.write(f.path, f.content, f.mode);
  }
  return problems;
}

std::vector<std::string> stage_overlay_removal(TreeView& view,
                                               const std::vector<OverlayFile>& files) {
  std::vector<std::string> kept;
  for (const OverlayFile& f : files) {
    const FileEntry& e = view.get(f.path);
    if (!e.exists) continue;
    if (e.content == f.content) {
      view.remove(f.path);
    } else {
      kept.push_back(f.path);
    }
  }
  return kept;
}

}  // namespace umq
