#include "memory_file_system.h"

namespace umq {

MemoryFileSystem::MemoryFileSystem() { dirs_.insert("/"); }

void MemoryFileSystem::mutate(const std::string& what, const std::string& path) {
  ++mutations_;
  if (fail_countdown_ > 0 && --fail_countdown_ == 0) {
    throw FsError("injected failure: " + what + " " + path);
  }
}

void MemoryFileSystem::require_parent(const std::string& path) {
  const std::string parent = dir_name(path);
  if (!parent.empty() && !dirs_.count(parent)) {
    throw FsError("no such directory: " + parent);
  }
}

std::optional<FileInfo> MemoryFileSystem::stat(const std::string& path) {
  if (auto it = files_.find(path); it != files_.end()) {
    return FileInfo{FileType::kRegular, it->second.mode};
  }
  if (dirs_.count(path)) return FileInfo{FileType::kDirectory, 0755};
  return std::nullopt;
}

std::string MemoryFileSystem::read_file(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) throw FsError("cannot open " + path + ": No such file");
  return it->second.data;
}

void MemoryFileSystem::write_file(const std::string& path, const std::string& data,
                                  unsigned mode) {
  mutate("write", path);
  require_parent(path);
  if (dirs_.count(path)) throw FsError("is a directory: " + path);
  files_[path] = File{data, mode};
}

void MemoryFileSystem::rename(const std::string& from, const std::string& to) {
  mutate("rename", from);
  auto it = files_.find(from);
  if (it == files_.end()) throw FsError("cannot rename " + from + ": No such file");
  require_parent(to);
  File file = it->second;
  files_.erase(it);
  files_[to] = std::move(file);
}

void MemoryFileSystem::remove_file(const std::string& path) {
  mutate("remove", path);
  if (files_.erase(path) == 0) throw FsError("cannot remove " + path + ": No such file");
}

void MemoryFileSystem::make_dir(const std::string& path) {
  mutate("mkdir", path);
  require_parent(path);
  if (dirs_.count(path) || files_.count(path)) throw FsError("exists: " + path);
  dirs_.insert(path);
}

void MemoryFileSystem::remove_dir(const std::string& path) {
  mutate("rmdir", path);
  if (!dirs_.count(path)) throw FsError("no such directory: " + path);
  if (!list_dir(path).empty()) throw FsError("directory not empty: " + path);
  dirs_.erase(path);
}

std::vector<std::string> MemoryFileSystem::list_dir(const std::string& path) {
  if (!dirs_.count(path)) throw FsError("cannot list " + path);
  const std::string prefix = path == "/" ? "/" : path + "/";
  std::set<std::string> names;
  auto collect = [&](const std::string& p) {
    if (p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0 &&
        p.find('/', prefix.size()) == std::string::npos) {
      names.insert(p.substr(prefix.size()));
    }
  };
  for (const auto& [p, f] : files_) collect(p);
  for (const auto& d : dirs_) collect(d);
  return {names.begin(), names.end()};
}

void MemoryFileSystem::chmod(const std::string& path, unsigned mode) {
  mutate("chmod", path);
  auto it = files_.find(path);
  if (it == files_.end()) throw FsError("cannot chmod " + path);
  it->second.mode = mode;
}

void MemoryFileSystem::sync_dir(const std::string& path) {
  if (!dirs_.count(path.empty() ? "/" : path)) throw FsError("cannot sync " + path);
}

std::unique_ptr<FileSystem::Lock> MemoryFileSystem::lock_dir(
    const std::string& path, const std::function<void()>& on_wait) {
  (void)on_wait;  // single-threaded tests never wait
  if (!dirs_.count(path)) throw FsError("cannot lock " + path);
  return std::make_unique<Lock>();
}

void MemoryFileSystem::add_file(const std::string& path, const std::string& data,
                                unsigned mode) {
  const int saved = fail_countdown_;
  fail_countdown_ = 0;
  make_dirs(dir_name(path));
  files_[path] = File{data, mode};
  fail_countdown_ = saved;
}

}  // namespace umq
