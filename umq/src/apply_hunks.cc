#include "apply_hunks.h"

#include <fmt/format.h>

#include "lines.h"

namespace umq {
namespace {

struct Shape {
  std::vector<std::string_view> old_lines, new_lines;
  size_t lead = 0, trail = 0;  // context lines before the first / after the last change
};

Shape shape_of(const Hunk& h) {
  Shape s;
  for (const HunkLine& l : h.lines) {
    if (l.kind != '+') s.old_lines.push_back(l.text);
    if (l.kind != '-') s.new_lines.push_back(l.text);
  }
  while (s.lead < h.lines.size() && h.lines[s.lead].kind == ' ') ++s.lead;
  while (s.trail < h.lines.size() - s.lead && h.lines[h.lines.size() - 1 - s.trail].kind == ' ') {
    ++s.trail;
  }
  return s;
}

bool matches_at(const std::vector<std::string_view>& file, size_t pos,
                const std::vector<std::string_view>& pattern, size_t from, size_t to) {
  if (pos + (to - from) > file.size()) return false;
  for (size_t i = from; i < to; ++i) {
    if (file[pos + i - from] != pattern[i]) return false;
  }
  return true;
}

std::string mismatch_reason(const std::vector<std::string_view>& file, long expected,
                            const std::vector<std::string_view>& pattern) {
  if (expected < 0) expected = 0;
  const auto pos = static_cast<size_t>(expected);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pos + i >= file.size()) {
      return fmt::format("context mismatch at line {} of target: the file has only {} lines "
                         "(expected {})",
                         pos + i + 1, file.size(), quote_line(pattern[i]));
    }
    if (file[pos + i] != pattern[i]) {
      return fmt::format("context mismatch at line {} of target: expected {}, found {}",
                         pos + i + 1, quote_line(pattern[i]), quote_line(file[pos + i]));
    }
  }
  return fmt::format("context mismatch at line {} of target (hunk overlaps an earlier hunk)",
                     pos + 1);
}

}  // namespace

std::string HunkNote::describe() const {
  std::string s = fmt::format("hunk #{} applied", hunk);
  if (offset != 0) {
    s += fmt::format(" at offset {:+} line{}", offset, offset == 1 || offset == -1 ? "" : "s");
  }
  if (fuzz != 0) s += fmt::format(" with fuzz {}", fuzz);
  return s;
}

HunkResult apply_hunks(std::string_view content, const std::vector<Hunk>& hunks,
                       int max_fuzz) {
  const std::vector<std::string_view> file = split_lines(content);
  HunkResult result;
  std::string& out = result.content;
  out.reserve(content.size() + 1024);
  size_t cursor = 0;  // first line of |file| not yet copied or replaced
  long drift = 0;     // offset at which the previous hunk applied

  for (size_t n = 0; n < hunks.size(); ++n) {
    const Hunk& h = hunks[n];
    const Shape s = shape_of(h);
    // Line index where the old lines should start.
    const long stated = h.old_count == 0 ? h.old_start : h.old_start - 1;
    const long expected = stated + drift;
    bool found = false;
    size_t pos = 0;
    size_t drop_front = 0, drop_back = 0;
    int fuzz_used = 0;

    for (int fuzz = 0; fuzz <= max_fuzz && !found; ++fuzz) {
      drop_front = std::min(static_cast<size_t>(fuzz), s.lead);
      drop_back = std::min(static_cast<size_t>(fuzz), s.trail);
      if (fuzz > 0 && drop_front == 0 && drop_back == 0) break;  // nothing left to drop
      const size_t from = drop_front, to = s.old_lines.size() - drop_back;
      const long target = expected + static_cast<long>(drop_front);
      // Without fuzz, a hunk with less leading than trailing context was made
      // at the start of the file (and vice versa): it must stay there.
      const bool at_start = fuzz == 0 && s.lead < s.trail && stated == 0;
      const bool at_end = fuzz == 0 && s.trail < s.lead;
      auto try_at = [&](long p) {
        if (p < static_cast<long>(cursor)) return false;
        const auto up = static_cast<size_t>(p);
        if (up + (to - from) > file.size()) return false;
        if (at_start && up != 0) return false;
        if (at_end && up + (to - from) != file.size()) return false;
        return matches_at(file, up, s.old_lines, from, to);
      };
      if (to == from) {
        // Pure insertion without context: only the stated place makes sense.
        if (target >= static_cast<long>(cursor) && target <= static_cast<long>(file.size())) {
          found = true;
          pos = static_cast<size_t>(target);
        }
      } else {
        const long limit = static_cast<long>(file.size()) + 1;
        for (long d = 0; d <= limit && !found; ++d) {
          if (try_at(target + d)) {
            found = true;
            pos = static_cast<size_t>(target + d);
          } else if (d > 0 && try_at(target - d)) {
            found = true;
            pos = static_cast<size_t>(target - d);
          }
        }
      }
      if (found) fuzz_used = fuzz;
    }

    if (!found) {
      result.failure = HunkFailure{static_cast<int>(n + 1), h.patch_line,
                                   mismatch_reason(file, expected, s.old_lines)};
      return result;
    }
    for (size_t i = cursor; i < pos; ++i) out += file[i];
    for (size_t i = drop_front; i < s.new_lines.size() - drop_back; ++i) out += s.new_lines[i];
    cursor = pos + (s.old_lines.size() - drop_front - drop_back);
    const long start = static_cast<long>(pos) - static_cast<long>(drop_front);
    drift = start - stated;
    if (drift != 0 || fuzz_used != 0) {
      result.notes.push_back(HunkNote{static_cast<int>(n + 1), drift, fuzz_used});
    }
  }
  for (size_t i = cursor; i < file.size(); ++i) out += file[i];
  return result;
}

}  // namespace umq
