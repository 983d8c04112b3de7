// The patch queue: the series file of a directory and its parsed patches.
#pragma once

#include <string>
#include <vector>

#include "file_system.h"
#include "patch.h"

namespace umq {

struct QueuedPatch {
  std::string name;    // as listed in the series file
  std::string number;  // "0004"
  Patch patch;         // patch.file is "<queue dir>/<name>" for messages
};

struct Queue {
  std::string dir;
  std::vector<QueuedPatch> patches;
  size_t size() const { return patches.size(); }
};

// Reads <dir>/series and every patch it lists. Throws ParseError (FILE:LINE)
// for malformed input and FsError when the series file is missing.
Queue load_queue(FileSystem& fs, const std::string& dir);

}  // namespace umq
