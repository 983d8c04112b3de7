#include "mail.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "address.h"
#include "lines.h"
#include "mime.h"

namespace umq {
namespace {

constexpr std::string_view kNextPart = "-------------- next part --------------";

bool is_header_line(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    const char c = s[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return colon + 1 == s.size() || s[colon + 1] == ' ' || s[colon + 1] == '\t';
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool is_blank(std::string_view s) { return trim(s).empty(); }

bool is_format_patch_envelope(std::string_view s) {
  // "From <40 hex> Mon Sep 17 00:00:00 2001"
  if (!starts_with(s, "From ") || s.size() < 5 + 40) return false;
  for (size_t i = 5; i < 45; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return s.substr(45) == " Mon Sep 17 00:00:00 2001";
}

bool is_archive_navigation(std::string_view s) {
  return starts_with(s, "Previous message") || starts_with(s, "Next message") ||
         starts_with(s, "Messages sorted by");
}

class Reader {
 public:
  Reader(std::string_view text, std::string file) : file_(std::move(file)) {
    raw_ = split_lines(text);
    size_t crlf = 0;
    for (std::string_view r : raw_) {
      std::string_view t = r;
      if (!t.empty() && t.back() == '\n') t.remove_suffix(1);
      crlf += !t.empty() && t.back() == '\r';
      lines_.emplace_back(t);
    }
    // A whole file with CRLF line ends (saved on another system): plain LF.
    crlf_ = crlf > 0 && crlf + 1 >= lines_.size();
    if (crlf_) {
      for (std::string& l : lines_) {
        if (!l.empty() && l.back() == '\r') l.pop_back();
      }
    }
  }

  std::vector<Mail> read() {
    size_t s = 0;
    while (s < lines_.size() && is_blank(lines_[s])) ++s;
    if (s == lines_.size()) throw ParseError(file_, 1, "empty file");
    std::vector<Mail> mails;
    if (starts_with(lines_[s], "From ") && s + 1 < lines_.size() && is_header_line(lines_[s + 1])) {
      std::vector<size_t> starts = {s};
      for (size_t i = s + 1; i + 1 < lines_.size(); ++i) {
        if (starts_with(lines_[i], "From ") && is_blank(lines_[i - 1]) &&
            is_header_line(lines_[i + 1])) {
          starts.push_back(i);
        }
      }
      starts.push_back(lines_.size());
      for (size_t k = 0; k + 1 < starts.size(); ++k) {
        mails.push_back(read_message(starts[k], starts[k + 1], /*envelope=*/true));
      }
    } else if (is_header_line(lines_[s]) && is_mail_header(lines_[s])) {
      mails.push_back(read_message(s, lines_.size(), /*envelope=*/false));
    } else {
      mails.push_back(read_pipermail(s));
    }
    return mails;
  }

 private:
  [[noreturn]] void fail(size_t index, const std::string& reason) const {
    throw ParseError(file_, static_cast<int>(index + 1), reason);
  }

  static bool is_mail_header(std::string_view s) {
    const std::string key = lower(s.substr(0, s.find(':')));
    return key == "from" || key == "subject" || key == "date" || key == "message-id" ||
           key == "received" || key == "return-path" || key == "to";
  }

  MailLine at(size_t i) const { return MailLine{lines_[i], static_cast<int>(i + 1)}; }

  std::string raw_text(size_t begin, size_t end) const {
    std::string out;
    for (size_t i = begin; i < end; ++i) out += raw_[i];
    return out;
  }

  Mail read_message(size_t begin, size_t end, bool envelope) {
    Mail mail;
    mail.file = file_;
    mail.first_line = static_cast<int>(begin + 1);
    mail.raw = raw_text(begin, end);
    size_t i = begin;
    std::string envelope_line;
    if (envelope) {
      envelope_line = lines_[i];
      mail.format = is_format_patch_envelope(envelope_line) ? MailFormat::kFormatPatch
                                                            : MailFormat::kMbox;
      ++i;
    }
    struct Header {
      std::string key;
      MailLine value;
    };
    std::vector<Header> headers;
    for (; i < end && !lines_[i].empty(); ++i) {
      const std::string& l = lines_[i];
      if ((l[0] == ' ' || l[0] == '\t') && !headers.empty()) {
        headers.back().value.text += " " + trim(l);
      } else if (is_header_line(l)) {
        const size_t colon = l.find(':');
        headers.push_back(Header{lower(l.substr(0, colon)),
                                 MailLine{trim(std::string_view(l).substr(colon + 1)),
                                          static_cast<int>(i + 1)}});
      } else {
        fail(i, "bad mail header line " + quote_line(l) + " (no blank line after the headers?)");
      }
    }
    const size_t headers_begin = envelope ? begin + 1 : begin;
    if (i < end) ++i;  // the blank line
    std::string content_type, transfer_encoding;
    for (const Header& h : headers) {
      if (h.key == "from" && !mail.from) mail.from = h.value;
      if (h.key == "date" && !mail.date) mail.date = h.value;
      if (h.key == "subject" && !mail.subject) mail.subject = h.value;
      if (h.key == "content-type") content_type = h.value.text;
      if (h.key == "content-transfer-encoding") transfer_encoding = h.value.text;
    }
    // "=?UTF-8?q?Jos=C3=A9?=" -> "José", as git mailinfo does.
    if (mail.from) mail.from->text = decode_header_words(mail.from->text);
    if (mail.subject) mail.subject->text = decode_header_words(mail.subject->text);
    if (needs_mime_decoding(content_type, transfer_encoding)) {
      std::string text;
      for (size_t k = headers_begin; k < end; ++k) text += lines_[k] + "\n";
      DecodedBody decoded = decode_mime_body(text, static_cast<int>(headers_begin + 1), file_);
      mail.body = std::move(decoded.lines);
      mail.decoded = std::move(decoded.notes);
      i = end;
    }
    for (; i < end; ++i) {
      std::string text = lines_[i];
      // mboxrd: ">From " lines were quoted by one '>'.
      size_t q = 0;
      while (q < text.size() && text[q] == '>') ++q;
      if (q > 0 && std::string_view(text).substr(q).starts_with("From ")) text.erase(0, 1);
      mail.body.push_back(MailLine{std::move(text), static_cast<int>(i + 1)});
    }
    auto obfuscated = [](const std::string& s) {
      return has_obfuscated_address(s) && s.find('@') == std::string::npos;
    };
    mail.obfuscated = obfuscated(envelope_line) || (mail.from && obfuscated(mail.from->text));
    clean_up(mail);
    if (crlf_) mail.removed.push_back("the CR of every CRLF line end");
    return mail;
  }

  Mail read_pipermail(size_t s) {
    Mail mail;
    mail.file = file_;
    mail.first_line = static_cast<int>(s + 1);
    mail.format = MailFormat::kPipermail;
    mail.obfuscated = true;
    mail.raw = raw_text(s, lines_.size());
    auto not_mail = [&](size_t i, const std::string& what) {
      fail(i, "not a mail message: no mbox \"From \" line, no mail headers, and not a pipermail "
              "archive page (" + what + ")");
    };
    size_t i = s;
    mail.subject = at(i++);
    while (i < lines_.size() && is_blank(lines_[i])) ++i;
    if (i >= lines_.size()) not_mail(s, "only one line");
    if (!has_obfuscated_address(lines_[i]) && lines_[i].find('@') == std::string::npos) {
      not_mail(i, "expected the author line \"Name user at host\" after the subject");
    }
    mail.from = at(i++);
    if (i >= lines_.size() || !pipermail_date_to_rfc2822(trim(lines_[i]))) {
      not_mail(std::min(i, lines_.size() - 1),
               "expected a date like \"Fri Jun 19 20:22:21 PDT 2026\" after the author line");
    }
    mail.date = at(i++);
    while (i < lines_.size() && (is_blank(lines_[i]) || is_archive_navigation(lines_[i]))) ++i;
    for (; i < lines_.size(); ++i) mail.body.push_back(at(i));
    clean_up(mail);
    if (crlf_) mail.removed.push_back("the CR of every CRLF line end");
    return mail;
  }

  static void strip_trailing_blanks(std::vector<MailLine>& body) {
    while (!body.empty() && is_blank(body.back().text)) body.pop_back();
  }

  static void clean_up(Mail& mail) {
    std::vector<MailLine>& body = mail.body;
    for (size_t k = 0; k < body.size(); ++k) {
      if (trim(body[k].text) != kNextPart) continue;
      const int sep_line = body[k].line;
      const std::string next = k + 1 < body.size() ? body[k + 1].text : "";
      const bool stub = starts_with(next, "A non-text attachment was scrubbed") ||
                        starts_with(next, "An HTML attachment was scrubbed") ||
                        starts_with(next, "An embedded and charset-unspecified text was scrubbed") ||
                        starts_with(next, "An embedded message was scrubbed") ||
                        starts_with(next, "A message part incompatible");
      if (!stub) {
        body.erase(body.begin() + static_cast<long>(k));
        mail.removed.push_back(fmt::format(
            "the \"next part\" separator (line {}); the text attachment after it is kept", sep_line));
        --k;
        continue;
      }
      ScrubbedAttachment a{"", "", sep_line};
      size_t j = k + 2;
      for (; j < body.size(); ++j) {
        const std::string& t = body[j].text;
        if (starts_with(t, "Name: ")) {
          a.name = trim(t.substr(6));
        } else if (starts_with(t, "Type: ")) {
          a.type = trim(t.substr(6));
        } else if (!starts_with(t, "Size: ") && !starts_with(t, "Desc: ") &&
                   !starts_with(t, "URL: ") && !starts_with(t, "Url: ") &&
                   !starts_with(t, "Url : ")) {
          break;
        }
      }
      body.erase(body.begin() + static_cast<long>(k), body.begin() + static_cast<long>(j));
      mail.removed.push_back(fmt::format("a scrubbed-attachment stub (line {}{})", sep_line,
                                         a.name.empty() ? "" : ": " + a.name));
      mail.scrubbed.push_back(a);
      --k;
    }
    strip_trailing_blanks(body);
    for (;;) {
      if (body.empty()) break;
      const std::string last = trim(body.back().text);
      if (starts_with(last, "More information about the ") || is_archive_navigation(last)) {
        if (starts_with(last, "More information about the ")) {
          mail.removed.push_back(fmt::format("the archive footer (line {})", body.back().line));
        }
        body.pop_back();
      } else {
        // Mailman's list footer: a rule of underscores and a few lines after it.
        size_t u = body.size();
        for (size_t k = body.size(); k > 0 && body.size() - k < 6; --k) {
          const std::string t = trim(body[k - 1].text);
          if (t.size() >= 20 && t.find_first_not_of('_') == std::string::npos) {
            u = k - 1;
            break;
          }
        }
        bool list_footer = u < body.size();
        for (size_t k = u + 1; list_footer && k < body.size(); ++k) {
          const std::string& t = body[k].text;
          list_footer = t.find("mailing list") != std::string::npos ||
                        t.find("listinfo") != std::string::npos || has_obfuscated_address(t) ||
                        t.find('@') != std::string::npos;
        }
        if (!list_footer) break;
        mail.removed.push_back(fmt::format("the list footer (line {})", body[u].line));
        body.erase(body.begin() + static_cast<long>(u), body.end());
      }
      strip_trailing_blanks(body);
    }
  }

  std::string file_;
  std::vector<std::string_view> raw_;
  std::vector<std::string> lines_;
  bool crlf_ = false;
};

}  // namespace

const char* describe(MailFormat format) {
  switch (format) {
    case MailFormat::kPipermail: return "pipermail archive text";
    case MailFormat::kMbox: return "mbox message";
    case MailFormat::kFormatPatch: return "git-format-patch";
  }
  return "?";
}

std::vector<Mail> read_mails(std::string_view text, const std::string& file) {
  return Reader(text, file).read();
}

std::optional<std::string> pipermail_date_to_rfc2822(std::string_view date, bool* zone_known) {
  std::vector<std::string> t;
  for (size_t i = 0; i < date.size();) {
    while (i < date.size() && std::isspace(static_cast<unsigned char>(date[i]))) ++i;
    const size_t b = i;
    while (i < date.size() && !std::isspace(static_cast<unsigned char>(date[i]))) ++i;
    if (i > b) t.emplace_back(date.substr(b, i - b));
  }
  if (t.size() != 5 && t.size() != 6) return std::nullopt;
  static constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu",
                                                            "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (std::find(kDays.begin(), kDays.end(), t[0]) == kDays.end()) return std::nullopt;
  if (std::find(kMonths.begin(), kMonths.end(), t[1]) == kMonths.end()) return std::nullopt;
  auto number = [](const std::string& s, int lo, int hi) -> std::optional<int> {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
    return v;
  };
  const auto day = number(t[2], 1, 31);
  const std::string& time = t[3];
  const auto year = number(t.back(), 1970, 9999);
  if (!day || !year || time.size() != 8 || time[2] != ':' || time[5] != ':' ||
      !number(time.substr(0, 2), 0, 23) || !number(time.substr(3, 2), 0, 59) ||
      !number(time.substr(6, 2), 0, 60)) {
    return std::nullopt;
  }
  struct Zone {
    std::string_view name, offset;
  };
  static constexpr Zone kZones[] = {
      {"UTC", "+0000"},  {"GMT", "+0000"},  {"UT", "+0000"},   {"Z", "+0000"},
      {"PDT", "-0700"},  {"PST", "-0800"},  {"MDT", "-0600"},  {"MST", "-0700"},
      {"CDT", "-0500"},  {"CST", "-0600"},  {"EDT", "-0400"},  {"EST", "-0500"},
      {"AKDT", "-0800"}, {"AKST", "-0900"}, {"HST", "-1000"},  {"BST", "+0100"},
      {"IST", "+0530"},  {"WET", "+0000"},  {"WEST", "+0100"}, {"CET", "+0100"},
      {"CEST", "+0200"}, {"MET", "+0100"},  {"MEST", "+0200"}, {"EET", "+0200"},
      {"EEST", "+0300"}, {"MSK", "+0300"},  {"JST", "+0900"},  {"KST", "+0900"},
      {"AEST", "+1000"}, {"AEDT", "+1100"}, {"NZST", "+1200"}, {"NZDT", "+1300"},
  };
  std::string offset = "-0000";
  bool known = false;
  if (t.size() == 6) {
    for (const Zone& z : kZones) {
      if (t[4] == z.name) {
        offset = std::string(z.offset);
        known = true;
      }
    }
    if (!known && (t[4][0] == '+' || t[4][0] == '-') && t[4].size() == 5 &&
        number(t[4].substr(1), 0, 1400)) {
      offset = t[4];
      known = true;
    }
  }
  if (zone_known) *zone_known = known;
  return fmt::format("{}, {} {} {} {} {}", t[0], *day, t[1], *year, time, offset);
}

}  // namespace umq
