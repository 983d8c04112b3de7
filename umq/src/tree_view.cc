#include "tree_view.h"

#include "blob_id.h"

namespace umq {

TreeView::TreeView(FileSystem& fs, std::string root) : fs_(&fs), root_(std::move(root)) {}

TreeView::Slot& TreeView::slot(const std::string& rel) {
  auto it = slots_.find(rel);
  if (it != slots_.end()) return it->second;
  const std::string abs = join_path(root_, rel);
  FileEntry entry;
  if (auto info = fs_->stat(abs)) {
    if (info->type == FileType::kDirectory) throw FsError(rel + " is a directory");
    if (info->type == FileType::kSymlink) throw FsError(rel + " is a symbolic link (not supported)");
    if (info->type != FileType::kRegular) throw FsError(rel + " is not a regular file");
    entry.exists = true;
    entry.content = fs_->read_file(abs);
    entry.mode = info->mode;
  }
  return slots_.emplace(rel, Slot{entry, entry}).first->second;
}

const FileEntry& TreeView::get(const std::string& rel) { return slot(rel).current; }

std::string TreeView::id(const std::string& rel) {
  const FileEntry& e = get(rel);
  return e.exists ? blob_id(e.content) : "";
}

void TreeView::write(const std::string& rel, std::string content, unsigned mode) {
  Slot& s = slot(rel);
  s.current = FileEntry{true, std::move(content), mode};
}

void TreeView::remove(const std::string& rel) {
  Slot& s = slot(rel);
  s.current = FileEntry{};
}

std::vector<TreeChange> TreeView::changes() const {
  std::vector<TreeChange> out;
  for (const auto& [path, s] : slots_) {
    const bool same = s.original.exists == s.current.exists &&
                      (!s.current.exists ||
                       (s.original.content == s.current.content && s.original.mode == s.current.mode));
    if (!same) out.push_back(TreeChange{path, s.original, s.current});
  }
  return out;
}

}  // namespace umq
