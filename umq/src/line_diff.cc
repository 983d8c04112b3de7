#include "line_diff.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace umq {

namespace {

// Marks the lines of a[] that are removed and of b[] that are added, by
// splitting each box at the middle snake of its shortest edit path.
class Myers {
 public:
  Myers(const std::vector<int>& a, const std::vector<int>& b)
      : a_(a), b_(b), removed_(a.size(), false), added_(b.size(), false) {
    const size_t max = a.size() + b.size() + 2;
    forward_.resize(2 * max + 1);
    backward_.resize(2 * max + 1);
  }

  void run() { compare(0, to_long(a_.size()), 0, to_long(b_.size())); }
  const std::vector<bool>& removed() const { return removed_; }
  const std::vector<bool>& added() const { return added_; }

 private:
  static long to_long(size_t n) { return static_cast<long>(n); }
  static size_t at(long i) { return static_cast<size_t>(i); }

  struct Snake {
    long x0, y0, x1, y1;  // the snake from (x0, y0) to (x1, y1), box-relative
  };

  // The middle snake of the box a[a0, a1) x b[b0, b1) (both non-empty).
  Snake middle_snake(long a0, long a1, long b0, long b1) {
    const long n = a1 - a0, m = b1 - b0, delta = n - m;
    const bool odd = (delta & 1) != 0;
    const long off = n + m + 1;  // index of diagonal 0
    auto fv = [&](long k) -> long& { return forward_[at(k + off)]; };
    auto bv = [&](long k) -> long& { return backward_[at(k + off)]; };
    fv(1) = 0;
    bv(1) = 0;
    const long max_d = (n + m + 1) / 2;
    for (long d = 0; d <= max_d; ++d) {
      for (long k = -d; k <= d; k += 2) {
        long x = (k == -d || (k != d && fv(k - 1) < fv(k + 1))) ? fv(k + 1) : fv(k - 1) + 1;
        long y = x - k;
        const long x0 = x, y0 = y;
        while (x < n && y < m && a_[at(a0 + x)] == b_[at(b0 + y)]) ++x, ++y;
        fv(k) = x;
        const long c = delta - k;  // the same diagonal, counted from the end
        if (odd && c >= -(d - 1) && c <= d - 1 && fv(k) + bv(c) >= n) return Snake{x0, y0, x, y};
      }
      for (long k = -d; k <= d; k += 2) {
        long x = (k == -d || (k != d && bv(k - 1) < bv(k + 1))) ? bv(k + 1) : bv(k - 1) + 1;
        long y = x - k;
        const long x0 = x, y0 = y;
        while (x < n && y < m && a_[at(a1 - 1 - x)] == b_[at(b1 - 1 - y)]) ++x, ++y;
        bv(k) = x;
        const long c = delta - k;
        if (!odd && c >= -d && c <= d && bv(k) + fv(c) >= n) return Snake{n - x, m - y, n - x0, m - y0};
      }
    }
    return Snake{0, 0, 0, 0};  // not reached: a path of length n + m always exists
  }

  void compare(long a0, long a1, long b0, long b1) {
    while (a0 < a1 && b0 < b1 && a_[at(a0)] == b_[at(b0)]) ++a0, ++b0;
    while (a0 < a1 && b0 < b1 && a_[at(a1 - 1)] == b_[at(b1 - 1)]) --a1, --b1;
    if (a0 == a1) {
      for (long j = b0; j < b1; ++j) added_[at(j)] = true;
      return;
    }
    if (b0 == b1) {
      for (long i = a0; i < a1; ++i) removed_[at(i)] = true;
      return;
    }
    const Snake s = middle_snake(a0, a1, b0, b1);
    compare(a0, a0 + s.x0, b0, b0 + s.y0);
    compare(a0 + s.x1, a1, b0 + s.y1, b1);
  }

  const std::vector<int>& a_;
  const std::vector<int>& b_;
  std::vector<bool> removed_, added_;
  std::vector<long> forward_, backward_;
};

}  // namespace

std::vector<DiffLine> diff_lines(const std::vector<std::string>& a,
                                 const std::vector<std::string>& b) {
  // Lines as numbers; a line found on one side only is a change for certain
  // and stays out of the search (it cannot be in a common subsequence), so
  // two unrelated inputs cost no more than reading them.
  std::unordered_map<std::string_view, int> ids;
  std::vector<int> ia(a.size()), ib(b.size());
  std::vector<int> in_a, in_b;
  for (size_t i = 0; i < a.size(); ++i) {
    ia[i] = ids.emplace(a[i], static_cast<int>(ids.size())).first->second;
  }
  std::vector<char> seen_in_a(ids.size(), 0), seen_in_b;
  for (int id : ia) seen_in_a[static_cast<size_t>(id)] = 1;
  for (size_t j = 0; j < b.size(); ++j) {
    ib[j] = ids.emplace(b[j], static_cast<int>(ids.size())).first->second;
  }
  seen_in_b.assign(ids.size(), 0);
  for (int id : ib) seen_in_b[static_cast<size_t>(id)] = 1;
  std::vector<size_t> map_a, map_b;  // positions of the kept lines
  for (size_t i = 0; i < a.size(); ++i) {
    if (seen_in_b[static_cast<size_t>(ia[i])]) {
      map_a.push_back(i);
      in_a.push_back(ia[i]);
    }
  }
  for (size_t j = 0; j < b.size(); ++j) {
    if (static_cast<size_t>(ib[j]) < seen_in_a.size() && seen_in_a[static_cast<size_t>(ib[j])]) {
      map_b.push_back(j);
      in_b.push_back(ib[j]);
    }
  }
  Myers myers(in_a, in_b);
  myers.run();
  std::vector<bool> removed(a.size(), true), added(b.size(), true);
  for (size_t k = 0; k < map_a.size(); ++k) removed[map_a[k]] = myers.removed()[k];
  for (size_t k = 0; k < map_b.size(); ++k) added[map_b[k]] = myers.added()[k];

  std::vector<DiffLine> out;
  out.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && removed[i]) {
      out.push_back({'-', a[i++]});
    } else if (j < b.size() && added[j]) {
      out.push_back({'+', b[j++]});
    } else {
      out.push_back({' ', a[i]});
      ++i;
      ++j;
    }
  }
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
