#include "tap.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <memory>
#include <optional>

#include "lines.h"

namespace umq {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kPass: return "PASS";
    case Outcome::kFail: return "FAIL";
    case Outcome::kSkip: return "SKIP";
    case Outcome::kXFail: return "XFAIL";
    case Outcome::kXPass: return "XPASS";
    case Outcome::kHang: return "HANG";
  }
  return "?";
}

bool counts_as_failure(Outcome o) {
  return o == Outcome::kFail || o == Outcome::kXPass || o == Outcome::kHang;
}

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// The TAP and KTAP directives this parser knows, upper case.
bool is_directive(std::string_view d) {
  return d == "SKIP" || d == "XFAIL" || d == "TODO" || d == "XPASS" || d == "TIMEOUT";
}

bool is_structural(std::string_view s) {
  return starts_with(s, "TAP version") || starts_with(s, "KTAP version") ||
         starts_with(s, "1..") || starts_with(s, "ok ") || s == "ok" ||
         starts_with(s, "not ok") || starts_with(s, "Bail out!");
}

struct Block {
  std::optional<long> plan;
  long results = 0;
  std::vector<TestCase> cases;
  std::string subtest_name;  // from "# Subtest: NAME" inside, or "# selftests: ..." before
  std::string running;       // kselftest harness "#  RUN name" without its end
  std::vector<std::string> notes;  // diagnostics since the last result, the last kMaxLog
  std::unique_ptr<Block> child;  // a closed nested block waiting for its result line
};

class TapReader {
 public:
  explicit TapReader(std::string cell) { result_.cell = std::move(cell); }

  CellResults read(std::string_view text) {
    stack_.push_back(std::make_unique<Block>());
    bool any_tap = false;
    for (std::string_view raw : split_lines(text)) {
      std::string_view line = chomp(raw);
      size_t depth = 0;
      bool last_was_hash = false;
      std::string_view rest = line;
      for (;;) {
        if (starts_with(rest, "    ")) {
          rest.remove_prefix(4);
          last_was_hash = false;
        } else if (starts_with(rest, "# ")) {
          rest.remove_prefix(2);
          last_was_hash = true;
        } else if (rest == "#") {
          rest = "";
          last_was_hash = true;
        } else {
          break;
        }
        ++depth;
      }
      if (is_structural(rest)) {
        any_tap = true;
        structural(depth, rest);
      } else if (last_was_hash) {
        // A diagnostic: its last "# " is the comment marker, not nesting.
        diagnostic(depth - 1, rest);
      }
    }
    while (stack_.size() > 1) close_top(/*at_eof=*/true);
    finish_block(*stack_.back());
    if (!hang_.empty() && !hang_used_) {
      // Every planned result came, yet the boot script saw a hang (at exit).
      hang_used_ = true;
      result_.complete = false;
      stack_.back()->cases.push_back(
          TestCase{hang_, Outcome::kHang, "hung after its results (HANG: " + hang_ + ")", {}});
    }
    for (TestCase& c : stack_.back()->cases) result_.cases.push_back(std::move(c));
    if (bailed_) result_.complete = false;
    if (!any_tap && result_.cases.empty()) {
      result_.complete = false;
      result_.cases.push_back(TestCase{hang_.empty() ? "(no TAP output)" : hang_,
                                       hang_.empty() ? Outcome::kFail : Outcome::kHang,
                                       "the cell produced no TAP results", {}});
    }
    return std::move(result_);
  }

 private:
  void sync_depth(size_t depth) {
    while (stack_.size() > depth + 1) close_top(false);
    while (stack_.size() < depth + 1) {
      auto b = std::make_unique<Block>();
      b->subtest_name = std::move(next_name_);
      next_name_.clear();
      stack_.push_back(std::move(b));
    }
  }

  // Pops the innermost block; it waits in its parent for the parent's result line.
  void close_top(bool at_eof) {
    std::unique_ptr<Block> b = std::move(stack_.back());
    stack_.pop_back();
    Block& parent = *stack_.back();
    if (!at_eof) {
      parent.child = std::move(b);
      return;
    }
    // Its result line never came: report its cases under its own name.
    const std::string name =
        b->subtest_name.empty() ? fmt::format("#{}", parent.results + 1) : b->subtest_name;
    finish_block(*b);
    for (TestCase& c : b->cases) {
      c.name = name + "/" + c.name;
      parent.cases.push_back(std::move(c));
    }
    ++parent.results;
    add_missing(parent, name, true);
  }

  // Adds a case for every result the plan promised but the block never gave.
  void finish_block(Block& b) {
    if (b.child) {
      // A closed nested block whose result line never came.
      std::unique_ptr<Block> child = std::move(b.child);
      stack_.push_back(std::move(child));
      close_top(true);
    }
    if (b.plan && b.results < *b.plan) {
      for (long n = b.results + 1; n <= *b.plan; ++n) {
        const bool named = n == b.results + 1 && !b.running.empty();
        add_missing(b, named ? b.running : fmt::format("#{}", n), named);
      }
    } else if (!b.running.empty()) {
      add_missing(b, b.running, true);
    }
  }

  // The first missing result is the hung one when the boot script said so.
  void add_missing(Block& b, const std::string& name, bool named) {
    result_.complete = false;
    if (!hang_.empty() && !hang_used_) {
      hang_used_ = true;
      b.cases.push_back(TestCase{named ? name : hang_, Outcome::kHang,
                                 "hung: no result before the timeout (HANG: " + hang_ + ")", {}});
    } else {
      b.cases.push_back(TestCase{name, Outcome::kFail, "no result (output ends early)", {}});
    }
    b.cases.back().log = std::move(b.notes);
    b.notes.clear();
    b.running.clear();
  }

  void structural(size_t depth, std::string_view s) {
    sync_depth(depth);
    Block& b = *stack_.back();
    if (starts_with(s, "TAP version") || starts_with(s, "KTAP version")) return;
    if (starts_with(s, "1..")) {
      long n = 0;
      const std::string_view num = s.substr(3);
      auto r = std::from_chars(num.data(), num.data() + num.size(), n);
      if (r.ec == std::errc()) b.plan = n;
      return;
    }
    if (starts_with(s, "Bail out!")) {
      bailed_ = true;
      return;
    }
    result(b, s);
  }

  void result(Block& b, std::string_view s) {
    const bool ok = starts_with(s, "ok");
    s.remove_prefix(ok ? 2 : 6);
    std::string rest = trim(s);
    long number = b.results + 1;
    size_t digits = 0;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
    if (digits > 0) {
      std::from_chars(rest.data(), rest.data() + digits, number);
      rest = trim(rest.substr(digits));
    }
    if (starts_with(rest, "- ")) rest = trim(rest.substr(2));
    std::string directive, reason;
    if (const size_t hash = rest.find(" # "); hash != std::string::npos || starts_with(rest, "# ")) {
      const size_t at = hash == std::string::npos ? 0 : hash + 1;
      std::string d = trim(rest.substr(at + 1));
      rest = trim(rest.substr(0, at));
      const size_t sp = d.find(' ');
      directive = d.substr(0, sp);
      for (char& c : directive) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      reason = sp == std::string::npos ? "" : trim(d.substr(sp + 1));
      if (!is_directive(directive)) {
        // A plain comment ("# 1 killed: ..."): the whole of it is the detail.
        directive.clear();
        reason = d;
      }
    }
    std::string name = rest.empty() ? fmt::format("#{}", number) : rest;

    Outcome outcome = ok ? Outcome::kPass : Outcome::kFail;
    if (directive == "SKIP") {
      outcome = Outcome::kSkip;
    } else if (directive == "XFAIL" || (directive == "TODO" && !ok)) {
      outcome = Outcome::kXFail;
    } else if (directive == "XPASS" || (directive == "TODO" && ok)) {
      outcome = Outcome::kXPass;
    } else if (directive == "TIMEOUT") {
      outcome = Outcome::kHang;
    }
    ++b.results;
    b.running.clear();
    next_name_.clear();
    std::vector<std::string> log = std::move(b.notes);
    b.notes.clear();
    if (b.child) {
      std::unique_ptr<Block> child = std::move(b.child);
      finish_block(*child);
      bool child_failed = false;
      for (TestCase& c : child->cases) {
        child_failed |= counts_as_failure(c.outcome);
        c.name = name + "/" + c.name;
        b.cases.push_back(std::move(c));
      }
      // A failing parent whose children all passed (a crash after them, a
      // timeout, a bad exit code) must still show up.
      if ((counts_as_failure(outcome) && !child_failed) || child->cases.empty()) {
        b.cases.push_back(TestCase{name, outcome, reason, std::move(log)});
      }
      return;
    }
    b.cases.push_back(TestCase{name, outcome, reason, std::move(log)});
  }

  void diagnostic(size_t depth, std::string_view text) {
    const std::string t = trim(text);
    if (starts_with(t, "HANG:")) {
      hang_ = trim(std::string_view(t).substr(5));
      return;
    }
    sync_depth(std::min(depth, stack_.size() - 1));
    Block& b = *stack_.back();
    if (starts_with(t, "Subtest:")) {
      next_name_ = trim(std::string_view(t).substr(8));
      return;
    }
    if (starts_with(t, "selftests: ")) {
      next_name_ = t;
      return;
    }
    if (starts_with(t, "RUN ")) {
      std::string name = trim(std::string_view(t).substr(4));
      if (name.size() > 4 && name.substr(name.size() - 4) == " ...") name.resize(name.size() - 4);
      b.running = name;
      b.notes.clear();
      return;
    }
    if (starts_with(t, "OK ") || starts_with(t, "FAIL ") || starts_with(t, "SKIP ") ||
        starts_with(t, "XFAIL ")) {
      b.running.clear();
      return;
    }
    if (t.empty()) return;
    if (b.notes.size() == kMaxLog) b.notes.erase(b.notes.begin());
    b.notes.push_back(t);
  }

  CellResults result_;
  std::vector<std::unique_ptr<Block>> stack_;
  std::string next_name_;
  std::string hang_;
  bool hang_used_ = false;
  bool bailed_ = false;
};

}  // namespace

CellResults parse_tap(std::string_view text, const std::string& cell) {
  return TapReader(cell).read(text);
}

}  // namespace umq
