#include "verify.h"

#include <gtest/gtest.h>

#include "test_queue.h"

namespace umq {
namespace {

using testing_util::TestQueue;

TEST(Verify, PristineAndFullyAppliedTreesPass) {
  for (int k : {0, 1, 3}) {
    MemoryFileSystem fs;
    TestQueue::write_queue(fs);
    TestQueue::write_tree(fs, k);
    TreeView view(fs, "/t");
    const VerifyResult r = verify_series(view, load_queue(fs, "/q"), static_cast<size_t>(k));
    EXPECT_TRUE(r.ok()) << k << ": " << (r.ok() ? "" : r.issues[0].describe());
    EXPECT_EQ(r.ids_checked, 8u);  // 4 file diffs x (pre + post)
  }
}

TEST(Verify, ReportsPatchFileExpectedAndActual) {
  MemoryFileSystem fs;
  TestQueue::write_queue(fs);
  TestQueue::write_tree(fs, 0);
  fs.add_file("/t/b.c", "# hdr\nx\ny\n");  // still applies (at an offset), but its id differs
  TreeView view(fs, "/t");
  const VerifyResult r = verify_series(view, load_queue(fs, "/q"), 0);
  ASSERT_EQ(r.issues.size(), 2u);
  EXPECT_EQ(r.issues[0].patch, "/q/0003-b.patch");
  EXPECT_EQ(r.issues[0].file, "b.c");
  EXPECT_EQ(r.issues[0].what, "preimage");
  EXPECT_EQ(r.issues[0].expected, testing_util::short_id(TestQueue::kB0));
  EXPECT_EQ(r.issues[0].actual, blob_id("# hdr\nx\ny\n").substr(0, 12));
  EXPECT_EQ(r.issues[1].what, "postimage");
  EXPECT_EQ(fs.read_file("/t/b.c"), "# hdr\nx\ny\n");  // nothing written
}

TEST(Verify, ApplyFailureIsReported) {
  MemoryFileSystem fs;
  TestQueue::write_queue(fs);
  TestQueue::write_tree(fs, 3);
  fs.add_file("/t/c.c", "edited\n");
  TreeView view(fs, "/t");
  const VerifyResult r = verify_series(view, load_queue(fs, "/q"), 3);
  ASSERT_FALSE(r.ok());
  bool saw_apply = false;
  for (const VerifyIssue& i : r.issues) saw_apply |= i.what == "apply" && i.patch == "/q/0002-c.patch";
  EXPECT_TRUE(saw_apply);
}

}  // namespace
}  // namespace umq
