#include "verify.h"

#include <fmt/format.h>

#include "blob_id.h"
#include "engine.h"

namespace umq {
namespace {

class Checker {
 public:
  Checker(VerifyResult& result) : result_(result) {}

  void check(TreeView& view, const Patch& patch, const std::string& path,
             const std::string& abbrev, const char* what) {
    if (abbrev.empty() || path.empty()) return;
    ++result_.ids_checked;
    const std::string actual = view.id(path);
    const bool want_absent = is_null_id(abbrev);
    const bool ok = want_absent ? actual.empty() : (!actual.empty() && id_matches(abbrev, actual));
    if (!ok) {
      result_.issues.push_back(VerifyIssue{
          patch.file, path, what, want_absent ? "absent" : abbrev,
          actual.empty() ? "absent" : actual.substr(0, std::max<size_t>(abbrev.size(), 12))});
    }
  }

 private:
  VerifyResult& result_;
};

std::string pre_path(const FileDiff& d) { return d.is_new ? d.new_path : d.old_path; }

}  // namespace

std::string VerifyIssue::describe() const {
  if (what == "apply") return fmt::format("{}: {}: {}", patch, file, expected);
  return fmt::format("{}: {}: {} id mismatch: expected {}, actual {}", patch, file, what, expected,
                     actual);
}

VerifyResult verify_series(const TreeView& view, const Queue& queue, size_t start) {
  VerifyResult result;
  result.start = start;
  Checker checker(result);
  auto apply_failed = [&](const Patch& patch, const std::exception& e, const std::string& file) {
    result.issues.push_back(VerifyIssue{patch.file, file, "apply", e.what(), ""});
  };

  TreeView fwd = view;
  for (size_t i = start; i < queue.size(); ++i) {
    const Patch& patch = queue.patches[i].patch;
    try {
      for (const FileDiff& d : patch.files) {
        checker.check(fwd, patch, pre_path(d), d.old_id, "preimage");
        apply_file_diff(fwd, patch, d, EngineOptions{}, nullptr);
        checker.check(fwd, patch, d.path(), d.new_id, "postimage");
      }
    } catch (const ApplyError& e) {
      apply_failed(patch, e, e.file());
      break;
    } catch (const FsError& e) {
      apply_failed(patch, e, "");
      break;
    }
  }

  TreeView back = view;
  for (size_t i = start; i > 0; --i) {
    const Patch& patch = queue.patches[i - 1].patch;
    try {
      for (auto it = patch.files.rbegin(); it != patch.files.rend(); ++it) {
        const FileDiff& d = *it;
        checker.check(back, patch, d.path(), d.new_id, "postimage");
        apply_file_diff(back, patch, d, EngineOptions{0, true}, nullptr);
        checker.check(back, patch, pre_path(d), d.old_id, "preimage");
      }
    } catch (const ApplyError& e) {
      apply_failed(patch, e, e.file());
      break;
    } catch (const FsError& e) {
      apply_failed(patch, e, "");
      break;
    }
  }
  return result;
}

}  // namespace umq
