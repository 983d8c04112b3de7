// The file system behind an interface, so that everything above it can be
// tested on an in-memory fake (memory_file_system.h). Paths are plain strings
// handed to the OS as they are; callers join tree roots themselves.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace umq {

class FsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class FileType { kRegular, kDirectory, kSymlink, kOther };

struct FileInfo {
  FileType type = FileType::kRegular;
  unsigned mode = 0644;  // permission bits only
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Type and permissions of |path| (not following a final symlink), or
  // nullopt if it does not exist.
  virtual std::optional<FileInfo> stat(const std::string& path) = 0;
  virtual std::string read_file(const std::string& path) = 0;
  // Creates or truncates |path|, writes |data|, sets |mode| and fsyncs.
  virtual void write_file(const std::string& path, const std::string& data,
                          unsigned mode) = 0;
  virtual void rename(const std::string& from, const std::string& to) = 0;
  virtual void remove_file(const std::string& path) = 0;
  virtual void make_dir(const std::string& path) = 0;
  virtual void remove_dir(const std::string& path) = 0;  // must be empty
  // Names in |path| (no "." or ".."), sorted.
  virtual std::vector<std::string> list_dir(const std::string& path) = 0;
  virtual void chmod(const std::string& path, unsigned mode) = 0;
  // Makes directory entries (creations, renames, removals) in |path| durable.
  virtual void sync_dir(const std::string& path) = 0;
  // An exclusive advisory lock on directory |path|, held until the returned
  // object dies. Waits for another holder (after calling |on_wait| once).
  class Lock {
   public:
    virtual ~Lock() = default;
  };
  virtual std::unique_ptr<Lock> lock_dir(const std::string& path,
                                         const std::function<void()>& on_wait) = 0;

  bool exists(const std::string& path) { return stat(path).has_value(); }
  bool is_dir(const std::string& path);
  bool is_file(const std::string& path);
  // Creates |path| and its missing parents.
  void make_dirs(const std::string& path);
  // Every regular file below |dir| as a path relative to |dir|, sorted.
  std::vector<std::string> list_files_recursive(const std::string& dir);
};

// The real thing, on top of POSIX calls.
class RealFileSystem : public FileSystem {
 public:
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
};

// Path helpers (pure string operations).
std::string join_path(const std::string& a, const std::string& b);
std::string dir_name(const std::string& path);   // "" for a bare name
std::string base_name(const std::string& path);

}  // namespace umq
