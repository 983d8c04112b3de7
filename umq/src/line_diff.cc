#include "line_diff.h"

#include <algorithm>
#include <cstdint>

namespace umq {

std::vector<DiffLine> diff_lines(const std::vector<std::string>& a,
                                 const std::vector<std::string>& b) {
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) {
    ++suf;
  }
  const size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  std::vector<DiffLine> out;
  for (size_t i = 0; i < pre; ++i) out.push_back({' ', a[i]});
  if (n * m > 4'000'000) {
    for (size_t i = 0; i < n; ++i) out.push_back({'-', a[pre + i]});
    for (size_t j = 0; j < m; ++j) out.push_back({'+', b[pre + j]});
  } else {
    // lcs[i][j]: longest common subsequence of a[pre+i..] and b[pre+j..].
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        at(i, j) = a[pre + i] == b[pre + j] ? at(i + 1, j + 1) + 1
                                            : std::max(at(i + 1, j), at(i, j + 1));
      }
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        out.push_back({' ', a[pre + i]});
        ++i;
        ++j;
      } else if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) {
        out.push_back({'+', b[pre + j]});
        ++j;
      } else {
        out.push_back({'-', a[pre + i]});
        ++i;
      }
    }
    // Removals before additions inside each changed run, like diff(1).
    for (size_t s = 0; s < out.size();) {
      if (out[s].op == ' ') {
        ++s;
        continue;
      }
      size_t e = s;
      while (e < out.size() && out[e].op != ' ') ++e;
      std::stable_partition(out.begin() + static_cast<long>(s), out.begin() + static_cast<long>(e),
                            [](const DiffLine& l) { return l.op == '-'; });
      s = e;
    }
  }
  for (size_t i = a.size() - suf; i < a.size(); ++i) out.push_back({' ', a[i]});
  return out;
}

std::vector<DiffHunk> unified_hunks(const std::vector<DiffLine>& script, size_t context) {
  std::vector<DiffHunk> hunks;
  std::vector<size_t> a_pos(script.size()), b_pos(script.size());
  size_t ai = 0, bi = 0;
  for (size_t k = 0; k < script.size(); ++k) {
    a_pos[k] = ai;
    b_pos[k] = bi;
    if (script[k].op != '+') ++ai;
    if (script[k].op != '-') ++bi;
  }
  size_t k = 0;
  while (k < script.size()) {
    while (k < script.size() && script[k].op == ' ') ++k;
    if (k == script.size()) break;
    size_t begin = k >= context ? k - context : 0;
    size_t end = k;
    for (;;) {
      while (end < script.size() && script[end].op != ' ') ++end;
      size_t gap = end;
      while (gap < script.size() && script[gap].op == ' ') ++gap;
      if (gap < script.size() && gap - end <= 2 * context) {
        end = gap;
        continue;
      }
      end = std::min(script.size(), end + context);
      break;
    }
    DiffHunk h;
    h.a_start = a_pos[begin];
    h.b_start = b_pos[begin];
    h.lines.assign(script.begin() + static_cast<long>(begin), script.begin() + static_cast<long>(end));
    hunks.push_back(std::move(h));
    k = end;
  }
  return hunks;
}

}  // namespace umq
