// libFuzzer target: the bytes are one patch, applied with `umq apply` (the
// real command: status from blob ids, the engine, the journal) to a fixed
// four-file tree in a MemoryFileSystem. Oracles:
//  - apply fails (exit != 0): every file, mode and directory is unchanged;
//  - apply succeeds: every file diff whose preimage id (index line, a
//    comparable hex id) names the file as it was must leave exactly the file
//    its postimage id names (absent for the null id);
//  - a patch that applies (engine, in a TreeView) and is reverse-applied on
//    the result gives back the original files.
// Parse errors are fine; so are apply errors.
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "blob_id.h"
#include "cli.h"
#include "engine.h"
#include "fuzz_check.h"
#include "memory_file_system.h"
#include "patch.h"
#include "process_runner.h"
#include "tree_view.h"

using namespace umq;

namespace {

const char* const kTree = "/t";

void write_fixture(MemoryFileSystem& fs) {
  fs.add_file("/t/Makefile", "VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 4\nEXTRAVERSION =\n");
  fs.add_file("/t/a.c",
              "#include <stdio.h>\n\nint main(void)\n{\n\tputs(\"one\");\n\tputs(\"two\");\n"
              "\tputs(\"three\");\n\treturn 0;\n}\n");
  fs.add_file("/t/include/b.h", "#ifndef B_H\n#define B_H\nint b;\n#endif\n");
  fs.add_file("/t/scripts/run.sh", "#!/bin/sh\necho run\r\nexit 0", 0755);  // CRLF line, no EOL
}

bool starts(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// The tree's files: path relative to /t -> content ("" key absent = no file).
std::map<std::string, MemoryFileSystem::File> tree_files(const MemoryFileSystem& fs) {
  std::map<std::string, MemoryFileSystem::File> out;
  for (const auto& [path, file] : fs.snapshot().files) {
    if (starts(path, "/t/")) out.emplace(path.substr(3), file);
  }
  return out;
}

// Whether |abbrev| names the file |content| (nullptr: no file). nullopt when
// the id is not comparable (not 4..40 hex digits).
std::optional<bool> names(const std::string& abbrev, const std::string* content) {
  if (!is_hex_id(abbrev)) return std::nullopt;
  if (is_null_id(abbrev)) return content == nullptr;
  return content != nullptr && id_matches(abbrev, blob_id(*content));
}

void check_cli_apply(const std::string& text, const Patch& patch) {
  MemoryFileSystem fs;
  write_fixture(fs);
  fs.add_file("/q/series", "0001-fuzz.patch\n");
  fs.add_file("/q/0001-fuzz.patch", text);
  const MemoryFileSystem::Snapshot before = fs.snapshot();
  const auto original = tree_files(fs);

  FakeProcessRunner runner([](const auto&, const auto&) { return ProcessResult{1, "", "no processes"}; });
  std::ostringstream out, err;
  CliEnv env{fs, runner, out, err, {}};
  const char* argv[] = {"umq", "--tree", kTree, "--queue", "/q", "--overlay", "/no-overlay", "apply"};
  const int rc = run_cli(static_cast<int>(std::size(argv)), argv, env);

  if (rc != 0) {
    UMQ_FUZZ_CHECK(fs.snapshot() == before, "apply failed (exit %d) but changed the tree:\n%s", rc,
                   err.str().c_str());
    return;
  }
  const auto after = tree_files(fs);
  // Ids are per file diff; a patch touching a path twice has intermediate
  // states no index line of ours describes: leave it to the other oracles.
  std::multiset<std::string> touched;
  for (const FileDiff& d : patch.files) {
    if (!d.old_path.empty()) touched.insert(d.old_path);
    if (!d.new_path.empty() && d.new_path != d.old_path) touched.insert(d.new_path);
  }
  for (const std::string& t : touched) {
    if (touched.count(t) > 1) return;
  }
  for (const FileDiff& d : patch.files) {
    if (!d.has_index()) continue;
    const std::string& pre_path = d.is_new ? d.new_path : d.old_path;
    const auto o = original.find(pre_path);
    const auto pre = names(d.old_id, o == original.end() ? nullptr : &o->second.data);
    if (!pre || !*pre) continue;  // not what the patch says it was made on
    const std::string& post_path = d.is_delete ? d.old_path : d.new_path;
    const auto a = after.find(post_path);
    const auto post = names(d.new_id, a == after.end() ? nullptr : &a->second.data);
    UMQ_FUZZ_CHECK(!post || *post,
                   "apply succeeded but %s is not the postimage %s named by the index line "
                   "(its preimage %s matched)\nstdout:\n%s\nstderr:\n%s",
                   post_path.c_str(), d.new_id.c_str(), d.old_id.c_str(), out.str().c_str(),
                   err.str().c_str());
  }
}

void check_reverse(const Patch& patch) {
  MemoryFileSystem fs;
  write_fixture(fs);
  TreeView view(fs, kTree);
  try {
    apply_patch(view, patch, EngineOptions{0, false}, nullptr);
  } catch (const ApplyError&) {
    return;
  } catch (const FsError&) {
    return;
  }
  try {
    apply_patch(view, patch, EngineOptions{0, true}, nullptr);
  } catch (const std::exception& e) {
    UMQ_FUZZ_CHECK(false, "the patch applied but its reverse does not: %s", e.what());
  }
  for (const TreeChange& c : view.changes()) {
    UMQ_FUZZ_CHECK(false, "apply + reverse changed %s (existed %d -> %d, %zu -> %zu bytes, mode %o -> %o)",
                   c.path.c_str(), c.before.exists, c.after.exists, c.before.content.size(),
                   c.after.content.size(), c.before.mode, c.after.mode);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Patch patch;
  try {
    patch = parse_patch(text, "/q/0001-fuzz.patch");
  } catch (const ParseError&) {
    return 0;  // the parser has its own target
  }
  check_cli_apply(text, patch);
  check_reverse(patch);
  return 0;
}
