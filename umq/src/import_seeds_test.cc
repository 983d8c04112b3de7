// "umq import" on the real thing: the linux-um archive pages of a partial
// 7-patch series (1/7, 4/7, 5/7, 6/7 and a review thread) in the shared seeds
// folder, checked against the pristine kernel tree, and 1/7 run through
// "git am". Skipped when the seeds (or the tree, or git) are not there.
// UMQ_SEEDS_DIR and UMQ_PRISTINE_TREE override the default places: the
// shared folder beside the repository (../shared/seeds), and the tree that
// scripts/fetch-base.sh extracted (named by the linux-*.done stamp it leaves
// in ${UMLSEC_CACHE:-~/.cache/uml-seccomp}).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <unistd.h>

#include <cstdlib>
#include <map>

#include "file_system.h"
#include "import.h"
#include "patch.h"
#include "process_runner.h"

namespace umq {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Where fetch-base.sh put the pristine tree: the first linux-*.done stamp in
// its cache names it. "" when there is none.
std::string fetched_base(FileSystem& fs) {
  const char* home = std::getenv("HOME");
  const std::string cache = env_or("UMLSEC_CACHE", join_path(home ? home : "", ".cache/uml-seccomp"));
  if (!fs.is_dir(cache)) return "";
  for (const std::string& f : fs.list_dir(cache)) {
    if (f.rfind("linux-", 0) != 0 || f.size() < 11 || f.substr(f.size() - 5) != ".done") continue;
    std::string dir = fs.read_file(join_path(cache, f));
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ')) dir.pop_back();
    if (fs.is_dir(dir)) return dir;
  }
  return "";
}

class ImportSeeds : public testing::Test {
 protected:
  void SetUp() override {
    seeds_ = env_or("UMQ_SEEDS_DIR", join_path(UMQ_SOURCE_DIR, "../../shared/seeds"));
    if (!fs_.is_dir(seeds_)) {
      GTEST_SKIP() << "seeds folder " << seeds_
                   << " is absent (set UMQ_SEEDS_DIR): the archive import test needs the real "
                      "linux-um messages";
    }
    for (const std::string& f : fs_.list_dir(seeds_)) {
      if (f.size() > 4 && f.substr(f.size() - 4) == ".txt") inputs_.push_back(join_path(seeds_, f));
    }
    char tmpl[] = "/tmp/umq-seeds-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
  }
  void TearDown() override {
    if (!tmp_.empty()) runner_.run({"rm", "-rf", tmp_}, "");
  }
  ImportReport import(const std::string& tree) {
    ImportOptions o;
    o.inputs = inputs_;
    o.output_dir = join_path(tmp_, "imported");
    o.base_tree = tree;
    return import_mails(fs_, o);
  }
  std::map<int, const ImportedPatch*> by_part(const ImportReport& r) {
    std::map<int, const ImportedPatch*> parts;
    for (const ImportedPatch& p : r.patches) {
      if (p.outcome == ImportedPatch::Outcome::kImported) parts[p.tag.n] = &p;
    }
    return parts;
  }

  RealFileSystem fs_;
  RealProcessRunner runner_;
  std::string seeds_, pristine_, tmp_;
  std::vector<std::string> inputs_;
};

// The tests that also need the pristine base: a skip in SetUp ends the test.
class ImportSeedsOnBase : public ImportSeeds {
 protected:
  void SetUp() override {
    ImportSeeds::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    pristine_ = env_or("UMQ_PRISTINE_TREE", fetched_base(fs_));
    if (pristine_.empty()) {
      GTEST_SKIP() << "no pristine tree: scripts/fetch-base.sh has not run (no linux-*.done stamp in "
                      "the cache) and UMQ_PRISTINE_TREE is not set";
    }
    if (!fs_.is_dir(pristine_)) {
      GTEST_SKIP() << "pristine tree " << pristine_ << " is absent (set UMQ_PRISTINE_TREE)";
    }
  }
};

const std::map<int, std::string> kTitles = {
    {1, "um: skas: create a seccomp USER_NOTIF listener and hand it to the monitor"},
    {4, "um: skas: handle out-of-batch stub mmap notifications"},
    {5, "um: skas: validate stub munmap() against the guest address range"},
    {6, "um: skas: kill stubs that block SIGALRM via a watchdog thread"},
};

TEST_F(ImportSeeds, AuthorsTrailersAndThePartialSeries) {
  const ImportReport r = import("");
  EXPECT_EQ(r.imported, 4u);
  EXPECT_EQ(r.skipped, 1u);
  EXPECT_EQ(r.failed, 0u);
  const auto parts = by_part(r);
  ASSERT_EQ(parts.size(), 4u);
  for (const auto& [n, p] : parts) {
    SCOPED_TRACE(p->source);
    EXPECT_EQ(p->tag.m, 7);
    EXPECT_EQ(p->author, "Cong Wang <cwang@multikernel.io>");
    const std::string text = fs_.read_file(join_path(join_path(tmp_, "imported"), p->output));
    EXPECT_EQ(text.substr(0, 110),
              "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
              "From: Cong Wang <cwang@multikernel.io>\n");
    EXPECT_NE(text.find("\nSigned-off-by: Cong Wang <cwang@multikernel.io>\n---\n"), std::string::npos);
    EXPECT_NE(text.find("\nAssisted-by: Claude:claude-opus-4.8\n"), std::string::npos);
    EXPECT_EQ(text.find(" at multikernel.io"), std::string::npos);
    EXPECT_EQ(text.find("More information about"), std::string::npos);
    EXPECT_EQ(text.substr(text.size() - 13), "\n-- \n2.43.0\n\n");
    EXPECT_EQ(parse_patch(text, p->output).subject, "[PATCH " + std::to_string(n) + "/7] " + kTitles.at(n));
  }
  EXPECT_EQ(r.series.at(0), "series of 7: have 1, 4, 5, 6; missing 2, 3, 7");
  const ImportedPatch& review = r.patches.back();
  EXPECT_EQ(review.outcome, ImportedPatch::Outcome::kSkipped);
  EXPECT_NE(review.source.find("003_"), std::string::npos);
  EXPECT_NE(review.skipped_because.find("not a patch (no diff in it)"), std::string::npos);
}

TEST_F(ImportSeedsOnBase, FirstPartIsVerifiedTheRestStandOnTheMissingParts) {
  const ImportReport r = import(pristine_);
  EXPECT_EQ(r.exit_code(), 0);
  const auto parts = by_part(r);
  ASSERT_EQ(parts.size(), 4u);
  const ImportedPatch& first = *parts.at(1);
  EXPECT_TRUE(first.stands_on.empty());
  EXPECT_TRUE(first.errors.empty());
  size_t proven = 0;
  for (const std::string& v : first.verified) proven += v.find("matches the base, applies, postimage") != std::string::npos;
  EXPECT_EQ(proven, 3u);
  for (int n : {4, 5, 6}) {
    SCOPED_TRACE(n);
    EXPECT_EQ(parts.at(n)->stands_on, (std::set<int>{2, 3}));
    EXPECT_TRUE(parts.at(n)->errors.empty());
  }
  EXPECT_EQ(r.series, (std::vector<std::string>{"series of 7: have 1, 4, 5, 6; missing 2, 3, 7",
                                                "  1/7 is verified against the base",
                                                "  4/7, 5/7, 6/7 stand on missing 2/7, 3/7"}));
}

// 1/7 as imported goes through "git am" onto a repository holding only the
// files it touches (copied from the pristine tree), with the postimage ids
// it claims; and "git format-patch" of the result gives back the same bytes.
TEST_F(ImportSeedsOnBase, FirstPartGitAmsOntoTheBase) {
  if (runner_.run({"git", "--version"}, "").exit_code != 0) GTEST_SKIP() << "no git";
  const ImportReport r = import(pristine_);
  const auto parts = by_part(r);
  ASSERT_TRUE(parts.count(1));
  const std::string patch_file = join_path(join_path(tmp_, "imported"), parts.at(1)->output);
  const std::string text = fs_.read_file(patch_file);
  const Patch patch = parse_patch(text, patch_file);
  ASSERT_EQ(patch.files.size(), 3u);

  const std::string repo = join_path(tmp_, "repo");
  fs_.make_dir(repo);
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-c", "user.name=umq test", "-c", "user.email=umq@example.org",
                               "-c", "core.abbrev=12", "-c", "commit.gpgsign=false"});
    const ProcessResult res = runner_.run(args, repo);
    EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
    return res.out;
  };
  git({"init", "-q"});
  for (const FileDiff& d : patch.files) {
    const std::string src = join_path(pristine_, d.old_path);
    fs_.make_dirs(dir_name(join_path(repo, d.old_path)));
    fs_.write_file(join_path(repo, d.old_path), fs_.read_file(src), fs_.stat(src)->mode);
  }
  git({"add", "."});
  git({"commit", "-qm", "base: the files 1/7 touches"});
  git({"am", "-q", patch_file});
  for (const FileDiff& d : patch.files) {
    SCOPED_TRACE(d.new_path);
    const std::string id = git({"rev-parse", "HEAD:" + d.new_path});
    EXPECT_EQ(id.substr(0, d.new_id.size()), d.new_id);
  }
  EXPECT_EQ(git({"log", "-1", "--format=%an <%ae>|%ad", "--date=rfc"}),
            "Cong Wang <cwang@multikernel.io>|Fri, 19 Jun 2026 20:22:18 -0700\n");
  EXPECT_EQ(git({"format-patch", "-1", "--stdout", "--zero-commit", "--subject-prefix=PATCH 1/7",
                 "--signature=2.43.0"}),
            text);
}

// Without the base tree every test that needs it is skipped, and the skip
// ends the test: run this binary again on those tests with a base that does
// not exist (and an empty seeds folder) and read gtest's verdict.
TEST(ImportSeedsSkips, AMissingBaseSkipsTheTestsThatNeedIt) {
  char self[4096];
  const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  ASSERT_GT(len, 0);
  self[len] = '\0';
  char tmpl[] = "/tmp/umq-noseeds-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  RealProcessRunner runner;
  const ProcessResult r = runner.run({"env", "UMQ_SEEDS_DIR=" + std::string(tmpl),
                                      "UMQ_PRISTINE_TREE=" + std::string(tmpl) + "/no-such-tree", self,
                                      "--gtest_filter=ImportSeedsOnBase.*"},
                                     "");
  runner.run({"rm", "-rf", tmpl}, "");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("[  SKIPPED ] 2 tests"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no-such-tree is absent"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("FAILED"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace umq
