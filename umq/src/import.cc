#include "import.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "address.h"
#include "apply_hunks.h"
#include "blob_id.h"
#include "engine.h"
#include "lines.h"
#include "mail.h"
#include "patch.h"
#include "queue.h"
#include "tree_view.h"

namespace umq {
namespace {

using Outcome = ImportedPatch::Outcome;

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r") == std::string_view::npos;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string short_id(const std::string& id) { return id.empty() ? "absent" : id.substr(0, 12); }

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

bool is_diff_start(const std::vector<MailLine>& b, size_t i) {
  const std::string& l = b[i].text;
  if (starts_with(l, "diff --git ")) return true;
  return starts_with(l, "--- ") && i + 1 < b.size() && starts_with(b[i + 1].text, "+++ ");
}

// "Signed-off-by: ...": a trailer key (letters, digits, dashes) and a colon.
std::optional<std::string> trailer_key(std::string_view line) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= line.size() ||
      line[colon + 1] != ' ' || !std::isalpha(static_cast<unsigned char>(line[0]))) {
    return std::nullopt;
  }
  for (size_t i = 0; i < colon; ++i) {
    if (!std::isalnum(static_cast<unsigned char>(line[i])) && line[i] != '-') return std::nullopt;
  }
  return std::string(line.substr(0, colon));
}

bool is_known_trailer(const std::string& key) {
  std::string k = key;
  std::transform(k.begin(), k.end(), k.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return k == "cc" || k == "from" || k == "to" ||
         (k.size() > 3 && k.substr(k.size() - 3) == "-by");
}

// Two abbreviated ids name the same blob (as far as both say).
bool ids_agree(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;
  if (is_null_id(a) || is_null_id(b)) return is_null_id(a) && is_null_id(b);
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool id_is(const std::string& abbrev, const std::string& full_or_empty) {
  return is_null_id(abbrev) ? full_or_empty.empty()
                            : !full_or_empty.empty() && id_matches(abbrev, full_or_empty);
}

struct OutLine {
  std::string text;  // without "\n"
  int src = 0;       // line in the input file, 0 for lines import made up
};

// One message on its way to a patch file.
struct Draft {
  const Mail* mail = nullptr;
  size_t order = 0;
  ImportedPatch info;
  std::vector<OutLine> lines;
  bool final_newline = true;
  Patch patch;
  bool parsed = false;

  std::string render() const {
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
      out += lines[i].text;
      if (i + 1 < lines.size() || final_newline) out += '\n';
    }
    return out;
  }
  // The input line behind output line |out_line| (1-based).
  int src(int out_line) const {
    if (out_line >= 1 && static_cast<size_t>(out_line) <= lines.size() &&
        lines[static_cast<size_t>(out_line) - 1].src > 0) {
      return lines[static_cast<size_t>(out_line) - 1].src;
    }
    return mail->first_line;
  }
  void parse() {
    try {
      patch = parse_patch(render(), mail->file);
    } catch (const ParseError& e) {
      throw ParseError(mail->file, src(e.line()), e.reason());
    }
    parsed = true;
  }
  void add(std::string text, int src_line) { lines.push_back(OutLine{std::move(text), src_line}); }
};

enum class Built { kPatch, kNotAPatch };

class Builder {
 public:
  explicit Builder(Draft& d) : d_(d), m_(*d.mail), info_(d.info) {}

  Built build() {
    const auto& b = m_.body;
    size_t i = 0;
    while (i < b.size() && is_blank(b[i].text)) ++i;
    take_in_body_headers(i);
    size_t k = i;
    while (k < b.size() && !is_diff_start(b, k)) ++k;

    const std::optional<MailLine> subject = in_subject_ ? in_subject_ : m_.subject;
    if (!subject) throw ParseError(m_.file, m_.first_line, "no subject (no Subject: header or line)");
    info_.tag = series_tag(subject->text);
    info_.subject = normalize_subject(subject->text);
    if (k == b.size()) return not_a_patch();

    if (m_.format == MailFormat::kFormatPatch && !m_.obfuscated && m_.removed.empty() && m_.decoded.empty()) {
      return pass_through();
    }
    author();
    date();
    if (info_.subject != subject->text) {
      info_.changed.push_back(fmt::format("line {}: subject \"{}\" -> \"{}\"", subject->line,
                                          subject->text, info_.subject));
    }
    assemble(i, k);
    for (const std::string& r : m_.removed) info_.changed.push_back("removed " + r);
    for (const std::string& r : m_.decoded) info_.changed.push_back(r);
    return Built::kPatch;
  }

 private:
  void take_in_body_headers(size_t& i) {
    const auto& b = m_.body;
    size_t j = i;
    std::optional<MailLine> from, date, subject;
    for (; j < b.size(); ++j) {
      const std::string& t = b[j].text;
      auto value = [&](size_t n) { return MailLine{trim(std::string_view(t).substr(n)), b[j].line}; };
      if (starts_with(t, "From: ")) {
        from = value(6);
      } else if (starts_with(t, "Date: ")) {
        date = value(6);
      } else if (starts_with(t, "Subject: ")) {
        subject = value(9);
      } else {
        break;
      }
    }
    if (j == i || (j < b.size() && !is_blank(b[j].text))) return;
    in_from_ = from;
    in_date_ = date;
    in_subject_ = subject;
    i = j;
    while (i < b.size() && is_blank(b[i].text)) ++i;
  }

  Built not_a_patch() {
    for (const ScrubbedAttachment& a : m_.scrubbed) {
      const auto ends = [&](std::string_view suffix) {
        return a.name.size() >= suffix.size() &&
               a.name.substr(a.name.size() - suffix.size()) == suffix;
      };
      if (ends(".patch") || ends(".diff") || a.type.find("x-patch") != std::string::npos ||
          a.type.find("x-diff") != std::string::npos) {
        throw ParseError(m_.file, a.line,
                         "the patch was an attachment that the archive scrubbed (" + a.name +
                             "): fetch the original message");
      }
    }
    size_t quoted = 0;
    for (const MailLine& l : m_.body) quoted += starts_with(l.text, ">") ? 1u : 0u;
    std::string why = "not a patch (no diff in it)";
    if (quoted > 0) why += fmt::format("; a reply quoting {} lines", quoted);
    if (info_.tag.numbered() && info_.tag.n == 0) {
      why += fmt::format("; [PATCH 0/{}] is the cover letter or its thread", info_.tag.m);
    }
    info_.outcome = Outcome::kSkipped;
    info_.skipped_because = why;
    return Built::kNotAPatch;
  }

  Built pass_through() {
    size_t start = 0;
    int line = m_.first_line;
    const std::string& raw = m_.raw;
    while (start < raw.size()) {
      size_t nl = raw.find('\n', start);
      if (nl == std::string::npos) {
        d_.final_newline = false;
        nl = raw.size();
      }
      d_.add(raw.substr(start, nl - start), line++);
      start = nl + 1;
    }
    info_.written_as_is = true;
    info_.author = m_.from ? m_.from->text : "";
    info_.date = m_.date ? m_.date->text : "";
    info_.subject = m_.subject ? m_.subject->text : info_.subject;
    d_.parse();
    check_diffstat();
    return Built::kPatch;
  }

  void author() {
    if (in_from_) {
      author_ = in_from_->text;
      author_src_ = in_from_->line;
      if (m_.obfuscated && has_obfuscated_address(author_)) {
        const std::string clean = deobfuscate(author_);
        info_.changed.push_back(fmt::format("line {}: From: \"{}\" -> \"{}\"", in_from_->line,
                                            author_, clean));
        author_ = clean;
      }
    } else if (m_.from) {
      author_src_ = m_.from->line;
      author_ = m_.obfuscated ? author_from_archive_line(m_.from->text) : m_.from->text;
      if (author_.empty()) {
        throw ParseError(m_.file, m_.from->line, "no address in the author line " + quote_line(m_.from->text));
      }
      if (author_ != m_.from->text) {
        info_.changed.push_back(fmt::format(
            "line {}: author \"{}\" -> \"{}\" (the archive's author line; no in-body From:)",
            m_.from->line, m_.from->text, author_));
      }
    } else {
      throw ParseError(m_.file, m_.first_line, "no author (no From: header or line)");
    }
    info_.author = author_;
  }

  void date() {
    if (in_date_) {
      date_ = in_date_->text;
      date_src_ = in_date_->line;
    } else if (m_.date) {
      date_src_ = m_.date->line;
      if (m_.format == MailFormat::kPipermail) {
        bool zone_known = true;
        const auto rfc = pipermail_date_to_rfc2822(trim(m_.date->text), &zone_known);
        if (!rfc) throw ParseError(m_.file, m_.date->line, "bad date " + quote_line(m_.date->text));
        date_ = *rfc;
        info_.changed.push_back(fmt::format("line {}: date \"{}\" -> \"{}\"", m_.date->line,
                                            trim(m_.date->text), date_));
        if (!zone_known) {
          info_.unproven.push_back(fmt::format(
              "line {}: unknown time zone in \"{}\": written as -0000", m_.date->line,
              trim(m_.date->text)));
        }
      } else {
        date_ = m_.date->text;
      }
    } else {
      info_.unproven.push_back("no date in the message: no Date: header written");
    }
    info_.date = date_;
  }

  void assemble(size_t i, size_t k) {
    const auto& b = m_.body;
    size_t sep = k;
    for (size_t x = i; x < k; ++x) {
      if (b[x].text == "---") {
        sep = x;
        break;
      }
    }
    std::vector<MailLine> message(b.begin() + static_cast<long>(i), b.begin() + static_cast<long>(sep));
    while (!message.empty() && is_blank(message.back().text)) message.pop_back();
    std::vector<MailLine> notes;
    if (sep < k) notes.assign(b.begin() + static_cast<long>(sep) + 1, b.begin() + static_cast<long>(k));
    while (!notes.empty() && is_blank(notes.back().text)) notes.pop_back();
    while (!notes.empty() && is_blank(notes.front().text)) notes.erase(notes.begin());

    // The "-- " signature: the last such line with only a version after it.
    size_t sig = b.size();
    for (size_t x = b.size(); x-- > k;) {
      if (b[x].text != "-- " && b[x].text != "--") continue;
      bool only_version = true;
      size_t after = 0;
      for (size_t y = x + 1; y < b.size(); ++y) {
        const std::string& t = b[y].text;
        if (is_blank(t)) continue;
        ++after;
        if (t[0] == ' ' || t[0] == '+' || t[0] == '-' || t[0] == '@' || t[0] == '\\') only_version = false;
      }
      if (only_version && after <= 3) sig = x;
      break;
    }

    d_.add(std::string(kFormatPatchFrom), m_.first_line);
    for (std::string& l : author_header(author_)) d_.add(std::move(l), author_src_);
    if (!date_.empty()) d_.add("Date: " + date_, date_src_);
    for (std::string& l : subject_header(info_.subject)) {
      d_.add(std::move(l), in_subject_ ? in_subject_->line : m_.subject->line);
    }
    // Like git: a commit message (subject or body) past ASCII says its charset.
    bool non_ascii = has_non_ascii(info_.subject);
    for (const MailLine& l : message) non_ascii = non_ascii || has_non_ascii(l.text);
    if (non_ascii) {
      d_.add("MIME-Version: 1.0", 0);
      d_.add("Content-Type: text/plain; charset=UTF-8", 0);
      d_.add("Content-Transfer-Encoding: 8bit", 0);
    }
    d_.add("", 0);
    size_t last_paragraph = 0;
    for (size_t x = 0; x < message.size(); ++x) {
      if (is_blank(message[x].text)) last_paragraph = x + 1;
    }
    for (size_t x = 0; x < message.size(); ++x) {
      std::string text = message[x].text;
      if (m_.obfuscated && has_obfuscated_address(text)) {
        const auto key = trailer_key(text);
        if (key && (x >= last_paragraph || is_known_trailer(*key))) {
          const std::string clean = deobfuscate(text);
          for (const ObfuscatedAddress& a : find_obfuscated_addresses(text)) {
            info_.changed.push_back(fmt::format("line {}: {}: \"{}\" -> \"{}\"", message[x].line,
                                                *key, text.substr(a.begin, a.end - a.begin),
                                                a.address));
          }
          text = clean;
        } else {
          info_.warnings.push_back(fmt::format(
              "possible obfuscated address in {} line {}, not changed (no evidence; commit message text)",
              m_.file, message[x].line));
        }
      }
      d_.add(std::move(text), message[x].line);
    }
    d_.add("---", sep < k ? b[sep].line : 0);
    const size_t stat_at = d_.lines.size();
    for (const MailLine& l : notes) d_.add(l.text, l.line);
    if (!notes.empty()) d_.add("", 0);
    const size_t diff_begin = d_.lines.size();
    for (size_t x = k; x < sig; ++x) d_.add(b[x].text, b[x].line);
    size_t diff_end = d_.lines.size();
    if (sig < b.size()) {
      if (b[sig].text == "--") info_.changed.push_back(fmt::format("line {}: signature \"--\" -> \"-- \"", b[sig].line));
      d_.add("-- ", b[sig].line);
      size_t last = b.size();
      while (last > sig + 1 && is_blank(b[last - 1].text)) --last;
      for (size_t y = sig + 1; y < last; ++y) d_.add(b[y].text, b[y].line);
      d_.add("", 0);
    } else {
      info_.unproven.push_back("no \"-- \" signature: the message may end early (the diff itself parses)");
    }
    d_.parse();

    // Empty context lines whose leading space the archive ate: give it back.
    size_t restored = 0;
    for (const FileDiff& f : d_.patch.files) {
      for (const Hunk& h : f.hunks) {
        for (const HunkLine& l : h.lines) {
          OutLine& o = d_.lines[static_cast<size_t>(l.patch_line) - 1];
          if (l.kind == ' ' && is_blank(o.text) && o.text.empty()) {
            o.text = " ";
            ++restored;
          }
        }
      }
    }
    if (restored) {
      info_.changed.push_back(fmt::format("restored the leading space of {} empty context line(s)", restored));
    }
    // Blank lines after the last hunk: not part of the diff.
    while (diff_end > diff_begin && d_.lines[diff_end - 1].text.empty()) {
      d_.lines.erase(d_.lines.begin() + static_cast<long>(diff_end) - 1);
      --diff_end;
    }
    if (notes.empty()) {
      d_.parse();
      std::vector<OutLine> stat;
      const std::string s = render_diffstat(d_.patch);
      for (std::string_view l : split_lines(s)) stat.push_back(OutLine{std::string(chomp(l)), 0});
      stat.push_back(OutLine{"", 0});
      d_.lines.insert(d_.lines.begin() + static_cast<long>(stat_at), stat.begin(), stat.end());
      info_.changed.push_back(sep < k ? "added a diffstat (none after the \"---\" line)"
                                      : "added the \"---\" line and a diffstat (the message had none)");
    }
    d_.parse();
    check_diffstat();
  }

  void check_diffstat() {
    const ChangeCounts actual = count_changes(d_.patch);
    for (const OutLine& l : d_.lines) {
      if (starts_with(l.text, "diff --git ")) break;
      const auto said = parse_diffstat_summary(l.text);
      if (!said) continue;
      if (*said != actual) {
        throw ParseError(m_.file, l.src ? l.src : m_.first_line,
                         fmt::format("the diffstat says {}, the diff has {}: the message is "
                                     "incomplete or damaged",
                                     said->describe(), actual.describe()));
      }
      if (l.src) info_.verified.push_back("the diffstat matches the diff (" + actual.describe() + ")");
      return;
    }
  }

  Draft& d_;
  const Mail& m_;
  ImportedPatch& info_;
  std::optional<MailLine> in_from_, in_date_, in_subject_;
  std::string author_, date_;
  int author_src_ = 0, date_src_ = 0;
};

// ---------------------------------------------------------------------------
// Checking against the base tree.

struct FileState {
  bool known = true;     // the TreeView holds the real content
  std::string claimed;   // else: the id the part that wrote it claims
  int by = 0;            // part that last wrote it, 0 = the base
  std::set<int> stands_on;
  bool broken = false;   // that part did not apply
};

struct StandIn {
  std::string content;
  unsigned mode = 0644;
  std::string from;  // queue patch
};

struct Group {
  std::string version;
  int m = 0;
  std::vector<Draft*> drafts;  // by part number
  std::set<int> have, missing, failed;
  std::string part(int k) const { return m ? fmt::format("{}/{}", k, m) : "the patch"; }
  std::string parts(const std::set<int>& ks) const {
    std::vector<std::string> p;
    for (int k : ks) p.push_back(part(k));
    return join(p, ", ");
  }
  std::set<int> missing_between(int a, int b) const {
    std::set<int> out;
    for (int k : missing) {
      if (k > a && k < b) out.insert(k);
    }
    return out;
  }
};

class Checker {
 public:
  Checker(FileSystem& fs, const std::string& base, const std::map<std::string, StandIn>& stand_ins)
      : fs_(fs), base_(base), stand_ins_(stand_ins) {}

  void check(Group& g) {
    TreeView view(fs_, base_);
    std::map<std::string, FileState> states;
    for (Draft* d : g.drafts) check_draft(*d, g, view, states);
  }

 private:
  std::string where(const Group& g, const FileState& st) const {
    return st.by == 0 ? "the base" : "the file after " + g.part(st.by);
  }

  void check_draft(Draft& d, Group& g, TreeView& view, std::map<std::string, FileState>& states) {
    ImportedPatch& info = d.info;
    const int n = g.m ? info.tag.n : 1;
    std::set<int> via;
    for (size_t fi = 0; fi < d.patch.files.size(); ++fi) {
      FileDiff fd = d.patch.files[fi];
      const std::string pre = fd.is_new ? fd.new_path : fd.old_path;
      const FileState st = states[pre];
      FileState next{false, fd.new_id, n, {}, false};
      std::set<int> handled;  // output lines whose address question is settled

      if (!st.known) {
        if (!fd.old_id.empty() && ids_agree(fd.old_id, st.claimed)) {
          next.stands_on = st.stands_on;
          next.broken = st.broken;
          if (st.broken) {
            info.errors.push_back(fmt::format("{}: preimage {} = postimage of {}, which did not apply",
                                              pre, fd.old_id, g.part(st.by)));
          } else {
            via.insert(st.by);
            info.standing.push_back(fmt::format(
                "{}: preimage {} = postimage of {} (the ids chain up; its content is not "
                "available: {} stands on missing {})",
                pre, fd.old_id, g.part(st.by), g.part(st.by), g.parts(st.stands_on)));
          }
        } else {
          const std::set<int> missing = g.missing_between(st.by, n);
          if (!missing.empty()) {
            next.stands_on = missing;
            next.stands_on.insert(st.stands_on.begin(), st.stands_on.end());
            info.standing.push_back(fmt::format(
                "{}: preimage {} is not the postimage of {} ({}): it comes from missing {}", pre,
                fd.old_id.empty() ? "(no index line)" : fd.old_id, g.part(st.by), st.claimed,
                g.parts(missing)));
          } else {
            info.errors.push_back(fmt::format("{}: preimage {} does not match the postimage of {} ({})",
                                              pre, fd.old_id, g.part(st.by), st.claimed));
            next.broken = true;
          }
        }
        info.unproven.push_back(fmt::format("{}: not applied (its preimage is not available); postimage {} unproven",
                                            fd.path(), fd.new_id.empty() ? "(no index line)" : fd.new_id));
        info.stands_on.insert(next.stands_on.begin(), next.stands_on.end());
        warn_unsettled(d, fi, handled);
        record(states, fd, next);
        continue;
      }

      const std::string actual = view.id(pre);
      std::string place = where(g, st);
      if (!fd.old_id.empty() && !id_is(fd.old_id, actual)) {
        const std::set<int> missing = g.missing_between(st.by, n);
        const StandIn* stand_in = find_stand_in(fd.old_id);
        if (stand_in) {
          view.write(pre, stand_in->content, stand_in->mode);
          place = "the queue's file after " + stand_in->from;
          info.standing.push_back(fmt::format(
              "{}: preimage {} is not {} ({}) but the queue's file after {}{}", pre, fd.old_id,
              where(g, st), short_id(actual), stand_in->from,
              missing.empty() ? "" : " (standing in for missing " + g.parts(missing) + ")"));
          info.stands_on.insert(missing.begin(), missing.end());
        } else if (!missing.empty()) {
          info.standing.push_back(fmt::format(
              "{}: preimage {} is not {} ({}): it comes from missing {}", pre, fd.old_id,
              where(g, st), short_id(actual), g.parts(missing)));
          info.unproven.push_back(fmt::format("{}: not applied (its preimage is not available); postimage {} unproven",
                                              fd.path(), fd.new_id));
          info.stands_on.insert(missing.begin(), missing.end());
          next.stands_on = missing;
          warn_unsettled(d, fi, handled);
          record(states, fd, next);
          continue;
        } else {
          info.errors.push_back(fmt::format("{}: preimage id mismatch: the patch says {}, {} has {}",
                                            pre, fd.old_id, where(g, st), short_id(actual)));
          next.broken = true;
          warn_unsettled(d, fi, handled);
          record(states, fd, next);
          continue;
        }
      }

      const std::string content = view.get(pre).content;
      settle_addresses(d, fi, content, place, handled);
      fd = d.patch.files[fi];
      warn_unsettled(d, fi, handled);

      const unsigned before_mode = view.get(pre).mode;
      std::vector<std::string> notes;
      try {
        apply_file_diff(view, d.patch, fd, EngineOptions{}, &notes);
      } catch (const ApplyError& e) {
        info.errors.push_back(
            e.hunk() > 0
                ? fmt::format("{}: does not apply to {}: hunk #{} (line {}): {}", pre, place,
                              e.hunk(), d.src(e.patch_line()), e.reason())
                : fmt::format("{}: does not apply to {} (line {}): {}", pre, place,
                              d.src(e.patch_line()), e.reason()));
        next.broken = true;
        record(states, fd, next);
        continue;
      } catch (const FsError& e) {
        info.errors.push_back(fmt::format("{}: cannot read it in the base: {}", pre, e.what()));
        next.broken = true;
        record(states, fd, next);
        continue;
      }
      std::string how = fd.old_id.empty() ? fmt::format("applies to {}", place)
                                          : fmt::format("preimage {} matches {}, applies", fd.old_id, place);
      if (fd.is_new) how = "new file, applies";
      if (!notes.empty()) {
        for (std::string& note : notes) note = note.substr(note.find(": ") + 2);
        how += " (" + join(notes, ", ") + ")";
      }
      const bool mode_change = fd.old_mode && fd.new_mode && *fd.old_mode != *fd.new_mode;
      if (fd.new_id.empty() && fd.hunks.empty() && !fd.is_new && !fd.is_delete &&
          (mode_change || fd.is_rename)) {
        // Nothing in the content to prove: a mode change or a pure rename.
        std::string what = fd.is_rename ? "renamed from " + fd.old_path : "";
        if (mode_change) {
          const bool exec_before = (before_mode & 0111u) != 0;
          const bool says_exec = *fd.old_mode == kModeExecutable;
          what += fmt::format("{}mode {:o} -> {:o}", what.empty() ? "" : ", ", *fd.old_mode, *fd.new_mode);
          if (exec_before != says_exec) {
            info.unproven.push_back(fmt::format("{}: {}, but the file in {} is mode {:o}", fd.path(), what,
                                                place, before_mode));
            record(states, fd, FileState{true, "", n, {}, false});
            continue;
          }
        }
        info.verified.push_back(fmt::format("{}: {} applies to {}; no content change", fd.path(), what, place));
      } else if (fd.new_id.empty()) {
        info.unproven.push_back(fmt::format("{}: {}; no index line, so no blob ids to check", fd.path(), how));
      } else if (id_is(fd.new_id, view.id(fd.path()))) {
        info.verified.push_back(fmt::format("{}: {}, postimage {} matches", fd.path(), how, fd.new_id));
      } else {
        info.errors.push_back(fmt::format("{}: {}, but the postimage is {}, not {}", fd.path(), how,
                                          short_id(view.id(fd.path())), fd.new_id));
        next.broken = true;
        record(states, fd, next);
        continue;
      }
      next = FileState{true, "", n, {}, false};
      record(states, fd, next);
    }
    via.erase(0);
    if (!info.stands_on.empty()) info.through = via;
  }

  static void record(std::map<std::string, FileState>& states, const FileDiff& fd,
                     const FileState& next) {
    if (fd.is_rename && fd.old_path != fd.new_path) {
      FileState gone = next;
      if (!gone.known) gone.claimed = "0000000";
      states[fd.old_path] = gone;
    }
    states[fd.path()] = next;
  }

  const StandIn* find_stand_in(const std::string& abbrev) const {
    if (is_null_id(abbrev)) return nullptr;
    for (const auto& [id, s] : stand_ins_) {
      if (id_matches(abbrev, id)) return &s;
    }
    return nullptr;
  }

  struct Candidate {
    size_t hunk, line;  // indexes into the file diff
    int out_line;
    char kind;
  };

  static std::vector<Candidate> candidates(const FileDiff& fd) {
    std::vector<Candidate> c;
    for (size_t h = 0; h < fd.hunks.size(); ++h) {
      for (size_t l = 0; l < fd.hunks[h].lines.size(); ++l) {
        const HunkLine& hl = fd.hunks[h].lines[l];
        if (has_obfuscated_address(hl.text)) c.push_back(Candidate{h, l, hl.patch_line, hl.kind});
      }
    }
    return c;
  }

  static void convert(FileDiff& fd, const Candidate& c) {
    std::string& text = fd.hunks[c.hunk].lines[c.line].text;
    text = deobfuscate(text);
  }

  // Turns addresses in diff lines back where the base proves it (see import.h).
  void settle_addresses(Draft& d, size_t fi, const std::string& content, const std::string& place,
                        std::set<int>& handled) {
    if (!d.mail->obfuscated) return;
    const FileDiff& fd = d.patch.files[fi];
    const std::vector<Candidate> all = candidates(fd);
    if (all.empty()) return;
    ImportedPatch& info = d.info;
    std::map<int, std::string> evidence;  // out line -> why it is turned back

    for (size_t h = 0; h < fd.hunks.size(); ++h) {
      std::vector<Candidate> in_hunk;
      for (const Candidate& c : all) {
        if (c.hunk == h && c.kind != '+') in_hunk.push_back(c);
      }
      if (in_hunk.empty()) continue;
      if (apply_hunks(content, {fd.hunks[h]}).ok()) {
        for (const Candidate& c : in_hunk) {
          handled.insert(c.out_line);
          info.verified.push_back(fmt::format("line {}: \"... at ...\" is right as is: hunk #{} applies to {} with it",
                                              d.src(c.out_line), h + 1, place));
        }
        continue;
      }
      FileDiff trial = fd;
      for (const Candidate& c : in_hunk) convert(trial, c);
      if (!apply_hunks(content, {trial.hunks[h]}).ok()) continue;
      std::vector<Candidate> needed;
      for (const Candidate& c : in_hunk) {
        FileDiff without = trial;
        without.hunks[h].lines[c.line].text = fd.hunks[h].lines[c.line].text;
        if (apply_hunks(content, {without.hunks[h]}).ok()) {
          trial = without;
        } else {
          needed.push_back(c);
        }
      }
      for (const Candidate& c : needed) {
        evidence[c.out_line] = fmt::format("hunk #{} does not apply to {} as is, and applies with it", h + 1, place);
      }
    }

    std::vector<Candidate> added;
    for (const Candidate& c : all) {
      if (c.kind == '+') added.push_back(c);
    }
    if (!added.empty() && !fd.new_id.empty() && !is_null_id(fd.new_id) && !fd.is_delete) {
      FileDiff base = fd;
      for (const Candidate& c : all) {
        if (evidence.count(c.out_line)) convert(base, c);
      }
      auto post_matches = [&](const FileDiff& f) {
        const HunkResult r = apply_hunks(fd.is_new ? std::string() : content, f.hunks);
        return r.ok() && id_matches(fd.new_id, blob_id(r.content));
      };
      if (post_matches(base)) {
        for (const Candidate& c : added) {
          handled.insert(c.out_line);
          info.verified.push_back(fmt::format("line {}: \"... at ...\" is right as is: the postimage id {} matches with it",
                                              d.src(c.out_line), fd.new_id));
        }
      } else if (added.size() <= 12) {
        const unsigned count = 1u << added.size();
        std::vector<unsigned> masks;
        for (unsigned mask = 1; mask < count; ++mask) masks.push_back(mask);
        std::stable_sort(masks.begin(), masks.end(), [](unsigned a, unsigned b) {
          return __builtin_popcount(a) < __builtin_popcount(b);
        });
        for (unsigned mask : masks) {
          FileDiff trial = base;
          for (size_t x = 0; x < added.size(); ++x) {
            if (mask & (1u << x)) convert(trial, added[x]);
          }
          if (!post_matches(trial)) continue;
          for (size_t x = 0; x < added.size(); ++x) {
            if (mask & (1u << x)) {
              evidence[added[x].out_line] = fmt::format(
                  "the postimage id {} matches only with it", fd.new_id);
            } else {
              handled.insert(added[x].out_line);
            }
          }
          break;
        }
      }
    }
    if (evidence.empty()) return;
    for (const auto& [out_line, why] : evidence) {
      OutLine& o = d.lines[static_cast<size_t>(out_line) - 1];
      const std::string before = o.text;
      o.text = o.text.substr(0, 1) + deobfuscate(std::string_view(o.text).substr(1));
      handled.insert(out_line);
      for (const ObfuscatedAddress& a : find_obfuscated_addresses(std::string_view(before).substr(1))) {
        info.changed.push_back(fmt::format("line {}: diff line: \"{}\" -> \"{}\" ({})", o.src,
                                           before.substr(1 + a.begin, a.end - a.begin), a.address, why));
      }
    }
    d.parse();
  }

  static void warn_unsettled(Draft& d, size_t fi, const std::set<int>& handled) {
    if (!d.mail->obfuscated) return;
    for (const Candidate& c : candidates(d.patch.files[fi])) {
      if (handled.count(c.out_line)) continue;
      d.info.warnings.push_back(fmt::format("possible obfuscated address in {} line {}, not changed (no evidence)",
                                            d.mail->file, d.src(c.out_line)));
    }
  }

  FileSystem& fs_;
  std::string base_;
  const std::map<std::string, StandIn>& stand_ins_;
};

void warn_all_diff_lines(Draft& d) {
  if (!d.mail->obfuscated) return;
  for (const FileDiff& fd : d.patch.files) {
    for (const Hunk& h : fd.hunks) {
      for (const HunkLine& l : h.lines) {
        if (!has_obfuscated_address(l.text)) continue;
        d.info.warnings.push_back(fmt::format("possible obfuscated address in {} line {}, not changed (no evidence)",
                                              d.mail->file, d.src(l.patch_line)));
      }
    }
  }
}

std::string numbers(const std::set<int>& ks) {
  std::vector<std::string> p;
  for (int k : ks) p.push_back(std::to_string(k));
  return join(p, ", ");
}

}  // namespace

ImportReport import_mails(FileSystem& fs, const ImportOptions& options) {
  ImportReport report;
  std::vector<std::vector<Mail>> mails;  // per input, kept alive for the drafts
  std::vector<Draft> drafts;
  std::vector<ImportedPatch> early_failures;
  for (const std::string& input : options.inputs) {
    try {
      mails.push_back(read_mails(fs.read_file(input), input));
    } catch (const std::exception& e) {
      ImportedPatch p;
      p.source = input;
      p.outcome = Outcome::kFailed;
      p.errors.push_back(e.what());
      early_failures.push_back(std::move(p));
    }
  }
  for (const auto& list : mails) {
    for (const Mail& m : list) {
      Draft d;
      d.mail = &m;
      d.order = drafts.size();
      d.info.source = list.size() == 1 ? m.file : fmt::format("{}:{}", m.file, m.first_line);
      d.info.format = describe(m.format);
      drafts.push_back(std::move(d));
    }
  }
  for (Draft& d : drafts) {
    try {
      Builder(d).build();
    } catch (const ParseError& e) {
      d.info.outcome = Outcome::kFailed;
      d.info.errors.push_back(e.what());
    }
  }

  // Series: numbered patches grouped by version and size, the rest alone.
  std::vector<Group> groups;
  std::vector<Draft*> loose;
  for (Draft& d : drafts) {
    if (d.info.outcome == Outcome::kSkipped) continue;
    const SeriesTag& t = d.info.tag;
    if (!t.numbered() || t.n == 0) {
      if (d.info.outcome == Outcome::kImported) {
        Group g;
        g.drafts.push_back(&d);
        groups.push_back(std::move(g));
      }
      continue;
    }
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const Group& g) { return g.m == t.m && g.version == t.version; });
    if (it == groups.end()) {
      groups.push_back(Group{t.version, t.m, {}, {}, {}, {}});
      it = groups.end() - 1;
    }
    if (d.info.outcome == Outcome::kFailed) {
      it->failed.insert(t.n);
      continue;
    }
    const auto same = std::find_if(it->drafts.begin(), it->drafts.end(),
                                   [&](const Draft* o) { return o->info.tag.n == t.n; });
    if (same != it->drafts.end()) {
      d.info.outcome = Outcome::kFailed;
      d.info.errors.push_back(fmt::format("a second {}/{} (the first is {}): not imported", t.n, t.m,
                                          (*same)->info.source));
      continue;
    }
    it->drafts.push_back(&d);
    it->have.insert(t.n);
  }
  for (Group& g : groups) {
    std::stable_sort(g.drafts.begin(), g.drafts.end(),
                     [](const Draft* a, const Draft* b) { return a->info.tag.n < b->info.tag.n; });
    for (int k = 1; k <= g.m; ++k) {
      if (!g.have.count(k)) g.missing.insert(k);
    }
  }

  // Check against the base tree.
  std::map<std::string, StandIn> stand_ins;
  if (!options.base_tree.empty() && !fs.is_dir(options.base_tree)) {
    throw FsError("base tree " + options.base_tree + " is not a directory");
  }
  if (!options.queue_dir.empty()) {
    if (options.base_tree.empty()) {
      report.notes.push_back("--queue needs --tree (the queue applies on the base): ignored");
    } else {
      const Queue queue = load_queue(fs, options.queue_dir);
      TreeView view(fs, options.base_tree);
      size_t used = 0;
      for (const QueuedPatch& qp : queue.patches) {
        try {
          apply_patch(view, qp.patch, EngineOptions{}, nullptr);
        } catch (const std::exception& e) {
          report.notes.push_back("queue: " + qp.name + " does not apply on the base; stand-ins stop before it: " + e.what());
          break;
        }
        ++used;
        for (const FileDiff& fd : qp.patch.files) {
          const FileEntry& f = view.get(fd.path());
          if (f.exists) stand_ins.emplace(blob_id(f.content), StandIn{f.content, f.mode, qp.name});
        }
      }
      report.notes.push_back(fmt::format("queue {}: the states after its {} may stand in for missing parts",
                                         options.queue_dir, count_of(used, "patch", "patches")));
    }
  }
  if (options.base_tree.empty()) {
    report.notes.push_back("no base tree (--tree): nothing verified against a base; diff lines left as they are");
    for (Group& g : groups) {
      for (Draft* d : g.drafts) warn_all_diff_lines(*d);
    }
  } else {
    Checker checker(fs, options.base_tree, stand_ins);
    for (Group& g : groups) {
      checker.check(g);
    }
  }

  // Names, the series report, writing.
  std::vector<Draft*> ordered;
  std::map<std::string, std::string> names;  // file name -> source
  int loose_number = 0;
  for (Group& g : groups) {
    for (Draft* d : g.drafts) {
      if (!d->info.errors.empty()) d->info.outcome = Outcome::kFailed;
      const int number = g.m ? d->info.tag.n : ++loose_number;
      std::string title = d->patch.title();
      const std::string name = patch_file_name(number, title, g.version);
      if (names.count(name)) {
        d->info.outcome = Outcome::kFailed;
        d->info.errors.push_back("its file name " + name + " is taken by " + names[name]);
      } else if (d->info.outcome == Outcome::kImported) {
        names[name] = d->info.source;
        d->info.output = name;
      }
      ordered.push_back(d);
    }
    if (!g.m) continue;
    std::string line = fmt::format("series {}of {}: have {}", g.version.empty() ? "" : g.version + " ",
                                   g.m, numbers(g.have));
    if (!g.missing.empty()) line += "; missing " + numbers(g.missing);
    std::set<int> failed = g.failed;
    for (Draft* d : g.drafts) {
      if (d->info.outcome == Outcome::kFailed) failed.insert(d->info.tag.n);
    }
    if (!failed.empty()) line += "; failed " + numbers(failed);
    report.series.push_back(line);
    std::map<std::set<int>, std::set<int>> standing;  // missing parts -> parts standing on them
    std::set<int> verified;
    for (Draft* d : g.drafts) {
      if (d->info.outcome != Outcome::kImported) continue;
      if (!d->info.stands_on.empty()) {
        standing[d->info.stands_on].insert(d->info.tag.n);
      } else if (!options.base_tree.empty() && d->info.unproven.empty()) {
        verified.insert(d->info.tag.n);
      }
    }
    if (!verified.empty()) {
      report.series.push_back("  " + g.parts(verified) + (verified.size() == 1 ? " is" : " are") +
                              " verified against the base");
    }
    for (const auto& [missing, parts] : standing) {
      report.series.push_back("  " + g.parts(parts) + (parts.size() == 1 ? " stands" : " stand") +
                              " on missing " + g.parts(missing));
    }
  }
  for (Draft& d : drafts) {
    if (std::find(ordered.begin(), ordered.end(), &d) == ordered.end()) ordered.push_back(&d);
  }

  // Other patch files in the output directory would sit beside the new ones.
  std::set<std::string> to_write;
  for (Draft* d : ordered) {
    if (d->info.outcome == Outcome::kImported && !d->info.output.empty()) to_write.insert(d->info.output);
  }
  std::vector<std::string> stale;
  if (!to_write.empty() && fs.is_dir(options.output_dir)) {
    for (const std::string& f : fs.list_dir(options.output_dir)) {
      const auto ends = [&](std::string_view suffix) {
        return f.size() > suffix.size() && f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0;
      };
      if ((ends(".patch") || ends(".diff")) && !to_write.count(f) &&
          fs.is_file(join_path(options.output_dir, f))) {
        stale.push_back(f);
      }
    }
  }
  if (!stale.empty() && !options.replace) {
    throw FsError(fmt::format("{} holds {} this import would not write: {} (an earlier import?); nothing "
                              "written: give --replace to remove them, or another -o DIR",
                              options.output_dir, count_of(stale.size(), "patch file"), join(stale, ", ")));
  }
  for (const std::string& f : stale) fs.remove_file(join_path(options.output_dir, f));
  if (!stale.empty()) {
    report.notes.push_back(fmt::format("replaced {} of an earlier import in {}: {}",
                                       count_of(stale.size(), "patch file"), options.output_dir, join(stale, ", ")));
  }

  std::vector<std::string> written;
  for (Draft* d : ordered) {
    if (d->info.outcome != Outcome::kImported || d->info.output.empty()) continue;
    if (written.empty()) fs.make_dirs(options.output_dir);
    fs.write_file(join_path(options.output_dir, d->info.output), d->render(), 0644);
    written.push_back(d->info.output);
  }
  if (!written.empty()) {
    std::string series = "# written by umq import\n";
    for (const std::string& w : written) series += w + "\n";
    fs.write_file(join_path(options.output_dir, "series"), series, 0644);
    report.notes.push_back(fmt::format("wrote {} and {}", count_of(written.size(), "patch", "patches"),
                                       join_path(options.output_dir, "series")));
  }

  for (ImportedPatch& p : early_failures) report.patches.push_back(std::move(p));
  for (Draft* d : ordered) report.patches.push_back(std::move(d->info));
  for (const ImportedPatch& p : report.patches) {
    report.imported += p.outcome == Outcome::kImported;
    report.skipped += p.outcome == Outcome::kSkipped;
    report.failed += p.outcome == Outcome::kFailed;
  }
  return report;
}

void print_import_report(const ImportReport& report, std::ostream& out) {
  for (const ImportedPatch& p : report.patches) {
    std::string head = p.source;
    if (!p.format.empty()) head += " (" + p.format + ")";
    switch (p.outcome) {
      case Outcome::kImported: head += " -> " + p.output; break;
      case Outcome::kSkipped: head += ": skipped: " + p.skipped_because; break;
      case Outcome::kFailed: head += ": FAILED, not written"; break;
    }
    out << head << "\n";
    if (!p.subject.empty()) out << "  " << p.subject << "\n";
    if (!p.author.empty()) out << "  author: " << p.author << (p.date.empty() ? "" : ", date: " + p.date) << "\n";
    if (p.written_as_is) out << "  changed: nothing (already a clean git-format-patch; copied byte for byte)\n";
    for (const std::string& s : p.changed) out << "  changed: " << s << "\n";
    for (const std::string& s : p.verified) out << "  verified: " << s << "\n";
    if (!p.stands_on.empty()) {
      std::vector<std::string> parts;
      for (int k : p.stands_on) parts.push_back(fmt::format("{}/{}", k, p.tag.m));
      std::vector<std::string> through;
      for (int k : p.through) through.push_back(fmt::format("{}/{}", k, p.tag.m));
      out << "  stands on missing " << join(parts, ", ")
          << (through.empty() ? "" : " (through " + join(through, ", ") + ")") << ":\n";
    }
    for (const std::string& s : p.standing) out << (p.stands_on.empty() ? "  note: " : "    ") << s << "\n";
    for (const std::string& s : p.unproven) out << "  not proven: " << s << "\n";
    for (const std::string& s : p.warnings) out << "  warning: " << s << "\n";
    for (const std::string& s : p.errors) out << "  error: " << s << "\n";
  }
  for (const std::string& s : report.series) out << s << "\n";
  for (const std::string& s : report.notes) out << s << "\n";
  out << fmt::format("import: {} imported, {} skipped, {} failed\n", report.imported,
                     report.skipped, report.failed);
}

}  // namespace umq
