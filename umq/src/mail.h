// Mail messages as they come out of mailers and list archives: pipermail
// text pages (subject, "Name user at host", date, body, the archive's
// footer), mbox files with one or more messages, and git-format-patch files
// (an mbox whose "From " line is "From <sha> Mon Sep 17 00:00:00 2001").
// Reading splits a file into messages, takes their headers, and strips what
// the archive added (footer, list footer, scrubbed-attachment stubs), noting
// each removal with its line. MIME bodies (quoted-printable, base64,
// multipart, other charsets) are decoded and encoded words in From: and
// Subject: turned into UTF-8 (mime.h). Malformed input throws ParseError
// FILE:LINE.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "patch.h"

namespace umq {

enum class MailFormat { kPipermail, kMbox, kFormatPatch };
const char* describe(MailFormat format);

struct MailLine {
  std::string text;  // without the "\n"
  int line = 0;      // 1-based line in the input file
};

struct ScrubbedAttachment {
  std::string name, type;
  int line = 0;  // the "-------------- next part --------------" line
};

struct Mail {
  std::string file;
  int first_line = 1;
  MailFormat format = MailFormat::kMbox;
  bool obfuscated = false;  // addresses appear as "user at host" (an archive)
  // From the mail headers, or the archive page's subject/author/date lines.
  std::optional<MailLine> from, date, subject;
  std::vector<MailLine> body;
  std::vector<std::string> removed;  // "the archive footer (line 139)", ...
  // What MIME decoding did ("decoded the quoted-printable text/plain part
  // (line 9)", "left out a text/html part (line 40)"); the body is then the
  // decoded text, not the input's bytes.
  std::vector<std::string> decoded;
  std::vector<ScrubbedAttachment> scrubbed;
  std::string raw;  // the message's exact text
};

std::vector<Mail> read_mails(std::string_view text, const std::string& file);

// "Fri Jun 19 20:22:21 PDT 2026" -> "Fri, 19 Jun 2026 20:22:21 -0700".
// An unknown zone name gives "-0000" (RFC 2822: zone unknown) and sets
// |zone_known| false. nullopt when the text is not such a date.
std::optional<std::string> pipermail_date_to_rfc2822(std::string_view date,
                                                     bool* zone_known = nullptr);

}  // namespace umq
