#include "file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>

namespace umq {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw FsError(what + " " + path + ": " + std::strerror(errno));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

bool FileSystem::is_dir(const std::string& path) {
  auto info = stat(path);
  return info && info->type == FileType::kDirectory;
}

bool FileSystem::is_file(const std::string& path) {
  auto info = stat(path);
  return info && info->type == FileType::kRegular;
}

void FileSystem::make_dirs(const std::string& path) {
  if (path.empty() || is_dir(path)) return;
  make_dirs(dir_name(path));
  make_dir(path);
}

std::vector<std::string> FileSystem::list_files_recursive(const std::string& dir) {
  std::vector<std::string> out;
  std::function<void(const std::string&)> walk = [&](const std::string& rel) {
    const std::string abs = rel.empty() ? dir : join_path(dir, rel);
    for (const std::string& name : list_dir(abs)) {
      const std::string child = rel.empty() ? name : join_path(rel, name);
      auto info = stat(join_path(dir, child));
      if (!info) continue;
      if (info->type == FileType::kDirectory) {
        walk(child);
      } else if (info->type == FileType::kRegular) {
        out.push_back(child);
      }
    }
  };
  if (is_dir(dir)) walk("");
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<FileInfo> RealFileSystem::stat(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    fail("cannot stat", path);
  }
  FileInfo info;
  info.mode = static_cast<unsigned>(st.st_mode) & 07777u;
  if (S_ISREG(st.st_mode)) {
    info.type = FileType::kRegular;
  } else if (S_ISDIR(st.st_mode)) {
    info.type = FileType::kDirectory;
  } else if (S_ISLNK(st.st_mode)) {
    info.type = FileType::kSymlink;
  } else {
    info.type = FileType::kOther;
  }
  return info;
}

std::string RealFileSystem::read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open", path);
  std::string data;
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && st.st_size > 0) {
    data.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot read", path);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

void RealFileSystem::write_file(const std::string& path, const std::string& data,
                                unsigned mode) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
               static_cast<mode_t>(mode)));
  if (fd.get() < 0) fail("cannot create", path);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) fail("cannot chmod", path);
  if (::fsync(fd.get()) != 0) fail("cannot fsync", path);
}

void RealFileSystem::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) fail("cannot rename " + from + " to", to);
}

void RealFileSystem::remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0) fail("cannot remove", path);
}

void RealFileSystem::make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0) fail("cannot create directory", path);
}

void RealFileSystem::remove_dir(const std::string& path) {
  if (::rmdir(path.c_str()) != 0) fail("cannot remove directory", path);
}

std::vector<std::string> RealFileSystem::list_dir(const std::string& path) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), &::closedir);
  if (!dir) fail("cannot list", path);
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir.get())) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

void RealFileSystem::chmod(const std::string& path, unsigned mode) {
  if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) fail("cannot chmod", path);
}

void RealFileSystem::sync_dir(const std::string& path) {
  Fd fd(::open(path.empty() ? "." : path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open directory", path);
  if (::fsync(fd.get()) != 0 && errno != EINVAL) fail("cannot fsync directory", path);
}

namespace {

class FlockLock : public FileSystem::Lock {
 public:
  explicit FlockLock(int fd) : fd_(fd) {}
  ~FlockLock() override { ::close(fd_); }  // closing releases the lock

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<FileSystem::Lock> RealFileSystem::lock_dir(
    const std::string& path, const std::function<void()>& on_wait) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open directory", path);
  auto lock = std::make_unique<FlockLock>(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return lock;
  if (errno != EWOULDBLOCK) fail("cannot lock", path);
  if (on_wait) on_wait();
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) fail("cannot lock", path);
  }
  return lock;
}

std::string join_path(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

std::string dir_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace umq
