#include "import.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <sstream>

#include "cli.h"
#include "file_system.h"
#include "memory_file_system.h"
#include "process_runner.h"
#include "test_queue.h"

namespace umq {
namespace {

using testing_util::modify;
using testing_util::short_id;

// Mailman's obfuscation: "user@host" -> "user at host" wherever a word
// character stands on both sides of the "@" (so "@@" hunk headers survive).
std::string obfuscate(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool word_before = i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) ||
                                       text[i - 1] == '.' || text[i - 1] == '_' || text[i - 1] == '-');
    const bool word_after = i + 1 < text.size() && std::isalnum(static_cast<unsigned char>(text[i + 1]));
    out += text[i] == '@' && word_before && word_after ? std::string(" at ") : std::string(1, text[i]);
  }
  return out;
}

// A clean git-format-patch mail, as git would write it.
std::string clean_mail(const std::string& subject, const std::string& date, const std::string& body,
                       const std::string& diffstat, const std::string& diff) {
  return std::string("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n") +
         "From: Cong Wang <cwang@multikernel.io>\n" + "Date: " + date + "\n" + "Subject: " +
         subject + "\n\n" + body + "\nSigned-off-by: Cong Wang <cwang@multikernel.io>\n---\n" +
         diffstat + "\n" + diff + "-- \n2.43.0\n\n";
}

// The same message as the list archive's text page shows it.
std::string pipermail(const std::string& clean, const std::string& archive_date,
                      const std::string& tail = "") {
  const size_t subject = clean.find("Subject: ") + 9;
  std::string title = clean.substr(subject, clean.find('\n', subject) - subject);
  const std::string body = clean.substr(clean.find("\n\n") + 2);
  return title + "\n\nCong Wang xiyou.wangcong at gmail.com\n" + archive_date +
         "\n\n\nFrom: Cong Wang <cwang at multikernel.io>\n\n" + obfuscate(body) + tail +
         "\n\n\nMore information about the linux-um mailing list";
}

int line_of(const std::string& text, const std::string& needle, size_t nth = 0) {
  size_t pos = 0;
  for (size_t k = 0; k <= nth; ++k) {
    pos = text.find(needle, k ? pos + 1 : 0);
    if (pos == std::string::npos) return -1;
  }
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

bool has(const std::vector<std::string>& v, const std::string& text) {
  for (const std::string& s : v) {
    if (s.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string dump(const ImportReport& r) {
  std::ostringstream out;
  print_import_report(r, out);
  return out.str();
}

// --- a driver whose copyright lines hold addresses ---------------------------

std::string ubd(bool after) {
  std::string s =
      "// SPDX-License-Identifier: GPL-2.0\n"
      "/*\n"
      " * Copyright (C) 2000 Jeff Dike (jdike@karaya.com)\n"
      " */\n"
      "#include <a.h>\n";
  s += after ? "#include <c.h>\n" : "#include <b.h>\n";
  s += "#include <d.h>\n\n";
  for (int i = 1; i <= 8; ++i) s += "static int x" + std::to_string(i) + ";\n";
  s += "\nMODULE_AUTHOR(\"Jeff Dike <jdike@addtoit.com>\");\n";
  if (after) s += "MODULE_AUTHOR(\"Cong Wang <cwang@multikernel.io>\");\n";
  return s + "MODULE_LICENSE(\"GPL\");\n";
}
const std::string kUbd0 = ubd(false);
const std::string kUbd1 = ubd(true);

std::string ubd_patch() {
  return clean_mail("[PATCH 1/2] um: ubd: switch to c.h and credit the new author",
                    "Fri, 19 Jun 2026 20:22:18 -0700", "Body text.\n",
                    " drivers/ubd.c | 3 ++-\n 1 file changed, 2 insertions(+), 1 deletion(-)\n",
                    modify("drivers/ubd.c", kUbd0, kUbd1,
                           "@@ -3,7 +3,7 @@\n"
                           "  * Copyright (C) 2000 Jeff Dike (jdike@karaya.com)\n"
                           "  */\n"
                           " #include <a.h>\n"
                           "-#include <b.h>\n"
                           "+#include <c.h>\n"
                           " #include <d.h>\n"
                           " \n"
                           " static int x1;\n"
                           "@@ -16,4 +16,5 @@ static int x7;\n"
                           " static int x8;\n"
                           " \n"
                           " MODULE_AUTHOR(\"Jeff Dike <jdike@addtoit.com>\");\n"
                           "+MODULE_AUTHOR(\"Cong Wang <cwang@multikernel.io>\");\n"
                           " MODULE_LICENSE(\"GPL\");\n"));
}

class ImportTest : public testing::Test {
 protected:
  void SetUp() override { fs_.add_file("/base/drivers/ubd.c", kUbd0); }
  ImportReport import(std::vector<std::string> inputs, std::string tree = "/base",
                      std::string queue = "") {
    ImportOptions o;
    o.inputs = std::move(inputs);
    o.output_dir = "/out";
    o.base_tree = std::move(tree);
    o.queue_dir = std::move(queue);
    return import_mails(fs_, o);
  }
  MemoryFileSystem fs_;
};

TEST_F(ImportTest, DiffLineAddressesConfirmedByTheBase) {
  const std::string clean = ubd_patch();
  const std::string page = pipermail(clean, "Fri Jun 19 20:22:18 PDT 2026");
  fs_.add_file("/in/p.txt", page);
  const ImportReport r = import({"/in/p.txt"});
  ASSERT_EQ(r.imported, 1u) << dump(r);
  EXPECT_EQ(r.exit_code(), 0);
  const ImportedPatch& p = r.patches[0];
  EXPECT_EQ(p.output, "0001-um-ubd-switch-to-c.h-and-credit-the-new-author.patch");
  // Every address is back and nothing else changed: the file is what git wrote.
  EXPECT_EQ(fs_.read_file("/out/" + p.output), clean);
  EXPECT_EQ(fs_.read_file("/out/series"), "# written by umq import\n" + p.output + "\n");
  EXPECT_EQ(p.author, "Cong Wang <cwang@multikernel.io>");
  EXPECT_TRUE(has(p.changed, fmt::format("line {}: diff line: \"jdike at karaya.com\" -> "
                                         "\"jdike@karaya.com\" (hunk #1 does not apply to the "
                                         "base as is, and applies with it)",
                                         line_of(page, "  * Copyright"))))
      << dump(r);
  EXPECT_TRUE(has(p.changed, fmt::format("line {}: diff line: \"jdike at addtoit.com\" -> "
                                         "\"jdike@addtoit.com\" (hunk #2",
                                         line_of(page, " MODULE_AUTHOR"))))
      << dump(r);
  EXPECT_TRUE(has(p.changed, fmt::format("line {}: diff line: \"cwang at multikernel.io\" -> "
                                         "\"cwang@multikernel.io\" (the postimage id {} matches "
                                         "only with it)",
                                         line_of(page, "+MODULE_AUTHOR"), short_id(kUbd1))))
      << dump(r);
  EXPECT_TRUE(has(p.changed, fmt::format("line {}: Signed-off-by: \"cwang at multikernel.io\"",
                                         line_of(page, "Signed-off-by"))));
  EXPECT_TRUE(has(p.verified, "drivers/ubd.c: preimage " + short_id(kUbd0) +
                                  " matches the base, applies, postimage " + short_id(kUbd1) +
                                  " matches"))
      << dump(r);
  EXPECT_TRUE(p.warnings.empty()) << dump(r);
  EXPECT_EQ(r.series, (std::vector<std::string>{"series of 2: have 1; missing 2",
                                                "  1/2 is verified against the base"}));
}

TEST_F(ImportTest, WithoutABaseDiffLinesStayAsTheyAre) {
  const std::string page = pipermail(ubd_patch(), "Fri Jun 19 20:22:18 PDT 2026");
  fs_.add_file("/in/p.txt", page);
  const ImportReport r = import({"/in/p.txt"}, "");
  ASSERT_EQ(r.imported, 1u) << dump(r);
  const std::string out = fs_.read_file("/out/" + r.patches[0].output);
  EXPECT_NE(out.find("From: Cong Wang <cwang@multikernel.io>\n"), std::string::npos);
  EXPECT_NE(out.find("Signed-off-by: Cong Wang <cwang@multikernel.io>\n"), std::string::npos);
  EXPECT_NE(out.find("+MODULE_AUTHOR(\"Cong Wang <cwang at multikernel.io>\");\n"), std::string::npos);
  EXPECT_EQ(r.patches[0].warnings,
            (std::vector<std::string>{
                fmt::format("possible obfuscated address in /in/p.txt line {}, not changed (no evidence)",
                            line_of(page, "  * Copyright")),
                fmt::format("possible obfuscated address in /in/p.txt line {}, not changed (no evidence)",
                            line_of(page, " MODULE_AUTHOR")),
                fmt::format("possible obfuscated address in /in/p.txt line {}, not changed (no evidence)",
                            line_of(page, "+MODULE_AUTHOR"))}));
  EXPECT_TRUE(has(r.notes, "no base tree (--tree)"));
  EXPECT_EQ(r.exit_code(), 0);
}

TEST_F(ImportTest, WhatTheBaseDoesNotConfirmIsLeftAlone) {
  // docs.txt really says "docs at kernel.org": the hunk applies as is. The
  // "+Contact" line of notes.txt looks obfuscated, but without an index line
  // there is no postimage id to prove it.
  const std::string docs0 = "Intro\nsee the docs at kernel.org\nEnd\n";
  const std::string docs1 = "Intro\nsee the docs at kernel.org\nThe end\n";
  fs_.add_file("/base/docs.txt", docs0);
  fs_.add_file("/base/notes.txt", "a\n");
  const std::string diff = modify("docs.txt", docs0, docs1,
                                  "@@ -1,3 +1,3 @@\n Intro\n see the docs at kernel.org\n-End\n+The end\n") +
                           "diff --git a/notes.txt b/notes.txt\n--- a/notes.txt\n+++ b/notes.txt\n"
                           "@@ -1 +1,2 @@\n a\n+Contact: maint at example.org\n";
  const std::string clean = clean_mail(
      "[PATCH] docs: end", "Fri, 19 Jun 2026 20:22:18 -0700", "Body.\n",
      " docs.txt  | 2 +-\n notes.txt | 1 +\n 2 files changed, 2 insertions(+), 1 deletion(-)\n", diff);
  const std::string page = pipermail(clean, "Fri Jun 19 20:22:18 PDT 2026");
  fs_.add_file("/in/d.txt", page);
  const ImportReport r = import({"/in/d.txt"});
  ASSERT_EQ(r.imported, 1u) << dump(r);
  const ImportedPatch& p = r.patches[0];
  EXPECT_EQ(fs_.read_file("/out/" + p.output), clean);  // diff lines untouched
  EXPECT_TRUE(has(p.verified, fmt::format("line {}: \"... at ...\" is right as is: hunk #1 applies "
                                          "to the base with it",
                                          line_of(page, " see the docs"))))
      << dump(r);
  EXPECT_EQ(p.warnings, (std::vector<std::string>{fmt::format(
                            "possible obfuscated address in /in/d.txt line {}, not changed (no evidence)",
                            line_of(page, "+Contact"))}));
  EXPECT_TRUE(has(p.unproven, "notes.txt: applies to the base; no index line, so no blob ids to check"))
      << dump(r);
  EXPECT_EQ(r.exit_code(), 0);
}

TEST_F(ImportTest, AttachmentStubs) {
  const std::string clean = ubd_patch();
  const std::string stub =
      "\n-------------- next part --------------\n"
      "A non-text attachment was scrubbed...\n"
      "Name: signature.asc\n"
      "Type: application/pgp-signature\n"
      "Size: 833 bytes\n"
      "Desc: not available\n"
      "URL: <http://lists.infradead.org/pipermail/linux-um/attachments/20260619/1/attachment.sig>\n";
  const std::string page = pipermail(clean, "Fri Jun 19 20:22:18 PDT 2026", stub);
  fs_.add_file("/in/s.txt", page);
  ImportReport r = import({"/in/s.txt"});
  ASSERT_EQ(r.imported, 1u) << dump(r);
  EXPECT_EQ(fs_.read_file("/out/" + r.patches[0].output), clean);
  EXPECT_TRUE(has(r.patches[0].changed,
                  fmt::format("removed a scrubbed-attachment stub (line {}: signature.asc)",
                              line_of(page, "-------------- next part"))))
      << dump(r);

  // The patch itself was the attachment: nothing to import, say where.
  const std::string scrubbed =
      "[PATCH] um: fix\n\nCong Wang xiyou.wangcong at gmail.com\nFri Jun 19 20:22:18 PDT 2026\n\n"
      "Patch attached.\n\n-------------- next part --------------\n"
      "An embedded and charset-unspecified text was scrubbed...\nName: 0001-um-fix.patch\n"
      "URL: <http://lists.infradead.org/pipermail/linux-um/attachments/20260619/2/attachment.bin>\n";
  fs_.add_file("/in/a.txt", scrubbed);
  r = import({"/in/a.txt"});
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(r.patches[0].errors,
            (std::vector<std::string>{"/in/a.txt:8: the patch was an attachment that the archive "
                                      "scrubbed (0001-um-fix.patch): fetch the original message"}));
}

TEST_F(ImportTest, TruncatedMessagesFailWithFileAndLine) {
  const std::string page = pipermail(ubd_patch(), "Fri Jun 19 20:22:18 PDT 2026");
  // Cut inside hunk #2.
  const size_t cut = page.find("+MODULE_AUTHOR");
  fs_.add_file("/in/t.txt", page.substr(0, cut) +
                                "\n\n\nMore information about the linux-um mailing list");
  ImportReport r = import({"/in/t.txt"});
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_FALSE(fs_.exists("/out"));
  ASSERT_EQ(r.patches[0].errors.size(), 1u) << dump(r);
  EXPECT_EQ(r.patches[0].errors[0],
            fmt::format("/in/t.txt:{}: truncated hunk: the patch ends 1 old and 2 new lines short "
                        "of its @@ counts",
                        line_of(page, "@@ -16,4")));
  EXPECT_NE(dump(r).find("/in/t.txt (pipermail archive text): FAILED, not written"), std::string::npos);

  // Cut after a whole file section: the hunks add up, the diffstat does not.
  const std::string two = clean_mail(
      "[PATCH] two files", "Fri, 19 Jun 2026 20:22:18 -0700", "Body.\n",
      " a.c | 1 +\n b.c | 1 +\n 2 files changed, 2 insertions(+)\n",
      "diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1,2 @@\n x\n+y\n"
      "diff --git a/b.c b/b.c\n--- a/b.c\n+++ b/b.c\n@@ -1 +1,2 @@\n x\n+y\n");
  const std::string page2 = pipermail(two, "Fri Jun 19 20:22:18 PDT 2026");
  fs_.add_file("/in/u.txt", page2.substr(0, page2.find("diff --git a/b.c")));
  r = import({"/in/u.txt"}, "");
  ASSERT_EQ(r.failed, 1u);
  EXPECT_EQ(r.patches[0].errors[0],
            fmt::format("/in/u.txt:{}: the diffstat says 2 files, +2 -0, the diff has 1 file, "
                        "+1 -0: the message is incomplete or damaged",
                        line_of(page2, " 2 files changed")));
}

// Two messages in one mbox from a mail client: extra headers go, the second
// patch is checked on top of the first.
TEST_F(ImportTest, MboxWithTwoMessages) {
  const std::string one = ubd_patch();
  const std::string ubd2 = kUbd1 + "\nstatic int y;\n";
  const std::string two = clean_mail(
      "[PATCH 2/2] um: ubd: add y", "Fri, 19 Jun 2026 20:22:19 -0700", "More.\n",
      " drivers/ubd.c | 2 ++\n 1 file changed, 2 insertions(+)\n",
      modify("drivers/ubd.c", kUbd1, ubd2,
             "@@ -18,3 +18,5 @@ static int x8;\n MODULE_AUTHOR(\"Jeff Dike <jdike@addtoit.com>\");\n"
             " MODULE_AUTHOR(\"Cong Wang <cwang@multikernel.io>\");\n MODULE_LICENSE(\"GPL\");\n"
             "+\n+static int y;\n"));
  auto as_mbox = [](const std::string& clean, const std::string& id) {
    std::string body = clean.substr(clean.find('\n') + 1);  // drop git's magic From line
    return "From cwang@multikernel.io Fri Jun 19 20:22:18 2026\n"
           "Return-Path: <cwang@multikernel.io>\nMessage-ID: <" + id + "@multikernel.io>\n"
           "To: linux-um@lists.infradead.org\n" + body;
  };
  fs_.add_file("/in/s.mbox", as_mbox(one, "1") + as_mbox(two, "2"));
  const ImportReport r = import({"/in/s.mbox"});
  ASSERT_EQ(r.imported, 2u) << dump(r);
  EXPECT_EQ(r.patches[0].source, "/in/s.mbox:1");
  EXPECT_EQ(r.patches[1].source, fmt::format("/in/s.mbox:{}", line_of(as_mbox(one, "1") + as_mbox(two, "2"), "From cwang", 1)));
  EXPECT_EQ(fs_.read_file("/out/0001-um-ubd-switch-to-c.h-and-credit-the-new-author.patch"), one);
  EXPECT_EQ(fs_.read_file("/out/0002-um-ubd-add-y.patch"), two);
  EXPECT_TRUE(has(r.patches[1].verified, "preimage " + short_id(kUbd1) + " matches the file after 1/2"))
      << dump(r);
  EXPECT_EQ(r.series, (std::vector<std::string>{"series of 2: have 1, 2",
                                                "  1/2, 2/2 are verified against the base"}));
}

TEST_F(ImportTest, FormatPatchPassesThroughByteForByte) {
  std::string clean = ubd_patch();
  // Headers git writes for non-ASCII text: kept as they are.
  clean.insert(clean.find("\n\nBody"), "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
                                       "Content-Transfer-Encoding: 8bit");
  fs_.add_file("/in/0001-x.patch", clean);
  const ImportReport r = import({"/in/0001-x.patch"});
  ASSERT_EQ(r.imported, 1u) << dump(r);
  EXPECT_TRUE(r.patches[0].written_as_is);
  EXPECT_TRUE(r.patches[0].changed.empty());
  EXPECT_EQ(fs_.read_file("/out/" + r.patches[0].output), clean);
  EXPECT_TRUE(has(r.patches[0].verified, "postimage " + short_id(kUbd1) + " matches"));
}

// A three-part series, 2/3 missing: 3/3 stands on it. A queue that holds a
// 2/3 can stand in for it, and then 3/3 is proven.
TEST_F(ImportTest, SeriesWithAMissingPart) {
  const std::string a0 = "one\ntwo\nthree\n", a1 = "ONE\ntwo\nthree\n", a2 = "ONE\nTWO\nthree\n",
                    a3 = "ONE\nTWO\nTHREE\n";
  fs_.add_file("/base/a.c", a0);
  auto part = [&](int n, const std::string& before, const std::string& after, const std::string& hunk) {
    return clean_mail(fmt::format("[PATCH {}/3] a: part {}", n, n), "Fri, 19 Jun 2026 20:22:18 -0700",
                      "Body.\n", " a.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n",
                      modify("a.c", before, after, hunk));
  };
  const std::string p1 = part(1, a0, a1, "@@ -1,3 +1,3 @@\n-one\n+ONE\n two\n three\n");
  const std::string p2 = part(2, a1, a2, "@@ -1,3 +1,3 @@\n ONE\n-two\n+TWO\n three\n");
  const std::string p3 = part(3, a2, a3, "@@ -1,3 +1,3 @@\n ONE\n TWO\n-three\n+THREE\n");
  fs_.add_file("/in/1.txt", pipermail(p1, "Fri Jun 19 20:22:18 PDT 2026"));
  fs_.add_file("/in/3.txt", pipermail(p3, "Fri Jun 19 20:22:20 PDT 2026"));
  ImportReport r = import({"/in/3.txt", "/in/1.txt"});
  ASSERT_EQ(r.imported, 2u) << dump(r);
  EXPECT_EQ(r.exit_code(), 0);
  EXPECT_EQ(r.patches[0].tag.n, 1);  // reported in series order
  EXPECT_TRUE(r.patches[0].stands_on.empty());
  EXPECT_EQ(r.patches[1].stands_on, (std::set<int>{2}));
  EXPECT_TRUE(has(r.patches[1].standing, "a.c: preimage " + short_id(a2) +
                                             " is not the file after 1/3 (" + short_id(a1) +
                                             "): it comes from missing 2/3"))
      << dump(r);
  EXPECT_EQ(r.series, (std::vector<std::string>{"series of 3: have 1, 3; missing 2",
                                                "  1/3 is verified against the base",
                                                "  3/3 stands on missing 2/3"}));
  EXPECT_NE(dump(r).find("  stands on missing 2/3:\n"), std::string::npos);
  EXPECT_EQ(fs_.read_file("/out/series"),
            "# written by umq import\n0001-a-part-1.patch\n0003-a-part-3.patch\n");

  fs_.add_file("/q/series", "0001-a-part-1.patch\n0002-a-part-2.patch\n");
  fs_.add_file("/q/0001-a-part-1.patch", p1);
  fs_.add_file("/q/0002-a-part-2.patch", p2);
  r = import({"/in/3.txt", "/in/1.txt"}, "/base", "/q");
  ASSERT_EQ(r.imported, 2u) << dump(r);
  EXPECT_TRUE(has(r.patches[1].standing, "a.c: preimage " + short_id(a2) + " is not the file after 1/3 (" +
                                             short_id(a1) + ") but the queue's file after "
                                             "0002-a-part-2.patch (standing in for missing 2/3)"))
      << dump(r);
  EXPECT_TRUE(has(r.patches[1].verified, "postimage " + short_id(a3) + " matches")) << dump(r);
}

TEST_F(ImportTest, BrokenPatchIsNotWritten) {
  fs_.add_file("/base/drivers/ubd.c", "something else\n");
  fs_.add_file("/in/p.txt", pipermail(ubd_patch(), "Fri Jun 19 20:22:18 PDT 2026"));
  const ImportReport r = import({"/in/p.txt"});
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_FALSE(fs_.exists("/out"));
  EXPECT_TRUE(has(r.patches[0].errors, "drivers/ubd.c: preimage id mismatch: the patch says " +
                                           short_id(kUbd0) + ", the base has " +
                                           short_id("something else\n")))
      << dump(r);
  EXPECT_EQ(r.series, (std::vector<std::string>{"series of 2: have 1; missing 2; failed 1"}));
}

TEST_F(ImportTest, NotAPatchIsSkipped) {
  fs_.add_file("/in/r.txt",
               "[PATCH 0/7] um: cover\n\nCong Wang xiyou.wangcong at gmail.com\n"
               "Wed Jul  1 14:31:34 PDT 2026\n\n> quoted\n> more\n\nReply.\n");
  const ImportReport r = import({"/in/r.txt"});
  EXPECT_EQ(r.skipped, 1u);
  EXPECT_EQ(r.exit_code(), 0);
  EXPECT_EQ(r.patches[0].skipped_because,
            "not a patch (no diff in it); a reply quoting 2 lines; [PATCH 0/7] is the cover "
            "letter or its thread");
  EXPECT_FALSE(fs_.exists("/out"));
}

TEST_F(ImportTest, CommandLine) {
  fs_.add_file("/in/p.txt", pipermail(ubd_patch(), "Fri Jun 19 20:22:18 PDT 2026"));
  FakeProcessRunner runner([](const auto&, const auto&) { return ProcessResult{0, "", ""}; });
  std::ostringstream out, err;
  CliEnv env{fs_, runner, out, err, {}};
  const char* argv[] = {"umq", "import", "/in/p.txt", "-o", "/o", "--tree", "/base"};
  EXPECT_EQ(run_cli(7, argv, env), 0) << err.str();
  EXPECT_NE(out.str().find("/in/p.txt (pipermail archive text) -> 0001-um-ubd-switch"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("import: 1 imported, 0 skipped, 0 failed\n"), std::string::npos);
  EXPECT_TRUE(fs_.exists("/o/series"));
  const char* none[] = {"umq", "import"};
  EXPECT_EQ(run_cli(2, none, env), 2);
}

// An earlier import in the output folder: its other patch files would sit
// beside the new ones (and `git am DIR/*.patch` take them all). Refused,
// nothing written, unless --replace; then they go.
TEST_F(ImportTest, OutputFolderWithOtherPatchFilesIsRefusedUnlessReplacing) {
  fs_.add_file("/in/p.txt", pipermail(ubd_patch(), "Fri Jun 19 20:22:18 PDT 2026"));
  fs_.add_file("/o/0001-um-old-subject.patch", "old 1\n");
  fs_.add_file("/o/0002-um-old-second.patch", "old 2\n");
  fs_.add_file("/o/series", "0001-um-old-subject.patch\n0002-um-old-second.patch\n");
  fs_.add_file("/o/notes.txt", "mine\n");
  const auto before = fs_.snapshot();
  FakeProcessRunner runner([](const auto&, const auto&) { return ProcessResult{0, "", ""}; });
  std::ostringstream out, err;
  CliEnv env{fs_, runner, out, err, {}};
  const char* argv[] = {"umq", "import", "/in/p.txt", "-o", "/o", "--tree", "/base", "--replace"};
  EXPECT_EQ(run_cli(7, argv, env), 1);
  EXPECT_EQ(fs_.snapshot(), before);
  EXPECT_EQ(err.str(),
            "umq: /o holds 2 patch files this import would not write: 0001-um-old-subject.patch, "
            "0002-um-old-second.patch (an earlier import?); nothing written: give --replace to remove "
            "them, or another -o DIR\n");
  out.str("");
  err.str("");
  EXPECT_EQ(run_cli(8, argv, env), 0) << err.str();
  EXPECT_FALSE(fs_.exists("/o/0001-um-old-subject.patch"));
  EXPECT_FALSE(fs_.exists("/o/0002-um-old-second.patch"));
  EXPECT_EQ(fs_.read_file("/o/notes.txt"), "mine\n");
  EXPECT_EQ(fs_.read_file("/o/series"),
            "# written by umq import\n0001-um-ubd-switch-to-c.h-and-credit-the-new-author.patch\n");
  EXPECT_NE(out.str().find("replaced 2 patch files of an earlier import in /o: 0001-um-old-subject.patch, "
                           "0002-um-old-second.patch\n"),
            std::string::npos)
      << out.str();
  // Again into the same folder: the same file, nothing stale: no flag needed.
  EXPECT_EQ(run_cli(7, argv, env), 0) << err.str();
}

// --- MIME: what mailers send (quoted-printable, base64, multipart, encoded words)

// Quoted-printable as a mailer writes it: "=", bytes past ASCII and a
// line's trailing blank encoded, lines soft-broken ("=" at the end) before 76.
std::string qp_encode(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    const std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    std::string enc;
    for (size_t i = 0; i < line.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(line[i]);
      const bool last = i + 1 == line.size();
      std::string piece = (c == '=' || c >= 0x80 || ((c == ' ' || c == '\t') && last))
                              ? fmt::format("={:02X}", c)
                              : std::string(1, static_cast<char>(c));
      if (enc.size() + piece.size() > 75) {
        out += enc + "=\n";
        enc.clear();
      }
      enc += piece;
    }
    out += enc + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string b64_encode(const std::string& data) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out, line;
  for (size_t i = 0; i < data.size(); i += 3) {
    unsigned v = static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16;
    if (i + 1 < data.size()) v |= static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8;
    if (i + 2 < data.size()) v |= static_cast<unsigned char>(data[i + 2]);
    line += kAlphabet[(v >> 18) & 63];
    line += kAlphabet[(v >> 12) & 63];
    line += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    line += i + 2 < data.size() ? kAlphabet[v & 63] : '=';
    if (line.size() >= 76) {
      out += line + "\n";
      line.clear();
    }
  }
  return out + (line.empty() ? "" : line + "\n");
}

// The clean patch's headers and body apart.
std::string body_of(const std::string& clean) { return clean.substr(clean.find("\n\n") + 2); }

const char kJose[] = "José García <jose@example.org>";
const char kJoseAsGitWritesIt[] = "From: =?UTF-8?q?Jos=C3=A9=20Garc=C3=ADa?= <jose@example.org>";

// What git format-patch writes for the same commit by José.
std::string ubd_patch_by_jose() {
  std::string clean = ubd_patch();
  const size_t from = clean.find("From: Cong Wang <cwang@multikernel.io>\n");
  return clean.replace(from, 39, std::string(kJoseAsGitWritesIt) + "\n");
}

std::string qp_mail() {
  return "From jose@example.org Fri Jun 19 20:22:18 2026\n"
         "From: =?UTF-8?q?Jos=C3=A9_Garc=C3=ADa?= <jose@example.org>\n"
         "Date: Fri, 19 Jun 2026 20:22:18 -0700\n"
         "Subject: =?UTF-8?b?" + b64_encode("[PATCH 1/2] um: ubd: switch to c.h").substr(0, 48) + "?=\n"
         " =?UTF-8?q?_and_credit_the_new_author?=\n"
         "MIME-Version: 1.0\n"
         "Content-Type: text/plain; charset=UTF-8\n"
         "Content-Transfer-Encoding: quoted-printable\n"
         "\n" + qp_encode(body_of(ubd_patch()));
}

TEST_F(ImportTest, QuotedPrintableMailWithEncodedWords) {
  const std::string mail = qp_mail();
  ASSERT_NE(mail.find("=20\n"), std::string::npos);  // the blank context lines are encoded
  fs_.add_file("/in/qp.mbox", mail);
  const ImportReport r = import({"/in/qp.mbox"});
  ASSERT_EQ(r.imported, 1u) << dump(r);
  const ImportedPatch& p = r.patches[0];
  EXPECT_EQ(p.author, kJose);
  EXPECT_EQ(p.subject, "[PATCH 1/2] um: ubd: switch to c.h and credit the new author");
  EXPECT_EQ(fs_.read_file("/out/" + p.output), ubd_patch_by_jose());
  EXPECT_TRUE(has(p.changed, "decoded the quoted-printable text/plain part (line 10)")) << dump(r);
  EXPECT_TRUE(has(p.verified, "postimage " + short_id(kUbd1) + " matches")) << dump(r);
}

// git format-patch --attach: the message in a text/plain part, the diff in a
// base64 text/x-patch attachment, and a signature part that is left out.
TEST_F(ImportTest, MultipartWithABase64PatchAttachment) {
  const std::string clean = ubd_patch();
  const std::string body = body_of(clean);
  const size_t diff = body.find("diff --git");
  const std::string mail =
      "From: Cong Wang <cwang@multikernel.io>\n"
      "Date: Fri, 19 Jun 2026 20:22:18 -0700\n"
      "Subject: [PATCH 1/2] um: ubd: switch to c.h and credit the new author\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"------------2.43.0\"\n"
      "\n"
      "This is a multi-part message in MIME format.\n"
      "--------------2.43.0\n"
      "Content-Type: text/plain; charset=UTF-8; format=fixed\n"
      "Content-Transfer-Encoding: 8bit\n"
      "\n" + body.substr(0, diff) + "\n"
      "--------------2.43.0\n"
      "Content-Type: text/x-patch; name=\"0001-um-ubd.patch\"\n"
      "Content-Transfer-Encoding: base64\n"
      "Content-Disposition: attachment; filename=\"0001-um-ubd.patch\"\n"
      "\n" + b64_encode(body.substr(diff)) + "\n"
      "--------------2.43.0\n"
      "Content-Type: application/pgp-signature; name=\"signature.asc\"\n"
      "\n"
      "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n"
      "--------------2.43.0--\n";
  fs_.add_file("/in/attach.eml", mail);
  const ImportReport r = import({"/in/attach.eml"});
  ASSERT_EQ(r.imported, 1u) << dump(r);
  const ImportedPatch& p = r.patches[0];
  EXPECT_EQ(fs_.read_file("/out/" + p.output), clean);
  EXPECT_TRUE(has(p.changed, fmt::format("decoded the base64 text/x-patch part (line {})",
                                         line_of(mail, "Content-Disposition: attachment") + 2)))
      << dump(r);
  EXPECT_TRUE(has(p.changed, "left out a application/pgp-signature part (line ")) << dump(r);
  EXPECT_TRUE(has(p.verified, "postimage " + short_id(kUbd1) + " matches")) << dump(r);
}

// Errors inside a quoted-printable body name the input line.
TEST_F(ImportTest, ErrorsInADecodedBodyNameTheInputLine) {
  std::string body = body_of(ubd_patch());
  body.replace(body.find(" static int x8;\n \n"), 15, "?static int x8;");  // not a hunk line
  const std::string mail = "From: Cong Wang <cwang@multikernel.io>\nSubject: [PATCH] x\n"
                           "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
                           qp_encode(body);
  fs_.add_file("/in/bad.eml", mail);
  const ImportReport r = import({"/in/bad.eml"});
  ASSERT_EQ(r.failed, 1u) << dump(r);
  EXPECT_TRUE(has(r.patches[0].errors, fmt::format("/in/bad.eml:{}:", line_of(mail, "?static int x8;"))))
      << dump(r);
}

// The imported QP mail goes through git am with José as its author.
TEST(ImportMime, GitAmTakesTheDecodedPatch) {
  RealProcessRunner runner;
  if (runner.run({"git", "--version"}, "").exit_code != 0) GTEST_SKIP() << "no git";
  char tmpl[] = "/tmp/umq-mime-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string tmp = tmpl;
  struct Cleanup {
    RealProcessRunner& runner;
    std::string dir;
    ~Cleanup() { runner.run({"rm", "-rf", dir}, ""); }
  } cleanup{runner, tmp};
  RealFileSystem fs;
  fs.write_file(tmp + "/qp.mbox", qp_mail(), 0644);
  const std::string repo = tmp + "/repo";
  fs.make_dirs(repo + "/drivers");
  fs.write_file(repo + "/drivers/ubd.c", kUbd0, 0644);
  ImportOptions o;
  o.inputs = {tmp + "/qp.mbox"};
  o.output_dir = tmp + "/out";
  o.base_tree = repo;
  const ImportReport r = import_mails(fs, o);
  ASSERT_EQ(r.imported, 1u) << dump(r);
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-c", "user.name=umq test", "-c", "user.email=umq@example.org",
                               "-c", "commit.gpgsign=false"});
    const ProcessResult res = runner.run(args, repo);
    EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
    return res.out;
  };
  git({"init", "-q"});
  git({"add", "."});
  git({"commit", "-qm", "base"});
  git({"am", "-q", o.output_dir + "/" + r.patches[0].output});
  EXPECT_EQ(git({"log", "-1", "--format=%an <%ae>|%s"}),
            std::string(kJose) + "|um: ubd: switch to c.h and credit the new author\n");
  EXPECT_EQ(git({"rev-parse", "HEAD:drivers/ubd.c"}).substr(0, 12), short_id(kUbd1));
}

}  // namespace
}  // namespace umq
