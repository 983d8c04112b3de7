// Test helper: a three-patch queue on an in-memory tree, with real blob ids
// on the index lines, plus the expected tree contents in every state.
#pragma once

#include <string>

#include "blob_id.h"
#include "memory_file_system.h"

namespace umq::testing_util {

inline std::string short_id(const std::string& content, bool absent = false) {
  return absent ? "0000000" : blob_id(content).substr(0, 12);
}

inline std::string modify(const std::string& path, const std::string& before,
                          const std::string& after, const std::string& hunks) {
  return "diff --git a/" + path + " b/" + path + "\nindex " + short_id(before) + ".." +
         short_id(after) + " 100644\n--- a/" + path + "\n+++ b/" + path + "\n" + hunks;
}

inline std::string create(const std::string& path, const std::string& after,
                          const std::string& hunks) {
  return "diff --git a/" + path + " b/" + path + "\nnew file mode 100644\nindex 0000000.." +
         short_id(after) + "\n--- /dev/null\n+++ b/" + path + "\n" + hunks;
}

inline std::string mail(int n, const std::string& subject, const std::string& diffs) {
  return "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
         "From: Test <test@example.org>\nSubject: [PATCH " +
         std::to_string(n) + "/3] " + subject + "\n\nBody.\n---\n" + diffs + "-- \n2.43.0\n";
}

// States: 0 pristine, 1: a.c two->TWO, 2: + new c.c, 3: b.c y->Y and a.c three->THREE.
struct TestQueue {
  static constexpr const char* kA0 = "one\ntwo\nthree\n";
  static constexpr const char* kA1 = "one\nTWO\nthree\n";
  static constexpr const char* kA3 = "one\nTWO\nTHREE\n";
  static constexpr const char* kB0 = "x\ny\n";
  static constexpr const char* kB3 = "x\nY\n";
  static constexpr const char* kC = "new c\n";

  static void write_tree(MemoryFileSystem& fs, int state, const std::string& root = "/t") {
    fs.add_file(root + "/Makefile", "VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 4\nEXTRAVERSION =\n");
    fs.add_file(root + "/a.c", state == 0 ? kA0 : state < 3 ? kA1 : kA3);
    fs.add_file(root + "/b.c", state < 3 ? kB0 : kB3);
    if (state >= 2) fs.add_file(root + "/c.c", kC);
  }

  static void write_queue(MemoryFileSystem& fs, const std::string& dir = "/q") {
    fs.add_file(dir + "/series", "# test series\n0001-a.patch\n0002-c.patch\n0003-b.patch\n");
    fs.add_file(dir + "/0001-a.patch",
                mail(1, "a: two", modify("a.c", kA0, kA1, "@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n")));
    fs.add_file(dir + "/0002-c.patch", mail(2, "c: new", create("c.c", kC, "@@ -0,0 +1 @@\n+new c\n")));
    fs.add_file(dir + "/0003-b.patch",
                mail(3, "b and a",
                     modify("b.c", kB0, kB3, "@@ -1,2 +1,2 @@\n x\n-y\n+Y\n") +
                         modify("a.c", kA1, kA3, "@@ -1,3 +1,3 @@\n one\n TWO\n-three\n+THREE\n")));
  }
};

}  // namespace umq::testing_util
