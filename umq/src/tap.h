// Reading TAP 13 / KTAP results as kselftest writes them: "TAP version 13",
// "1..N", "ok N - name", "not ok N name", directives "# SKIP", "# XFAIL",
// "# XPASS", "# TODO", "# TIMEOUT", nested subtests indented by four spaces
// or prefixed by "# " (the kselftest runner), and free text. Every result is
// flattened to a leaf case "parent/child".
//
// Hangs: a line "# HANG: <case>" (written by the boot script when its
// timeout fires) names the case that never finished; it is reported HANG.
// Every result the plan promised but the output never gave is a FAIL, named
// after the kselftest "#  RUN name" line if there was one. Free text at a
// case's level before its result is kept with it (TestCase::log).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace umq {

enum class Outcome { kPass, kFail, kSkip, kXFail, kXPass, kHang };

const char* outcome_name(Outcome o);  // "PASS", "FAIL", ...
bool counts_as_failure(Outcome o);    // FAIL, XPASS, HANG

struct TestCase {
  std::string name;
  Outcome outcome = Outcome::kPass;
  std::string detail;  // directive reason, or why a result is missing
  // The diagnostics printed at its level since the result before it (the
  // kselftest harness's TH_LOG lines between "#  RUN" and "ok"), the last
  // kMaxLog of them: what a failure said about itself.
  std::vector<std::string> log;
};

inline constexpr size_t kMaxLog = 4;

struct CellResults {
  std::string cell;
  std::vector<TestCase> cases;
  bool complete = true;  // every plan satisfied, no hang, no bail out
};

CellResults parse_tap(std::string_view text, const std::string& cell);

}  // namespace umq
