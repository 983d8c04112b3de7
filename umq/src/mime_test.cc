#include "mime.h"

#include <gtest/gtest.h>

namespace umq {
namespace {

std::string texts(const DecodedBody& b) {
  std::string out;
  for (const MailLine& l : b.lines) out += std::to_string(l.line) + ":" + l.text + "\n";
  return out;
}

TEST(Mime, WhatNeedsDecoding) {
  EXPECT_FALSE(needs_mime_decoding("", ""));
  EXPECT_FALSE(needs_mime_decoding("text/plain; charset=UTF-8", "8bit"));
  EXPECT_FALSE(needs_mime_decoding("text/plain; charset=\"us-ascii\"", "7bit"));
  EXPECT_TRUE(needs_mime_decoding("text/plain; charset=UTF-8", "Quoted-Printable"));
  EXPECT_TRUE(needs_mime_decoding("text/plain", "base64"));
  EXPECT_TRUE(needs_mime_decoding("Multipart/Mixed; boundary=x", ""));
  EXPECT_TRUE(needs_mime_decoding("text/plain; charset=ISO-8859-1", "8bit"));
}

TEST(Mime, EncodedWordsInHeaders) {
  EXPECT_EQ(decode_header_words("=?UTF-8?q?Jos=C3=A9_Garc=C3=ADa?= <jose@example.org>"),
            "José García <jose@example.org>");
  EXPECT_EQ(decode_header_words("=?utf-8?b?W1BBVENIXSDDqXTDqQ==?="), "[PATCH] été");
  EXPECT_EQ(decode_header_words("=?ISO-8859-1?q?Andr=E9?= <a@example.org>"), "André <a@example.org>");
  // Adjacent encoded words join without the space between them.
  EXPECT_EQ(decode_header_words("=?UTF-8?q?a?= =?UTF-8?q?b?="), "ab");
  EXPECT_EQ(decode_header_words("Plain Name <p@example.org>"), "Plain Name <p@example.org>");
}

// Each decoded line carries the input line it starts on: a soft line break
// ("=" at the end) joins two input lines into one.
TEST(Mime, QuotedPrintableLinesKeepTheirInputLines) {
  const std::string message =
      "From: a@example.org\n"                           // line 10 of the file
      "Content-Type: text/plain; charset=UTF-8\n"
      "Content-Transfer-Encoding: quoted-printable\n"
      "\n"
      "one =3D 1\n"                                       // 14
      "a long line that goes=\n"                          // 15
      " on and on\n"
      "trailing blank=20\n"                               // 17
      "caf=C3=A9\n";                                      // 18
  const DecodedBody b = decode_mime_body(message, 10, "m.eml");
  EXPECT_EQ(texts(b), "14:one = 1\n15:a long line that goes on and on\n17:trailing blank \n18:café\n");
  EXPECT_EQ(b.notes, (std::vector<std::string>{"decoded the quoted-printable text/plain part (line 14)"}));
}

TEST(Mime, AlternativeKeepsThePlainTextAndCharsetsBecomeUtf8) {
  const std::string message =
      "From: a@example.org\n"  // 1
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/alternative; boundary=\"b1\"\n"
      "\n"
      "--b1\n"  // 5
      "Content-Type: text/plain; charset=ISO-8859-1\n"
      "Content-Transfer-Encoding: 8bit\n"
      "\n"
      "Andr\xE9 wrote this.\n"  // 9
      "--b1\n"
      "Content-Type: text/html; charset=UTF-8\n"
      "\n"
      "<p>Andr&eacute; wrote this.</p>\n"  // 13
      "--b1--\n";
  const DecodedBody b = decode_mime_body(message, 1, "m.eml");
  EXPECT_EQ(texts(b), "9:André wrote this.\n");
  EXPECT_EQ(b.notes, (std::vector<std::string>{"decoded the ISO-8859-1 text/plain part (line 9)",
                                               "left out a text/html part (line 13) (another alternative)"}));
}

TEST(Mime, NoTextPartIsAnError) {
  const std::string message =
      "From: a@example.org\n"
      "Content-Type: multipart/mixed; boundary=\"b\"\n"
      "\n"
      "--b\n"
      "Content-Type: image/png; name=\"x.png\"\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "iVBORw0KGgo=\n"
      "--b--\n";
  try {
    decode_mime_body(message, 1, "m.eml");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(std::string(e.what()), "m.eml:2: MIME message without a text part (only a image/png part (line 8): x.png)");
  }
}

}  // namespace
}  // namespace umq
