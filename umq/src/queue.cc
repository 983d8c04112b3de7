#include "queue.h"

#include "series.h"

namespace umq {

Queue load_queue(FileSystem& fs, const std::string& dir) {
  Queue queue;
  queue.dir = dir;
  const std::string series_path = join_path(dir, "series");
  if (!fs.is_file(series_path)) {
    throw FsError("no series file: " + series_path + " (use --queue DIR)");
  }
  const auto entries = parse_series(fs.read_file(series_path), series_path);
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string path = join_path(dir, entries[i].name);
    if (!fs.is_file(path)) {
      throw ParseError(series_path, entries[i].line, "patch file not found: " + path);
    }
    queue.patches.push_back(QueuedPatch{entries[i].name, patch_number(entries[i].name, i + 1),
                                        parse_patch(fs.read_file(path), path)});
  }
  return queue;
}

}  // namespace umq
