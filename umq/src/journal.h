// All-or-nothing writes of many files, surviving SIGKILL at any point.
//
// Protocol, in <tree>/.umq-journal/:
//   1. mkdir; a backup "orig-N" of every file to change that exists now;
//      "manifest" (one line per file: N, existed, mode, path); then the
//      marker "prepared" (written as temp + rename, directory fsynced).
//   2. Each new file: "<dir>/.<name>.umq-tmp" written and fsynced, renamed
//      over the target; deletions unlink (and prune emptied directories).
//   3. The marker "committed" (temp + rename, fsynced).
//   4. Cleanup: "prepared" first, then backups and manifest, then "committed",
//      then the directory.
// Recovery (run by every command that writes, before anything else, and by
// `umq recover`; status and verify only describe it): "committed" present
// -> finish the cleanup; "prepared" present -> restore every file from the
// backups (idempotent), then clean up; neither -> nothing was touched yet (or
// everything is done): remove the directory.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "file_system.h"
#include "tree_view.h"

namespace umq {

inline constexpr const char* kJournalDir = ".umq-journal";

class Journal {
 public:
  // |step| runs after every file operation (tests use it to simulate a crash).
  using StepHook = std::function<void()>;
  Journal(FileSystem& fs, std::string root, StepHook step = {});

  bool pending();
  // Writes |changes| (their "after" state) atomically. On an I/O error it
  // rolls back what it had done and rethrows.
  void commit(const std::vector<TreeChange>& changes);
  // Rolls an interrupted run back or forward. Returns what it did, or "" if
  // there was no journal.
  std::string recover();
  // What an interrupted run left and what recover() would do, reading only;
  // "" if there is no journal.
  std::string describe_pending();

 private:
  struct Entry {
    size_t index = 0;
    bool existed = false;
    unsigned mode = 0644;
    std::string path;
  };
  std::string jpath(const std::string& name) const;
  std::string tpath(const std::string& rel) const;
  static std::string temp_for(const std::string& abs);
  void step();
  void write_marker(const std::string& name);
  std::vector<Entry> read_manifest();
  void restore(const std::vector<Entry>& entries);
  void cleanup();
  void prune_dirs(std::string dir);

  FileSystem& fs_;
  std::string root_;
  StepHook step_;
};

}  // namespace umq
