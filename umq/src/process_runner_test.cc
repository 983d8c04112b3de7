#include "process_runner.h"

#include <gtest/gtest.h>

namespace umq {
namespace {

TEST(RealProcessRunner, CapturesOutputAndExitCode) {
  RealProcessRunner runner;
  auto r = runner.run({"sh", "-c", "echo out; echo err >&2; exit 3"}, "");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(RealProcessRunner, RunsInDirectoryAndReportsMissingProgram) {
  RealProcessRunner runner;
  EXPECT_EQ(runner.run({"pwd"}, "/tmp").out, "/tmp\n");
  auto r = runner.run({"umq-no-such-program-xyz"}, "");
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("cannot run"), std::string::npos);
}

TEST(FakeProcessRunner, RecordsCalls) {
  FakeProcessRunner fake([](const auto&, const auto&) { return ProcessResult{0, "x", ""}; });
  EXPECT_EQ(fake.run({"git", "apply"}, "/t").out, "x");
  ASSERT_EQ(fake.calls.size(), 1u);
  EXPECT_EQ(fake.calls[0][0], "git");
}

}  // namespace
}  // namespace umq
