#include "engine.h"

#include <fmt/format.h>

#include "apply_hunks.h"
#include "blob_id.h"

namespace umq {

ApplyError::ApplyError(std::string patch, int patch_line, std::string file, int hunk,
                       std::string reason)
    : std::runtime_error(
          hunk > 0 ? fmt::format("{}:{}: {}: hunk #{}: {}", patch, patch_line, file, hunk, reason)
                   : fmt::format("{}:{}: {}: {}", patch, patch_line, file, reason)),
      patch_(std::move(patch)),
      patch_line_(patch_line),
      file_(std::move(file)),
      hunk_(hunk),
      reason_(std::move(reason)) {}

unsigned permissions_for(unsigned git_mode, unsigned current) {
  return git_mode == kModeExecutable ? (current | 0111u) : (current & ~0111u);
}

namespace {

// Why the forward diff failed, if the opposite direction explains it.
std::string other_direction_hint(TreeView& view, const FileDiff& diff, bool reverse) {
  const FileDiff undo = reverse_diff(diff);
  const std::string& path = undo.is_new ? undo.new_path : undo.old_path;
  if (path.empty() || !view.exists(path) || undo.is_new) return "";
  if (apply_hunks(view.get(path).content, undo.hunks).ok()) {
    return reverse ? " (not applied: the patch itself applies cleanly)"
                   : " (already applied: the reverse applies cleanly)";
  }
  return "";
}

// With check_ids: when |before| (nullptr: no file) is the preimage the index
// line names, |after| must be its postimage. Returns the reason if not.
std::string postimage_problem(const FileDiff& diff, const std::string* before, const std::string* after) {
  if (!diff.has_index() || !is_hex_id(diff.old_id) || !is_hex_id(diff.new_id)) return "";
  const auto names = [](const std::string& id, const std::string* content) {
    return is_null_id(id) ? content == nullptr : content != nullptr && id_matches(id, blob_id(*content));
  };
  if (!names(diff.old_id, before) || names(diff.new_id, after)) return "";
  return fmt::format("the result is not the postimage {} of the index line (it is {}) although the file "
                     "was its preimage {}: the patch is damaged",
                     diff.new_id, after ? blob_id(*after).substr(0, diff.new_id.size()) : "absent",
                     diff.old_id);
}

// Whether undoing |diff| on |after| gives |before| back: the hunks of the
// reverse are found where the forward ones went (a hunk applied at an offset
// may have a closer match for its reverse; a hunk's new-side line numbers may
// not be where it applied). Only such changes can be unapplied later.
bool reversible(const FileDiff& diff, const std::string& before, const std::string& after, int fuzz) {
  if (diff.hunks.empty()) return true;
  const HunkResult back = apply_hunks(after, reverse_diff(diff).hunks, fuzz);
  return back.ok() && back.content == before;
}

constexpr const char* kIrreversible =
    "the reverse of this diff would not give the file back (the @@ line numbers disagree with "
    "where the hunks applied): refusing a change umq could not undo";

}  // namespace

void apply_file_diff(TreeView& view, const Patch& patch, const FileDiff& original,
                     const EngineOptions& options, std::vector<std::string>* notes) {
  const FileDiff diff = options.reverse ? reverse_diff(original) : original;
  const std::string& target = diff.path();
  auto fail = [&](int hunk, int line, const std::string& reason) {
    throw ApplyError(patch.file, line, target, hunk, reason);
  };
  const bool already = !options.reverse;

  if (diff.is_new) {
    const FileEntry& existing = view.get(diff.new_path);
    HunkResult r = apply_hunks("", diff.hunks);
    if (!r.ok()) fail(r.failure->hunk, r.failure->patch_line, r.failure->reason);
    if (existing.exists) {
      fail(0, diff.patch_line,
           existing.content == r.content
               ? (already ? "file already exists (already applied: same content)"
                          : "file already exists (not applied: same content as the original)")
               : "file already exists");
    }
    if (options.check_ids) {
      const std::string problem = postimage_problem(diff, nullptr, &r.content);
      if (!problem.empty()) fail(0, diff.patch_line, problem);
    }
    if (!reversible(diff, "", r.content, options.fuzz)) fail(0, diff.patch_line, kIrreversible);
    const unsigned mode = permissions_for(diff.new_mode.value_or(kModeRegular), 0644);
    view.write(diff.new_path, std::move(r.content), mode);
    return;
  }

  const FileEntry source = view.get(diff.old_path);
  if (!source.exists) {
    std::string hint;
    if (diff.is_delete) {
      hint = already ? " (already applied: the file is already deleted)" : "";
    } else if (diff.is_rename && view.exists(diff.new_path)) {
      hint = already ? " (already applied: the rename target exists)" : "";
    }
    fail(0, diff.patch_line, "missing file" + hint);
  }
  if (diff.is_rename && diff.new_path != diff.old_path && view.exists(diff.new_path)) {
    fail(0, diff.patch_line, "rename target " + diff.new_path + " already exists");
  }

  HunkResult r = apply_hunks(source.content, diff.hunks, options.fuzz);
  if (!r.ok()) {
    const std::string reason = r.failure->reason + other_direction_hint(view, diff, options.reverse);
    throw ApplyError(patch.file, r.failure->patch_line, diff.old_path, r.failure->hunk, reason);
  }
  if (notes) {
    for (const HunkNote& n : r.notes) notes->push_back(diff.old_path + ": " + n.describe());
  }
  if (options.check_ids) {
    const std::string problem = postimage_problem(diff, &source.content, diff.is_delete ? nullptr : &r.content);
    if (!problem.empty()) fail(0, diff.patch_line, problem);
  }
  if (diff.is_delete) {
    if (!r.content.empty()) {
      fail(0, diff.patch_line,
           fmt::format("file to delete has content the patch does not remove ({} bytes left)",
                       r.content.size()));
    }
    if (!reversible(diff, source.content, r.content, options.fuzz)) fail(0, diff.patch_line, kIrreversible);
    view.remove(diff.old_path);
    return;
  }
  if (!reversible(diff, source.content, r.content, options.fuzz)) fail(0, diff.patch_line, kIrreversible);
  unsigned mode = source.mode;
  if (diff.old_mode && diff.new_mode && *diff.old_mode != *diff.new_mode) {
    mode = permissions_for(*diff.new_mode, mode);
  }
  if (diff.is_rename && diff.new_path != diff.old_path) view.remove(diff.old_path);
  view.write(diff.new_path, std::move(r.content), mode);
}

void apply_patch(TreeView& view, const Patch& patch, const EngineOptions& options,
                 std::vector<std::string>* notes) {
  if (!options.reverse) {
    for (const FileDiff& d : patch.files) apply_file_diff(view, patch, d, options, notes);
  } else {
    for (auto it = patch.files.rbegin(); it != patch.files.rend(); ++it) {
      apply_file_diff(view, patch, *it, options, notes);
    }
  }
}

}  // namespace umq
