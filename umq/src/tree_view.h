// An in-memory, copy-on-write view of some files of a tree on a FileSystem.
// Patches are applied to a view; nothing reaches the disk until its changes
// are handed to a Journal.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "file_system.h"

namespace umq {

struct FileEntry {
  bool exists = false;
  std::string content;
  unsigned mode = 0644;  // permission bits
  bool operator==(const FileEntry&) const = default;
};

struct TreeChange {
  std::string path;  // relative to the tree root
  FileEntry before;
  FileEntry after;
};

class TreeView {
 public:
  TreeView(FileSystem& fs, std::string root);

  const std::string& root() const { return root_; }
  FileSystem& fs() const { return *fs_; }

  // Throws FsError for directories, symlinks and other non-regular files.
  const FileEntry& get(const std::string& rel);
  bool exists(const std::string& rel) { return get(rel).exists; }
  // Full blob id of the current content, or "" if the file does not exist.
  std::string id(const std::string& rel);

  void write(const std::string& rel, std::string content, unsigned mode);
  void remove(const std::string& rel);

  // Files whose current state differs from the disk, sorted by path.
  std::vector<TreeChange> changes() const;

 private:
  struct Slot {
    FileEntry original;
    FileEntry current;
  };
  Slot& slot(const std::string& rel);

  FileSystem* fs_;
  std::string root_;
  std::map<std::string, Slot> slots_;
};

}  // namespace umq
