// libFuzzer target: the bytes are a patch file or mail, read by everything
// that parses one: parse_patch (what `apply` loads), read_mails and the whole
// of import_mails (in memory, checked against a small base tree). Parse errors
// are fine; a crash, leak, hang, sanitizer report or any exception other than
// ParseError/FsError is a defect. Import must write only into its output dir.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "import.h"
#include "mail.h"
#include "memory_file_system.h"
#include "patch.h"

using namespace umq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  try {
    const Patch p = parse_patch(text, "fuzz.patch");
    (void)p.title();
    for (const FileDiff& d : p.files) {
      const FileDiff r = reverse_diff(d);
      const FileDiff back = reverse_diff(r);
      UMQ_FUZZ_CHECK(back.old_path == d.old_path && back.new_path == d.new_path &&
                         back.hunks.size() == d.hunks.size(),
                     "reverse_diff twice is not the identity for %s", d.path().c_str());
    }
  } catch (const ParseError&) {
  }

  try {
    const std::vector<Mail> mails = read_mails(text, "fuzz.mbox");
    (void)mails;
  } catch (const ParseError&) {
  }

  MemoryFileSystem fs;
  fs.add_file("/in/fuzz.txt", text);
  fs.add_file("/base/a.c", "one\ntwo\nthree\n");
  fs.add_file("/base/arch/um/b.h", "x\ny <y at example.org>\nz\n");
  const auto before = fs.snapshot().files;
  ImportOptions io;
  io.inputs = {"/in/fuzz.txt"};
  io.output_dir = "/out";
  io.base_tree = "/base";
  try {
    const ImportReport report = import_mails(fs, io);
    std::ostringstream out;
    print_import_report(report, out);
  } catch (const FsError&) {
  }
  for (const auto& [path, file] : fs.snapshot().files) {
    const bool ours = path.rfind("/out/", 0) == 0 || path == "/in/fuzz.txt" || path.rfind("/base/", 0) == 0;
    UMQ_FUZZ_CHECK(ours, "import wrote outside its output directory: %s", path.c_str());
    if (path.rfind("/out/", 0) != 0) {
      UMQ_FUZZ_CHECK(before.count(path) && before.at(path) == file, "import changed its input %s", path.c_str());
    }
  }
  return 0;
}
