#include "journal.h"

#include <fmt/format.h>

#include <charconv>
#include <set>

#include "lines.h"

namespace umq {

Journal::Journal(FileSystem& fs, std::string root, StepHook step)
    : fs_(fs), root_(std::move(root)), step_(std::move(step)) {}

std::string Journal::jpath(const std::string& name) const {
  return join_path(join_path(root_, kJournalDir), name);
}

std::string Journal::tpath(const std::string& rel) const { return join_path(root_, rel); }

std::string Journal::temp_for(const std::string& abs) {
  return join_path(dir_name(abs), "." + base_name(abs) + ".umq-tmp");
}

void Journal::step() {
  if (step_) step_();
}

bool Journal::pending() { return fs_.exists(join_path(root_, kJournalDir)); }

void Journal::write_marker(const std::string& name) {
  fs_.write_file(jpath(name + ".tmp"), name + "\n", 0644);
  fs_.rename(jpath(name + ".tmp"), jpath(name));
  fs_.sync_dir(join_path(root_, kJournalDir));
}

void Journal::commit(const std::vector<TreeChange>& changes) {
  if (changes.empty()) return;
  if (pending()) throw FsError("an interrupted umq run must be recovered first");
  const std::string jdir = join_path(root_, kJournalDir);
  fs_.make_dir(jdir);
  fs_.sync_dir(root_);
  step();

  std::string manifest;
  for (size_t i = 0; i < changes.size(); ++i) {
    const std::string& rel = changes[i].path;
    if (rel.find('\n') != std::string::npos) throw FsError("newline in path: " + rel);
    const std::string abs = tpath(rel);
    const auto info = fs_.stat(abs);
    if (info && info->type != FileType::kRegular) throw FsError(rel + " is not a regular file");
    if (info) {
      fs_.write_file(jpath(fmt::format("orig-{}", i)), fs_.read_file(abs), 0600);
      step();
    }
    manifest += fmt::format("{} {} {:o} {}\n", i, info ? 1 : 0, info ? info->mode : 0644u, rel);
  }
  fs_.write_file(jpath("manifest"), manifest, 0644);
  step();
  write_marker("prepared");
  step();

  try {
    std::set<std::string> dirs;
    for (const TreeChange& c : changes) {
      const std::string abs = tpath(c.path);
      const std::string dir = dir_name(abs);
      if (c.after.exists) {
        fs_.make_dirs(dir);
        const std::string tmp = temp_for(abs);
        fs_.write_file(tmp, c.after.content, c.after.mode);
        step();
        fs_.rename(tmp, abs);
        step();
      } else {
        if (fs_.exists(abs)) fs_.remove_file(abs);
        step();
        prune_dirs(dir);
      }
      dirs.insert(fs_.is_dir(dir) ? dir : root_);
    }
    for (const std::string& d : dirs) fs_.sync_dir(d);
    write_marker("committed");
    step();
  } catch (const FsError&) {
    try {
      recover();
    } catch (const FsError&) {
      // The journal stays; the next run retries the rollback.
    }
    throw;
  }
  cleanup();
}

std::vector<Journal::Entry> Journal::read_manifest() {
  std::vector<Entry> entries;
  const std::string text = fs_.read_file(jpath("manifest"));
  for (std::string_view line : split_lines(text)) {
    line = chomp(line);
    Entry e;
    int existed = 0;
    const char* p = line.data();
    const char* end = line.data() + line.size();
    auto num = [&](auto& out, int base) {
      auto r = std::from_chars(p, end, out, base);
      if (r.ec != std::errc() || r.ptr == end || *r.ptr != ' ') {
        throw FsError("corrupt journal manifest line: " + std::string(line));
      }
      p = r.ptr + 1;
    };
    num(e.index, 10);
    num(existed, 10);
    num(e.mode, 8);
    e.existed = existed != 0;
    e.path.assign(p, end);
    if (e.path.empty()) throw FsError("corrupt journal manifest");
    entries.push_back(std::move(e));
  }
  return entries;
}

void Journal::restore(const std::vector<Entry>& entries) {
  for (const Entry& e : entries) {
    const std::string abs = tpath(e.path);
    const std::string tmp = temp_for(abs);
    if (fs_.exists(tmp)) {
      fs_.remove_file(tmp);
      step();
    }
    if (e.existed) {
      const std::string backup = jpath(fmt::format("orig-{}", e.index));
      const std::string data = fs_.read_file(backup);
      const auto info = fs_.stat(abs);
      if (info && info->type == FileType::kRegular && info->mode == e.mode &&
          fs_.read_file(abs) == data) {
        continue;  // already as it was
      }
      fs_.make_dirs(dir_name(abs));
      fs_.write_file(tmp, data, e.mode);
      step();
      fs_.rename(tmp, abs);
      step();
      fs_.sync_dir(dir_name(abs));
    } else {
      if (fs_.exists(abs)) {
        fs_.remove_file(abs);
        step();
      }
      prune_dirs(dir_name(abs));
    }
  }
}

// Removes |dir| and its ancestors below the root while they are empty,
// starting from the deepest one that still exists (a crash may have removed
// the deeper ones already).
void Journal::prune_dirs(std::string dir) {
  while (dir.size() > root_.size() && dir != root_) {
    if (fs_.is_dir(dir)) {
      if (!fs_.list_dir(dir).empty()) return;
      fs_.remove_dir(dir);
      step();
    }
    dir = dir_name(dir);
  }
}

void Journal::cleanup() {
  const std::string jdir = join_path(root_, kJournalDir);
  if (fs_.exists(jpath("prepared"))) {
    fs_.remove_file(jpath("prepared"));
    fs_.sync_dir(jdir);
    step();
  }
  for (const std::string& name : fs_.list_dir(jdir)) {
    if (name == "committed") continue;
    fs_.remove_file(jpath(name));
    step();
  }
  if (fs_.exists(jpath("committed"))) {
    fs_.remove_file(jpath("committed"));
    step();
  }
  fs_.remove_dir(jdir);
  fs_.sync_dir(root_);
  step();
}

std::string Journal::describe_pending() {
  if (!pending()) return "";
  const std::string where =
      "an interrupted umq run left its journal in " + join_path(root_, kJournalDir) + ": ";
  if (fs_.exists(jpath("committed"))) {
    return where + "all its changes had been written; recovering removes the journal";
  }
  if (fs_.exists(jpath("prepared"))) {
    std::string files = "its files";
    try {
      files = "its " + count_of(read_manifest().size(), "file");
    } catch (const FsError&) {
      // A damaged manifest: recover() will say so.
    }
    return where + "it may have changed some of " + files +
           "; recovering restores them to their state before it";
  }
  return where + "it had changed no file yet; recovering removes the journal";
}

std::string Journal::recover() {
  if (!pending()) return "";
  if (fs_.exists(jpath("committed"))) {
    cleanup();
    return "completed an interrupted umq run: all its changes had been written; removed its journal";
  }
  if (fs_.exists(jpath("prepared"))) {
    const std::vector<Entry> entries = read_manifest();
    restore(entries);
    cleanup();
    return fmt::format("rolled back an interrupted umq run: restored {} to their state before it",
                       count_of(entries.size(), "file"));
  }
  cleanup();
  return "removed the journal of an umq run interrupted before it changed any file";
}

}  // namespace umq
