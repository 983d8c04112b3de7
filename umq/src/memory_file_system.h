// An in-memory FileSystem for unit tests. Directories are explicit; writing a
// file whose parent directory is missing fails like the real thing. It can be
// told to fail the Nth mutating call, to test error paths.
#pragma once

#include <map>
#include <set>
#include <string>

#include "file_system.h"

namespace umq {

class MemoryFileSystem : public FileSystem {
 public:
  MemoryFileSystem();

  std::optional<FileInfo> stat(const std::string& path) override;
  std::string read_file(const std::string& path) override;
  void write_file(const std::string& path, const std::string& data,
                  unsigned mode) override;
  void rename(const std::string& from, const std::string& to) override;
  void remove_file(const std::string& path) override;
  void make_dir(const std::string& path) override;
  void remove_dir(const std::string& path) override;
  std::vector<std::string> list_dir(const std::string& path) override;
  void chmod(const std::string& path, unsigned mode) override;
  void sync_dir(const std::string& path) override;
  std::unique_ptr<Lock> lock_dir(const std::string& path,
                                 const std::function<void()>& on_wait) override;

  // Test helpers: add a file creating its parents; snapshot everything.
  void add_file(const std::string& path, const std::string& data, unsigned mode = 0644);
  struct File {
    std::string data;
    unsigned mode = 0644;
    bool operator==(const File&) const = default;
  };
  struct Snapshot {
    std::map<std::string, File> files;
    std::set<std::string> dirs;
    bool operator==(const Snapshot&) const = default;
  };
  Snapshot snapshot() const { return {files_, dirs_}; }
  // The Nth mutating call from now (1-based) throws FsError; 0 disables.
  void fail_on_mutation(int n) { fail_countdown_ = n; }
  int mutations() const { return mutations_; }

 private:
  void mutate(const std::string& what, const std::string& path);
  void require_parent(const std::string& path);

  std::map<std::string, File> files_;
  std::set<std::string> dirs_;
  int fail_countdown_ = 0;
  int mutations_ = 0;
};

}  // namespace umq
