// The test report: cells (one TAP file each, e.g. results/up-on.tap) x cases,
// printed as a table, written as combined TAP and JUnit XML, closed by the
// line "N passed, N failed".
#pragma once

#include <string>
#include <vector>

#include "tap.h"

namespace umq {

struct Totals {
  size_t passed = 0, failed = 0, skipped = 0, xfailed = 0;
};

Totals count(const std::vector<CellResults>& cells);

// Table, list of failures, "N skipped, N xfail" when any, and the closing line.
std::string render_table(const std::vector<CellResults>& cells);

// One TAP 13 stream: one subtest per cell.
std::string render_combined_tap(const std::vector<CellResults>& cells);

// JUnit XML: a <testsuite> per cell, a <testcase> per case.
std::string render_junit(const std::vector<CellResults>& cells);

// "up-on" for "results/up-on.tap".
std::string cell_name(const std::string& path);

}  // namespace umq
