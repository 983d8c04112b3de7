// MIME in mail messages, through GMime 3 (Debian's libgmime-3.0): transfer
// encodings (quoted-printable, base64), multipart bodies, charsets, and the
// RFC 2047 encoded words of headers ("=?UTF-8?q?Jos=C3=A9?="), decoded the
// way git mailinfo and b4 take a patch out of a mail.
//
// A multipart body gives the text of its text parts in order (text/plain,
// text/x-patch, text/x-diff, or a part named *.patch/*.diff); of a
// multipart/alternative only the plain text, of a multipart/signed only the
// signed content. HTML, signatures and other parts are left out, and said so.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mail.h"

namespace umq {

// Whether a message with these header values (raw, "" when absent) needs
// decoding: a multipart body, a quoted-printable or base64 body, or text in
// a charset other than UTF-8/ASCII.
bool needs_mime_decoding(std::string_view content_type, std::string_view transfer_encoding);

// |value| with its encoded words decoded to UTF-8; as it is without any.
std::string decode_header_words(std::string_view value);

struct DecodedBody {
  std::vector<MailLine> lines;  // UTF-8, each numbered by its input line (see below)
  std::vector<std::string> notes;  // "decoded the quoted-printable text/plain part (line 9)", ...
};

// |message|: one message, headers and body, with LF line ends; its first
// line is line |first_line| of |file|. Lines of a 7bit/8bit or
// quoted-printable part keep their input line; a base64 part's lines all
// carry the line its encoded text starts on. Throws ParseError FILE:LINE
// when the message cannot be decoded (unknown charset, no text part).
DecodedBody decode_mime_body(std::string_view message, int first_line, const std::string& file);

}  // namespace umq
