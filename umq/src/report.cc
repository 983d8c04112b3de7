#include "report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "file_system.h"

namespace umq {
namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string tap_safe(std::string s) {
  std::replace(s.begin(), s.end(), '#', '_');
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

// A failure's log line, cut to what a CI log tail can hold.
std::string clip(const std::string& line) {
  constexpr size_t kMax = 400;
  return line.size() <= kMax ? line : line.substr(0, kMax) + " [...]";
}

}  // namespace

std::string cell_name(const std::string& path) {
  std::string base = base_name(path);
  const size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base.resize(dot);
  return base;
}

Totals count(const std::vector<CellResults>& cells) {
  Totals t;
  for (const CellResults& cell : cells) {
    for (const TestCase& c : cell.cases) {
      switch (c.outcome) {
        case Outcome::kPass: ++t.passed; break;
        case Outcome::kSkip: ++t.skipped; break;
        case Outcome::kXFail: ++t.xfailed; break;
        case Outcome::kFail:
        case Outcome::kXPass:
        case Outcome::kHang: ++t.failed; break;
      }
    }
  }
  return t;
}

std::string render_table(const std::vector<CellResults>& all_cells) {
  // Cells that share case names with another cell form the matrix table;
  // a cell whose cases are its own (a unit test suite beside the matrix)
  // gets one summary row, so that the table stays readable.
  std::map<std::string, size_t> seen_in;  // case -> number of cells
  for (const CellResults& cell : all_cells) {
    std::map<std::string, bool> once;
    for (const TestCase& c : cell.cases) once[c.name] = true;
    for (const auto& [name, unused] : once) ++seen_in[name];
  }
  auto shares = [&](const CellResults& cell) {
    return std::any_of(cell.cases.begin(), cell.cases.end(),
                       [&](const TestCase& c) { return seen_in[c.name] > 1; });
  };
  const bool matrix = std::any_of(all_cells.begin(), all_cells.end(), shares);
  std::vector<CellResults> cells;
  std::vector<const CellResults*> suites;
  for (const CellResults& cell : all_cells) {
    if (matrix && !shares(cell)) {
      suites.push_back(&cell);
    } else {
      cells.push_back(cell);
    }
  }

  std::vector<std::string> cases;
  std::map<std::string, std::map<std::string, const TestCase*>> grid;  // case -> cell -> result
  for (const CellResults& cell : cells) {
    for (const TestCase& c : cell.cases) {
      if (!grid.count(c.name)) cases.push_back(c.name);
      grid[c.name][cell.cell] = &c;
    }
  }
  size_t width = 4;
  for (const std::string& c : cases) width = std::max(width, c.size());
  std::string out = fmt::format("{:<{}}", "case", width);
  for (const CellResults& cell : cells) out += fmt::format("  {:<7}", cell.cell);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += "\n";
  for (const std::string& name : cases) {
    std::string row = fmt::format("{:<{}}", name, width);
    for (const CellResults& cell : cells) {
      auto it = grid[name].find(cell.cell);
      const std::string v = it == grid[name].end() ? "-" : outcome_name(it->second->outcome);
      row += fmt::format("  {:<{}}", v, std::max<size_t>(7, cell.cell.size()));
    }
    while (!row.empty() && row.back() == ' ') row.pop_back();
    out += row + "\n";
  }
  if (!suites.empty()) {
    size_t w = 5;
    for (const CellResults* cell : suites) w = std::max(w, cell->cell.size());
    out += "\n";
    for (const CellResults* cell : suites) {
      const Totals t = count({*cell});
      out += fmt::format("{:<{}}  {} cases: {} passed, {} failed", cell->cell, w,
                         cell->cases.size(), t.passed, t.failed);
      if (t.skipped > 0 || t.xfailed > 0) {
        out += fmt::format(", {} skipped, {} xfail", t.skipped, t.xfailed);
      }
      out += "\n";
    }
  }
  std::string problems;
  for (const CellResults& cell : all_cells) {
    for (const TestCase& c : cell.cases) {
      if (counts_as_failure(c.outcome)) {
        problems += fmt::format("{} {}: {}{}\n", outcome_name(c.outcome), cell.cell, c.name,
                                c.detail.empty() ? "" : " (" + c.detail + ")");
        for (const std::string& line : c.log) problems += "    | " + clip(line) + "\n";
      }
    }
  }
  if (!problems.empty()) out += "\n" + problems;
  const Totals t = count(all_cells);
  out += "\n";
  if (t.skipped > 0 || t.xfailed > 0) {
    out += fmt::format("{} skipped, {} xfail\n", t.skipped, t.xfailed);
  }
  out += fmt::format("{} passed, {} failed\n", t.passed, t.failed);
  return out;
}

std::string render_combined_tap(const std::vector<CellResults>& cells) {
  std::string out = "TAP version 13\n";
  out += fmt::format("1..{}\n", cells.size());
  size_t n = 0;
  for (const CellResults& cell : cells) {
    out += fmt::format("# Subtest: {}\n", cell.cell);
    out += fmt::format("    1..{}\n", cell.cases.size());
    bool failed = false;
    size_t i = 0;
    for (const TestCase& c : cell.cases) {
      ++i;
      const bool bad = counts_as_failure(c.outcome);
      failed |= bad;
      std::string directive;
      switch (c.outcome) {
        case Outcome::kSkip: directive = " # SKIP"; break;
        case Outcome::kXFail: directive = " # XFAIL"; break;
        case Outcome::kXPass: directive = " # XPASS"; break;
        case Outcome::kHang: directive = " # HANG"; break;
        default: break;
      }
      if (!directive.empty() && !c.detail.empty()) directive += " " + tap_safe(c.detail);
      out += fmt::format("    {} {} {}{}\n", bad ? "not ok" : "ok", i, tap_safe(c.name), directive);
    }
    out += fmt::format("{} {} {}\n", failed ? "not ok" : "ok", ++n, tap_safe(cell.cell));
  }
  return out;
}

std::string render_junit(const std::vector<CellResults>& cells) {
  const Totals all = count(cells);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  size_t total = 0;
  for (const CellResults& cell : cells) total += cell.cases.size();
  out += fmt::format("<testsuites name=\"umq\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
                     total, all.failed, all.skipped + all.xfailed);
  for (const CellResults& cell : cells) {
    const Totals t = count({cell});
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
                       xml_escape(cell.cell), cell.cases.size(), t.failed, t.skipped + t.xfailed);
    for (const TestCase& c : cell.cases) {
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\"", xml_escape(cell.cell),
                         xml_escape(c.name));
      const std::string msg = xml_escape(c.detail);
      switch (c.outcome) {
        case Outcome::kPass: out += "/>\n"; break;
        case Outcome::kSkip:
        case Outcome::kXFail:
          out += fmt::format(">\n      <skipped message=\"{}{}\"/>\n    </testcase>\n",
                             outcome_name(c.outcome), msg.empty() ? "" : ": " + msg);
          break;
        case Outcome::kFail:
        case Outcome::kXPass:
        case Outcome::kHang:
          out += fmt::format(">\n      <failure type=\"{}\" message=\"{}\"/>\n    </testcase>\n",
                             outcome_name(c.outcome), msg.empty() ? outcome_name(c.outcome) : msg);
          break;
      }
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace umq
