#include "format_patch.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "file_system.h"
#include "process_runner.h"

namespace umq {
namespace {

TEST(FormatPatch, SeriesTag) {
  const SeriesTag t = series_tag("Re: [PATCH v2 4/7] um: x");
  EXPECT_EQ(t.n, 4);
  EXPECT_EQ(t.m, 7);
  EXPECT_EQ(t.version, "v2");
  EXPECT_EQ(t.label(), "4/7");
  EXPECT_EQ(series_tag("[PATCH 0/7] cover").n, 0);
  EXPECT_TRUE(series_tag("[PATCH 0/7] cover").numbered());
  EXPECT_FALSE(series_tag("[RFC PATCH] x").numbered());
  EXPECT_FALSE(series_tag("um: 1/2 of a fix").numbered());
}

TEST(FormatPatch, NormalizeSubject) {
  EXPECT_EQ(normalize_subject("Re: [linux-um] [PATCH 4/7] um: x"), "[PATCH 4/7] um: x");
  EXPECT_EQ(normalize_subject("RE: Fwd: [RFC PATCH v2 1/2]  um: y "), "[RFC PATCH v2 1/2] um: y");
  EXPECT_EQ(normalize_subject("um: z"), "[PATCH] um: z");
}

TEST(FormatPatch, FileNamesLikeGit) {
  // Checked against git format-patch 2.39.
  EXPECT_EQ(patch_file_name(1, "um: skas: create a seccomp USER_NOTIF listener and hand it to the monitor"),
            "0001-um-skas-create-a-seccomp-USER_NOTIF-listener-and-han.patch");
  EXPECT_EQ(patch_file_name(4, "um: skas: handle out-of-batch stub mmap notifications"),
            "0004-um-skas-handle-out-of-batch-stub-mmap-notifications.patch");
  EXPECT_EQ(patch_file_name(12, "fix a...b  (again)..."), "0012-fix-a.b-again.patch");
  EXPECT_EQ(patch_file_name(3, "x", "v2"), "v2-0003-x.patch");
  EXPECT_EQ(patch_file_name(3, "---"), "0003-.patch");  // git does the same
}

TEST(FormatPatch, FoldsSubjectLikeGit) {
  EXPECT_EQ(fold_header("Subject: [PATCH 1/7] um: skas: create a seccomp USER_NOTIF listener and "
                        "hand it to the monitor"),
            (std::vector<std::string>{
                "Subject: [PATCH 1/7] um: skas: create a seccomp USER_NOTIF listener and hand",
                " it to the monitor"}));
  EXPECT_EQ(fold_header("Subject: [PATCH] short"), (std::vector<std::string>{"Subject: [PATCH] short"}));
}

Patch patch_with(std::vector<std::tuple<std::string, size_t, size_t>> files) {
  Patch p;
  for (const auto& [path, added, removed] : files) {
    FileDiff d;
    d.old_path = d.new_path = path;
    Hunk h;
    for (size_t i = 0; i < added; ++i) h.lines.push_back(HunkLine{'+', "x\n", 0});
    for (size_t i = 0; i < removed; ++i) h.lines.push_back(HunkLine{'-', "y\n", 0});
    d.hunks.push_back(h);
    p.files.push_back(d);
  }
  return p;
}

// Non-ASCII names and titles as git format-patch (2.39) writes them: RFC 2047
// Q-encoded words of UTF-8, broken before 76 columns, the address on a line
// of its own when it does not fit.
TEST(FormatPatch, EncodedHeadersLikeGit) {
  EXPECT_EQ(author_header("José García <jose@example.org>"),
            (std::vector<std::string>{"From: =?UTF-8?q?Jos=C3=A9=20Garc=C3=ADa?= <jose@example.org>"}));
  EXPECT_EQ(author_header("José García de la Fuente y Martínez-Olmedo Rodríguez "
                          "<jose.long.address@example.org>"),
            (std::vector<std::string>{"From: =?UTF-8?q?Jos=C3=A9=20Garc=C3=ADa=20de=20la=20Fuente=20y=20Mart?=",
                                      " =?UTF-8?q?=C3=ADnez-Olmedo=20Rodr=C3=ADguez?=",
                                      " <jose.long.address@example.org>"}));
  EXPECT_EQ(author_header("Cong Wang <cwang@multikernel.io>"),
            (std::vector<std::string>{"From: Cong Wang <cwang@multikernel.io>"}));
  EXPECT_EQ(subject_header("[PATCH] a: add b, as José asked"),
            (std::vector<std::string>{"Subject: [PATCH] =?UTF-8?q?a:=20add=20b,=20as=20Jos=C3=A9=20asked?="}));
  std::string e40;
  for (int i = 0; i < 40; ++i) e40 += "é";
  const auto folded = subject_header("[PATCH] x: " + e40);
  ASSERT_GE(folded.size(), 4u);
  EXPECT_EQ(folded[0], "Subject: [PATCH] =?UTF-8?q?x:=20=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9?=");
  EXPECT_EQ(folded[1], " =?UTF-8?q?=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9=C3=A9?=");
  EXPECT_EQ(subject_header("[PATCH 1/2] um: plain"), fold_header("Subject: [PATCH 1/2] um: plain"));
}

TEST(FormatPatch, Diffstat) {
  // The diffstat of the seeds' patch 1/7, as git wrote it.
  const Patch p = patch_with({{"arch/um/include/shared/skas/mm_id.h", 1, 0},
                              {"arch/um/kernel/skas/stub_exe.c", 8, 4},
                              {"arch/um/os-Linux/skas/process.c", 36, 2}});
  EXPECT_EQ(render_diffstat(p),
            " arch/um/include/shared/skas/mm_id.h |  1 +\n"
            " arch/um/kernel/skas/stub_exe.c      | 12 ++++++---\n"
            " arch/um/os-Linux/skas/process.c     | 38 +++++++++++++++++++++++++++--\n"
            " 3 files changed, 45 insertions(+), 6 deletions(-)\n");
  EXPECT_EQ(count_changes(p), (ChangeCounts{3, 45, 6}));
  EXPECT_EQ(render_diffstat(patch_with({{"a", 0, 1}})), " a | 1 -\n 1 file changed, 1 deletion(-)\n");
}

TEST(FormatPatch, DiffstatSummary) {
  EXPECT_EQ(parse_diffstat_summary(" 4 files changed, 35 insertions(+), 14 deletions(-)"),
            (ChangeCounts{4, 35, 14}));
  EXPECT_EQ(parse_diffstat_summary(" 1 file changed, 19 insertions(+)"), (ChangeCounts{1, 19, 0}));
  EXPECT_EQ(parse_diffstat_summary(" 1 file changed, 1 deletion(-)"), (ChangeCounts{1, 0, 1}));
  EXPECT_FALSE(parse_diffstat_summary(" arch/um/x.c | 3 ++-"));
  EXPECT_FALSE(parse_diffstat_summary("Body text, with commas"));
  EXPECT_EQ(ChangeCounts({1, 2, 3}).describe(), "1 file, +2 -3");
}

// Our diffstat against git's own, on a commit with a scaled graph, a long
// name, a new file, a mode change and a rename.
TEST(FormatPatch, DiffstatMatchesGit) {
  RealProcessRunner run;
  if (run.run({"git", "--version"}, "").exit_code != 0) GTEST_SKIP() << "no git";
  char tmpl[] = "/tmp/umq-diffstat-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  RealFileSystem fs;
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-c", "user.name=T", "-c", "user.email=t@example.org"});
    const ProcessResult r = run.run(args, dir);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  auto write = [&](const std::string& path, const std::string& data, unsigned mode = 0644) {
    fs.make_dirs(dir_name(join_path(dir, path)));
    fs.write_file(join_path(dir, path), data, mode);
  };
  const std::string long_name = "arch/um/a/very/long/directory/name/for/the/diffstat/truncation/file.c";
  std::string lines, readme;
  for (int i = 0; i < 10; ++i) lines += "line " + std::to_string(i) + "\n";
  for (int i = 0; i < 20; ++i) readme += "readme " + std::to_string(i) + "\n";
  git({"init", "-q"});
  write(long_name, lines);
  write("tools/run.sh", "echo\n");
  write("docs/old/readme.txt", readme);
  git({"add", "."});
  git({"commit", "-qm", "base"});
  std::string more = "line 0\n";
  for (int i = 0; i < 150; ++i) more += "added " + std::to_string(i) + "\n";
  for (int i = 4; i < 10; ++i) more += "line " + std::to_string(i) + "\n";
  write(long_name, more);
  write("src/x.c", "a\nb\n");
  fs.chmod(join_path(dir, "tools/run.sh"), 0755);
  fs.make_dirs(join_path(dir, "docs/new"));
  git({"mv", "docs/old/readme.txt", "docs/new/readme.txt"});
  write("docs/new/readme.txt", "changed\n" + readme.substr(readme.find('\n') + 1));
  git({"add", "-A"});
  git({"commit", "-qm", "change"});
  const std::string mail = git({"format-patch", "-1", "--stdout"});
  run.run({"rm", "-rf", dir}, "");
  const size_t begin = mail.find("\n---\n") + 5;
  const size_t end = mail.find("\n\ndiff --git");
  ASSERT_LT(begin, end);
  const Patch p = parse_patch(mail, "git.patch");
  EXPECT_EQ(render_diffstat(p), mail.substr(begin, end - begin + 1));
}

}  // namespace
}  // namespace umq
