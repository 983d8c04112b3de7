#include "mail.h"

#include <gtest/gtest.h>

namespace umq {
namespace {

const char kPipermail[] =
    "[PATCH 2/3] um: do a thing\n"  // 1
    "\n"
    "Cong Wang xiyou.wangcong at gmail.com\n"
    "Wed Jul  1 14:31:34 PDT 2026\n"
    "Previous message (by thread): [PATCH 1/3] um: first\n"  // 5
    "\n"
    "\n"
    "From: Cong Wang <cwang at multikernel.io>\n"  // 8
    "\n"
    "Body.\n"  // 10
    "-- \n"
    "2.43.0\n"
    "\n"
    "-------------- next part --------------\n"  // 14
    "A non-text attachment was scrubbed...\n"
    "Name: signature.asc\n"
    "Type: application/pgp-signature\n"
    "Size: 833 bytes\n"
    "Desc: not available\n"  // 19
    "URL: <http://lists.infradead.org/pipermail/linux-um/attachments/x/attachment.sig>\n"
    "\n"
    "_______________________________________________\n"  // 22
    "linux-um mailing list\n"
    "linux-um at lists.infradead.org\n"
    "http://lists.infradead.org/mailman/listinfo/linux-um\n"
    "\n"
    "\n"
    "More information about the linux-um mailing list";  // 28, no final newline

TEST(Mail, PipermailPage) {
  const auto mails = read_mails(kPipermail, "p.txt");
  ASSERT_EQ(mails.size(), 1u);
  const Mail& m = mails[0];
  EXPECT_EQ(m.format, MailFormat::kPipermail);
  EXPECT_TRUE(m.obfuscated);
  EXPECT_EQ(m.subject->text, "[PATCH 2/3] um: do a thing");
  EXPECT_EQ(m.from->text, "Cong Wang xiyou.wangcong at gmail.com");
  EXPECT_EQ(m.from->line, 3);
  EXPECT_EQ(m.date->line, 4);
  ASSERT_EQ(m.body.size(), 5u);
  EXPECT_EQ(m.body[0].text, "From: Cong Wang <cwang at multikernel.io>");
  EXPECT_EQ(m.body[0].line, 8);
  EXPECT_EQ(m.body.back().text, "2.43.0");
  EXPECT_EQ(m.body.back().line, 12);
  ASSERT_EQ(m.scrubbed.size(), 1u);
  EXPECT_EQ(m.scrubbed[0].name, "signature.asc");
  EXPECT_EQ(m.scrubbed[0].line, 14);
  EXPECT_EQ(m.removed, (std::vector<std::string>{
                           "a scrubbed-attachment stub (line 14: signature.asc)",
                           "the archive footer (line 28)", "the list footer (line 22)"}));
}

TEST(Mail, InlineTextAttachmentKeepsItsText) {
  const auto mails = read_mails(
      "Subj\n\nA B a at b.org\nFri Jun 19 20:22:21 PDT 2026\n\nText.\n"
      "-------------- next part --------------\nmore text\n",
      "p.txt");
  ASSERT_EQ(mails[0].body.size(), 2u);
  EXPECT_EQ(mails[0].body[1].text, "more text");
  EXPECT_EQ(mails[0].body[1].line, 8);
  EXPECT_TRUE(mails[0].scrubbed.empty());
}

TEST(Mail, MboxWithTwoMessages) {
  const char text[] =
      "From cwang at multikernel.io  Fri Jun 19 20:22:21 2026\n"  // 1
      "From: cwang at multikernel.io (Cong Wang)\n"
      "Date: Fri, 19 Jun 2026 20:22:21 -0700\n"
      "Subject: [PATCH 1/2] one\n"
      " folded\n"  // 5
      "Message-ID: <1 at x>\n"
      "\n"
      "Body one.\n"
      ">From the start.\n"
      "\n"  // 10
      "From cwang at multikernel.io  Fri Jun 19 20:22:22 2026\n"
      "From: cwang at multikernel.io (Cong Wang)\n"
      "Subject: [PATCH 2/2] two\n"
      "\n"
      "Body two.\n";  // 15
  const auto mails = read_mails(text, "m.mbox");
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[0].format, MailFormat::kMbox);
  EXPECT_TRUE(mails[0].obfuscated);
  EXPECT_EQ(mails[0].subject->text, "[PATCH 1/2] one folded");
  EXPECT_EQ(mails[0].date->text, "Fri, 19 Jun 2026 20:22:21 -0700");
  ASSERT_EQ(mails[0].body.size(), 2u);
  EXPECT_EQ(mails[0].body[1].text, "From the start.");  // mboxrd quoting undone
  EXPECT_EQ(mails[1].first_line, 11);
  EXPECT_EQ(mails[1].body[0].line, 15);
  EXPECT_FALSE(mails[1].date.has_value());
}

TEST(Mail, FormatPatchFileIsRecognisedAndKeptRaw) {
  const char text[] =
      "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
      "From: A <a@b.org>\nSubject: [PATCH] x\n\nBody\n";
  const auto mails = read_mails(text, "0001-x.patch");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].format, MailFormat::kFormatPatch);
  EXPECT_FALSE(mails[0].obfuscated);
  EXPECT_EQ(mails[0].raw, text);
}

TEST(Mail, CrlfFilesBecomePlain) {
  std::string text = kPipermail;
  for (size_t p = text.find('\n'); p != std::string::npos; p = text.find('\n', p + 2)) text.insert(p, "\r");
  const auto mails = read_mails(text, "p.txt");
  EXPECT_EQ(mails[0].body[0].text, "From: Cong Wang <cwang at multikernel.io>");
  EXPECT_EQ(mails[0].removed.back(), "the CR of every CRLF line end");
  EXPECT_EQ(mails[0].scrubbed.size(), 1u);
}

TEST(Mail, Errors) {
  try {
    read_mails("just some text\nand more\n", "x.txt");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(e.reason().find("not a mail message"), std::string::npos) << e.what();
  }
  try {
    read_mails("From a  Fri Jun 19 20:22:21 2026\nFrom: a@b.org\n"
               "Content-Type: multipart/mixed; boundary=x\n\nbody\n",
               "m.mbox");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(std::string(e.what()),
              "m.mbox:3: MIME message without a text part (no part found: is the boundary right?)");
  }
  EXPECT_THROW(read_mails("\n\n", "e.txt"), ParseError);
}

TEST(Mail, PipermailDates) {
  EXPECT_EQ(pipermail_date_to_rfc2822("Fri Jun 19 20:22:21 PDT 2026"),
            "Fri, 19 Jun 2026 20:22:21 -0700");
  EXPECT_EQ(pipermail_date_to_rfc2822("Wed Jul  1 14:31:34 PDT 2026"),
            "Wed, 1 Jul 2026 14:31:34 -0700");
  EXPECT_EQ(pipermail_date_to_rfc2822("Mon Jan  5 09:00:00 CET 2026"),
            "Mon, 5 Jan 2026 09:00:00 +0100");
  bool known = true;
  EXPECT_EQ(pipermail_date_to_rfc2822("Mon Jan  5 09:00:00 XYZT 2026", &known),
            "Mon, 5 Jan 2026 09:00:00 -0000");
  EXPECT_FALSE(known);
  EXPECT_FALSE(pipermail_date_to_rfc2822("Fri, 19 Jun 2026 20:22:21 -0700"));
  EXPECT_FALSE(pipermail_date_to_rfc2822("Fri Jun 32 20:22:21 PDT 2026"));
  EXPECT_FALSE(pipermail_date_to_rfc2822("Cong Wang"));
}

}  // namespace
}  // namespace umq
