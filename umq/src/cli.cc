#include "cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "bench.h"
#include "engine.h"
#include "import.h"
#include "lines.h"
#include "overlay.h"
#include "queue.h"
#include "range_diff.h"
#include "report.h"
#include "status.h"
#include "tree_view.h"
#include "verify.h"

namespace umq {
namespace {

struct Options {
  std::string tree;     // "" = the current directory, when it is a kernel tree
  std::string queue;    // "" = default_queue()
  std::string overlay;  // "" = $UMQ_OVERLAY, else arch-um-overlay beside the queue
  bool json = false;
  std::optional<size_t> upto, downto;
  int fuzz = 0;
  bool remove = false;
  std::vector<std::string> report_files;
  std::string results = "results";
  std::string tap_out, junit_out;
  int reps = 5;
  bool full_copy = false;
  std::vector<std::string> import_files;
  std::string output_dir = "imported";
  bool queue_given = false;
  bool replace = false;
  std::vector<std::string> rd_series, rd_old, rd_new;
  RangeDiffOptions rd;
};

class Commands {
 public:
  Commands(CliEnv& env, Options& o) : env_(env), o_(o) {}

  int status();
  int verify();
  int apply();
  int unapply();
  int overlay();
  int recover();
  int report();
  int bench();
  int import();
  int range_diff();

 private:
  // Takes the tree's lock, loads the queue. A writing command first
  // recovers an interrupted run; a reading one (status, verify) refuses to
  // go on and names the command that recovers it (|*interrupted| = true).
  // Returns false on error.
  enum class Access { kRead, kWrite };
  bool prepare(Access access, bool need_queue = true, bool* interrupted = nullptr);
  // --tree, --queue and --overlay, or their defaults. Returns false (said why) if none.
  bool resolve_tree();
  bool resolve_queue();
  std::string recover_command() const { return "umq recover --tree " + o_.tree; }
  Journal journal() { return Journal(env_.fs, o_.tree, env_.step); }
  std::string name(size_t k) const {
    return k == 0 ? std::string("pristine") : queue_.patches[k - 1].number;
  }
  int fail(const std::string& msg) {
    env_.err << "umq: " << msg << "\n";
    return 1;
  }
  // The state to start from, by blob ids or (with a warning) by content.
  std::optional<size_t> start_state(TreeView& view, const char* what);
  int move(size_t from, size_t to, TreeView& view);
  std::set<std::string> series_paths() const;

  CliEnv& env_;
  Options& o_;
  Queue queue_;
  std::unique_ptr<FileSystem::Lock> lock_;  // one umq per tree at a time
  std::vector<std::string> disputed_;        // from start_state: files the ids place elsewhere
  // Nothing to do by a guess the ids dispute is not success: say so.
  int refuse_disputed(const char* what, size_t k) {
    std::string files;
    for (const std::string& d : disputed_) files += (files.empty() ? "" : ", ") + d;
    return fail(fmt::format("refusing to {}: by content the tree looks at {} ({}/{}), but the ids place {}", what,
                            name(k), k, queue_.size(), files));
  }
};

bool is_kernel_tree(FileSystem& fs, const std::string& dir) {
  return !tree_version(fs, dir).empty() && fs.is_file(join_path(dir, "Kconfig"));
}

std::string cwd_of(const CliEnv& env) { return env.cwd.empty() ? std::string(".") : env.cwd; }

}  // namespace

std::string default_queue(FileSystem& fs, const CliEnv& env) {
  if (const auto it = env.vars.find("UMQ_QUEUE"); it != env.vars.end() && !it->second.empty()) return it->second;
  const std::string here = join_path(cwd_of(env), "patches");
  if (fs.is_file(join_path(here, "series"))) return here;
  for (std::string dir = env.self_dir; !dir.empty();) {
    const std::string q = join_path(dir, "patches");
    if (fs.is_file(join_path(q, "series"))) return q;
    const std::string up = dir_name(dir);
    if (up == dir) break;
    dir = up;
  }
  return "";
}

namespace {

bool Commands::resolve_tree() {
  if (!o_.tree.empty()) return true;
  const std::string cwd = cwd_of(env_);
  if (!is_kernel_tree(env_.fs, cwd)) {
    env_.err << "umq: --tree PATH is required: the current directory " << cwd
             << " is not a kernel tree (no Makefile with VERSION and PATCHLEVEL, or no Kconfig)\n";
    return false;
  }
  o_.tree = cwd;
  return true;
}

bool Commands::resolve_queue() {
  if (o_.queue.empty()) o_.queue = default_queue(env_.fs, env_);
  if (o_.queue.empty()) {
    env_.err << "umq: no patch queue: no --queue, no $UMQ_QUEUE, no patches/series in " << cwd_of(env_)
             << " or in a directory above the umq binary ("
             << (env_.self_dir.empty() ? std::string("unknown") : env_.self_dir) << ")\n";
    return false;
  }
  if (o_.overlay.empty()) {
    const auto it = env_.vars.find("UMQ_OVERLAY");
    o_.overlay = it != env_.vars.end() && !it->second.empty() ? it->second
                                                                : join_path(dir_name(o_.queue), "arch-um-overlay");
  }
  return true;
}

bool Commands::prepare(Access access, bool need_queue, bool* interrupted) {
  if (!resolve_tree()) return false;
  if (!env_.fs.is_dir(o_.tree)) {
    env_.err << "umq: tree " << o_.tree << " is not a directory\n";
    return false;
  }
  if (need_queue && !resolve_queue()) return false;
  try {
    lock_ = env_.fs.lock_dir(o_.tree, [this] {
      env_.err << "umq: waiting for another umq run on " << o_.tree << "\n";
    });
    if (access == Access::kRead) {
      const std::string pending = journal().describe_pending();
      if (!pending.empty()) {
        if (interrupted) *interrupted = true;
        if (!o_.json) {
          env_.out << pending << "\n"
                   << "the tree's state is unknown until then: run `" << recover_command() << "`\n";
        }
        return false;
      }
    } else {
      const std::string done = journal().recover();
      if (!done.empty()) env_.err << "umq: " << done << "\n";
    }
  } catch (const FsError& e) {
    env_.err << "umq: " << (access == Access::kRead ? "reading" : "recovering") << " the interrupted run failed: "
             << e.what() << "\n";
    return false;
  }
  if (!need_queue) return true;
  try {
    queue_ = load_queue(env_.fs, o_.queue);
  } catch (const std::exception& e) {
    env_.err << "umq: " << e.what() << "\n";
    return false;
  }
  return true;
}

std::set<std::string> Commands::series_paths() const {
  std::set<std::string> paths;
  const auto expectations = series_expectations(queue_);
  for (const auto& [path, e] : expectations[0]) paths.insert(path);
  return paths;
}

int Commands::status() {
  bool interrupted = false;
  if (!prepare(Access::kRead, true, &interrupted)) {
    if (interrupted && o_.json) {
      nlohmann::json j;
      j["tree"] = o_.tree;
      j["known"] = false;
      j["interrupted"] = journal().describe_pending();
      j["recover"] = recover_command();
      env_.out << j.dump(2) << "\n";
    }
    return 1;
  }
  TreeView view(env_.fs, o_.tree);
  const Status st = compute_status(view, queue_);
  const auto overlay_files = load_overlay(env_.fs, o_.overlay, overlay_base(env_.fs, o_.overlay));
  const OverlayStatus ov = overlay_status(view, overlay_files);
  const bool known = st.known() && ov.state != OverlayState::kModified;
  if (o_.json) {
    nlohmann::json j;
    j["tree"] = o_.tree;
    j["version"] = st.version;
    j["known"] = known;
    j["summary"] = st.summary();
    j["total"] = st.total;
    j["applied"] = st.applied ? nlohmann::json(*st.applied) : nlohmann::json(nullptr);
    j["by_content"] = st.by_content ? nlohmann::json(*st.by_content) : nlohmann::json(nullptr);
    j["patches"] = nlohmann::json::array();
    for (size_t i = 0; i < queue_.size(); ++i) {
      j["patches"].push_back({{"name", queue_.patches[i].name},
                              {"number", queue_.patches[i].number},
                              {"applied", st.applied ? nlohmann::json(i < *st.applied)
                                                     : nlohmann::json(nullptr)}});
    }
    j["problems"] = nlohmann::json::array();
    for (const FileProblem& p : st.problems) {
      j["problems"].push_back({{"file", p.path}, {"problem", p.problem}});
    }
    static const char* kOverlay[] = {"none", "not applied", "applied", "modified"};
    j["overlay"] = {{"state", kOverlay[static_cast<int>(ov.state)]},
                    {"files", ov.files},
                    {"matching", ov.matching},
                    {"differing", ov.differing}};
    env_.out << j.dump(2) << "\n";
    return known ? 0 : 1;
  }
  env_.out << st.summary() << "\n";
  for (const FileProblem& p : st.problems) env_.out << "  " << p.problem << "\n";
  for (size_t i = 0; i < queue_.size(); ++i) {
    const char* mark = !st.applied ? "?" : i < *st.applied ? "applied" : "-";
    env_.out << fmt::format("  {:<8} {}\n", mark, queue_.patches[i].name);
  }
  env_.out << "overlay: " << ov.describe() << "\n";
  return known ? 0 : 1;
}

std::optional<size_t> Commands::start_state(TreeView& view, const char* what) {
  const Status st = compute_status(view, queue_, o_.fuzz);
  if (st.applied) return st.applied;
  if (st.by_content) {
    disputed_ = st.disputed;
    env_.err << "umq: warning: " << st.summary() << "\n";
    for (const FileProblem& p : st.problems) env_.err << "umq:   " << p.problem << "\n";
    env_.err << "umq: warning: " << what << " from the state the content shows\n";
    return st.by_content;
  }
  env_.err << "umq: " << st.summary() << "\n";
  for (const FileProblem& p : st.problems) env_.err << "umq:   " << p.problem << "\n";
  return std::nullopt;
}

int Commands::verify() {
  if (!prepare(Access::kRead)) return 1;
  TreeView view(env_.fs, o_.tree);
  const Status st = compute_status(view, queue_);
  size_t start = 0;
  if (st.applied) {
    start = *st.applied;
  } else {
    env_.out << st.summary() << "\n";
    for (const FileProblem& p : st.problems) env_.out << "  " << p.problem << "\n";
    start = st.by_content.value_or(0);
    env_.out << "verifying as if at " << name(start) << "\n";
  }
  const VerifyResult r = verify_series(view, queue_, start);
  for (const VerifyIssue& issue : r.issues) env_.out << issue.describe() << "\n";
  if (r.ok() && st.applied) {
    env_.out << fmt::format("verify: OK: {} blob ids of {} patches match (tree: {})\n",
                            r.ids_checked, queue_.size(), st.summary());
    return 0;
  }
  env_.out << fmt::format("verify: FAILED: {} problem(s)\n",
                          r.issues.size() + (st.applied ? 0 : 1));
  return 1;
}

int Commands::move(size_t from, size_t to, TreeView& view) {
  const bool reverse = to < from;
  std::vector<std::string> notes;
  // What is done in memory is said only once it is on disk.
  std::string done;
  const std::string unchanged =
      fmt::format("umq: nothing was written; the tree is unchanged (still at {}, {}/{})\n", name(from), from,
                  queue_.size());
  try {
    for (size_t i = from; i != to; reverse ? --i : ++i) {
      const QueuedPatch& p = queue_.patches[reverse ? i - 1 : i];
      const size_t before = notes.size();
      apply_patch(view, p.patch, EngineOptions{o_.fuzz, reverse, true}, &notes);
      done += (reverse ? "unapplied " : "applied ") + p.name + "\n";
      for (size_t n = before; n < notes.size(); ++n) done += "  " + notes[n] + "\n";
    }
  } catch (const ApplyError& e) {
    env_.err << "umq: " << e.what() << "\n" << unchanged;
    return 1;
  } catch (const FsError& e) {
    env_.err << "umq: " << e.what() << "\n" << unchanged;
    return 1;
  }
  const Status after = compute_status(view, queue_);
  if (!after.applied || *after.applied != to) {
    env_.err << "umq: warning: the result does not match the blob ids of the series ("
             << after.summary() << ")\n";
  }
  try {
    journal().commit(view.changes());
  } catch (const FsError& e) {
    env_.err << "umq: writing the tree failed (rolled back): " << e.what() << "\n" << unchanged;
    return 1;
  }
  env_.out << done << fmt::format("now at {} ({}/{})\n", name(to), to, queue_.size());
  return 0;
}

int Commands::apply() {
  if (!prepare(Access::kWrite)) return 1;
  TreeView view(env_.fs, o_.tree);
  const auto k = start_state(view, "applying");
  if (!k) return fail("refusing to apply: cannot tell which patches the tree has");
  const size_t target = o_.upto.value_or(queue_.size());
  if (target > queue_.size()) {
    return fail(fmt::format("--upto {}: the series has only {} patches", target, queue_.size()));
  }
  if (target == *k) {
    if (!disputed_.empty()) return refuse_disputed("apply", *k);
    env_.out << (target == queue_.size()
                     ? fmt::format("series already fully applied ({}/{})\n", target, queue_.size())
                     : fmt::format("already at {} ({}/{}); nothing to apply\n", name(target),
                                   target, queue_.size()));
    return 0;
  }
  if (target < *k) {
    return fail(fmt::format("the tree has patches up to {} applied; use `umq unapply --downto {}`",
                            name(*k), target));
  }
  return move(*k, target, view);
}

int Commands::unapply() {
  if (!prepare(Access::kWrite)) return 1;
  TreeView view(env_.fs, o_.tree);
  const auto k = start_state(view, "unapplying");
  if (!k) return fail("refusing to unapply: cannot tell which patches the tree has");
  const size_t target = o_.downto.value_or(0);
  if (target > queue_.size()) {
    return fail(fmt::format("--downto {}: the series has only {} patches", target, queue_.size()));
  }
  if (target == *k) {
    if (!disputed_.empty()) return refuse_disputed("unapply", *k);
    env_.out << fmt::format("already at {} ({}/{}); nothing to unapply\n", name(target), target,
                            queue_.size());
    return 0;
  }
  if (target > *k) {
    return fail(fmt::format("the tree has patches up to {} applied; use `umq apply --upto {}`",
                            name(*k), target));
  }
  return move(*k, target, view);
}

int Commands::overlay() {
  if (!prepare(Access::kWrite)) return 1;
  const auto files = load_overlay(env_.fs, o_.overlay, overlay_base(env_.fs, o_.overlay));
  if (files.empty()) {
    env_.out << "no overlay files in " << o_.overlay << "\n";
    return 0;
  }
  TreeView view(env_.fs, o_.tree);
  if (o_.remove) {
    const std::set<std::string> series = series_paths();
    std::vector<OverlayFile> own;
    for (const OverlayFile& f : files) {
      if (!series.count(f.path)) own.push_back(f);
    }
    const auto kept = stage_overlay_removal(view, own);
    const auto changes = view.changes();
    try {
      journal().commit(changes);
    } catch (const FsError& e) {
      return fail(std::string("writing the tree failed (rolled back): ") + e.what());
    }
    env_.out << "overlay removed: " << count_of(changes.size(), "file") << "\n";
    for (const std::string& k : kept) env_.out << "  kept (modified since applied): " << k << "\n";
    return kept.empty() ? 0 : 1;
  }
  const Status st = compute_status(view, queue_);
  if (!st.applied || *st.applied != queue_.size()) {
    return fail("the overlay goes on top of the whole series, but the tree is: " + st.summary() +
                " (run `umq apply` first)");
  }
  const auto problems = stage_overlay(view, files);
  if (!problems.empty()) {
    for (const std::string& p : problems) env_.err << "umq: " << p << "\n";
    return fail("overlay not applied; nothing was written");
  }
  const auto changes = view.changes();
  try {
    journal().commit(changes);
  } catch (const FsError& e) {
    return fail(std::string("writing the tree failed (rolled back): ") + e.what());
  }
  env_.out << fmt::format("overlay applied: {} written, {} already in place\n", count_of(changes.size(), "file"),
                          files.size() - changes.size());
  return 0;
}

int Commands::recover() {
  if (!resolve_tree()) return 1;
  if (!env_.fs.is_dir(o_.tree)) return fail("tree " + o_.tree + " is not a directory");
  try {
    lock_ = env_.fs.lock_dir(o_.tree, [this] {
      env_.err << "umq: waiting for another umq run on " << o_.tree << "\n";
    });
    const std::string done = journal().recover();
    env_.out << (done.empty() ? "nothing to recover" : done) << "\n";
  } catch (const FsError& e) {
    return fail(std::string("recovery failed: ") + e.what());
  }
  return 0;
}

int Commands::report() {
  std::vector<std::string> files = o_.report_files;
  std::string dir = o_.results;
  if (files.empty()) {
    if (!env_.fs.is_dir(dir)) return fail("no results directory " + dir);
    for (const std::string& f : env_.fs.list_dir(dir)) {
      if (f.size() > 4 && f.substr(f.size() - 4) == ".tap") files.push_back(join_path(dir, f));
    }
    if (files.empty()) return fail("no *.tap files in " + dir);
  } else if (dir == "results") {
    dir = dir_name(files.front());
    if (dir.empty()) dir = ".";
  }
  std::vector<CellResults> cells;
  try {
    for (const std::string& f : files) cells.push_back(parse_tap(env_.fs.read_file(f), cell_name(f)));
  } catch (const FsError& e) {
    return fail(e.what());
  }
  const std::string tap_out = o_.tap_out.empty() ? join_path(dir, "report/combined.tap") : o_.tap_out;
  const std::string junit_out = o_.junit_out.empty() ? join_path(dir, "report/junit.xml") : o_.junit_out;
  try {
    for (const std::string& path : {tap_out, junit_out}) env_.fs.make_dirs(dir_name(path));
    env_.fs.write_file(tap_out, render_combined_tap(cells), 0644);
    env_.fs.write_file(junit_out, render_junit(cells), 0644);
  } catch (const FsError& e) {
    return fail(e.what());
  }
  env_.err << "umq: wrote " << tap_out << " and " << junit_out << "\n";
  env_.out << render_table(cells);
  return count(cells).failed == 0 ? 0 : 1;
}

int Commands::bench() {
  if (!prepare(Access::kWrite, false)) return 1;
  if (!resolve_queue()) return 1;
  BenchOptions b;
  b.tree = o_.tree;
  b.queue_dir = o_.queue;
  b.repetitions = o_.reps;
  b.full_copy = o_.full_copy;
  try {
    return run_bench(env_.fs, env_.runner, b, env_.out, env_.err);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

int Commands::import() {
  ImportOptions io;
  io.inputs = o_.import_files;
  io.output_dir = o_.output_dir;
  io.base_tree = o_.tree;
  io.replace = o_.replace;
  if (o_.queue_given) io.queue_dir = o_.queue;
  try {
    const ImportReport report = import_mails(env_.fs, io);
    print_import_report(report, env_.out);
    return report.exit_code();
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

int Commands::range_diff() {
  std::vector<std::string> positional = o_.rd_series;
  const size_t wanted = (o_.rd_old.empty() ? 1u : 0u) + (o_.rd_new.empty() ? 1u : 0u);
  if (positional.size() != wanted) {
    env_.err << "umq: range-diff: give OLD NEW (directories), or --old FILES... --new FILES...\n";
    return 2;
  }
  auto load = [&](const std::vector<std::string>& files) {
    if (!files.empty()) return load_series_files(env_.fs, files);
    const std::string p = positional.front();
    positional.erase(positional.begin());
    return env_.fs.is_dir(p) ? load_series_dir(env_.fs, p) : load_series_files(env_.fs, {p});
  };
  try {
    const SeriesVersion old_series = load(o_.rd_old);
    const SeriesVersion new_series = load(o_.rd_new);
    env_.out << render_range_diff(umq::range_diff(old_series, new_series, o_.rd), old_series, new_series,
                                  o_.rd);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return 0;
}

}  // namespace

int run_cli(int argc, const char* const* argv, CliEnv& env) {
  Options o;
  CLI::App app{"umq: apply, check and report the UML seccomp patch queue", "umq"};
  app.fallthrough();
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("umq ") + UMQ_VERSION);
  app.add_option("--tree", o.tree,
                 "kernel source tree (a plain directory); default: the current directory, if it is one");
  app.add_option("--queue", o.queue,
                 "directory holding `series` and the patch files; default: $UMQ_QUEUE, else ./patches, "
                 "else the patches/ of the project the umq binary was built in");
  app.add_option("--overlay", o.overlay,
                 "overlay directory (paths mirror the tree); default: $UMQ_OVERLAY, else arch-um-overlay "
                 "beside the queue directory");

  auto* status = app.add_subcommand("status", "which patches the tree has, from its content");
  status->add_flag("--json", o.json, "machine-readable output");
  app.add_subcommand("verify", "check every patch's blob ids against the tree, writing nothing");
  auto* apply = app.add_subcommand("apply", "apply the series (all or nothing)");
  apply->add_option("--upto", o.upto, "stop when patches 1..N are applied")->type_name("N");
  apply->add_option("--fuzz", o.fuzz, "allow ignoring up to N context lines at hunk edges (0 to 3, default 0)")
      ->type_name("N")
      ->check(CLI::Range(0, 3).description(""));
  auto* unapply = app.add_subcommand("unapply", "remove applied patches (all or nothing)");
  unapply->add_option("--downto", o.downto, "stop when only patches 1..N remain (default 0)")->type_name("N");
  unapply->add_option("--fuzz", o.fuzz, "allow ignoring up to N context lines at hunk edges (0 to 3, default 0)")
      ->type_name("N")
      ->check(CLI::Range(0, 3).description(""));
  auto* overlay = app.add_subcommand("overlay", "copy the overlay files onto the tree");
  overlay->add_flag("--remove", o.remove, "remove the overlay files that are unchanged");
  app.add_subcommand("recover",
                     "roll back or finish an interrupted run (apply, unapply and overlay do this first; "
                     "status and verify only report it)");
  auto* report = app.add_subcommand("report", "TAP results per cell -> table, TAP, JUnit XML");
  report->add_option("files", o.report_files, "TAP files, one per cell (default: RESULTS/*.tap)");
  report->add_option("--results", o.results, "directory of <cell>.tap files")->capture_default_str();
  report->add_option("--tap", o.tap_out, "combined TAP output (default RESULTS/report/combined.tap)");
  report->add_option("--junit", o.junit_out, "JUnit XML output (default RESULTS/report/junit.xml)");
  auto* bench = app.add_subcommand("bench-apply", "time umq vs git apply vs patch on copies");
  bench->add_option("--reps", o.reps, "repetitions")->check(CLI::Range(1, 1000))->capture_default_str();
  bench->add_flag("--full-copy", o.full_copy, "copy the whole tree (default: the touched files)");
  auto* import = app.add_subcommand(
      "import", "mail archive text, mbox or format-patch files -> clean git-format-patch files; "
                "with --tree, checked against that base (--queue: states that may stand in for "
                "missing parts)");
  import->add_option("files", o.import_files, "pipermail text, mbox or git-format-patch files")
      ->required();
  import->add_option("-o,--output", o.output_dir, "output directory (patches and a series file)")
      ->capture_default_str();
  import->add_flag("--replace", o.replace,
                   "remove the patch files the output directory holds from an earlier import (else such a "
                   "directory is refused)");
  auto* range_diff = app.add_subcommand(
      "range-diff",
      "compare two versions of a series patch by patch (like git range-diff; pairs by subject, then by "
      "similar diffs; the 7-digit ids are hashes of each patch's diff, not commit ids)");
  range_diff->add_option("series", o.rd_series,
                         "OLD NEW: directories with a series file (or of *.patch files)");
  range_diff->add_option("--old", o.rd_old, "the old version as patch files");
  range_diff->add_option("--new", o.rd_new, "the new version as patch files");
  range_diff->add_flag("--by-number", o.rd.by_number,
                       "then pair what is left by the same n of [PATCH n/m] (else of the NNNN- file "
                       "name); shows both subjects");
  range_diff->add_flag("--stat", o.rd.stat,
                       "summary only (files, lines added/removed, message), no interdiff");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    const int rc = app.exit(e, out, err);
    env.out << out.str();
    env.err << err.str();
    return rc == 0 ? 0 : 2;
  }

  Commands c(env, o);
  if (*status) return c.status();
  if (app.got_subcommand("verify")) return c.verify();
  if (*apply) return c.apply();
  if (*unapply) return c.unapply();
  if (*overlay) return c.overlay();
  if (app.got_subcommand("recover")) return c.recover();
  if (*report) return c.report();
  if (*bench) return c.bench();
  o.queue_given = app.get_option("--queue")->count() > 0;
  if (*import) return c.import();
  if (*range_diff) return c.range_diff();
  return 2;
}

}  // namespace umq
