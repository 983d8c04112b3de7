#!/usr/bin/env bash
# Regenerates the seed corpora in corpus/<target>/ with real git (ids and all).
# The fixture tree matches write_fixture() in fuzz_apply.cc. Seeds stay tiny.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=Fuzz GIT_AUTHOR_EMAIL=fuzz@example.org GIT_COMMITTER_NAME=Fuzz \
  GIT_COMMITTER_EMAIL=fuzz@example.org GIT_AUTHOR_DATE='2026-01-01 00:00:00 +0000' \
  GIT_COMMITTER_DATE='2026-01-01 00:00:00 +0000'
g() { git -C "$work/t" -c core.autocrlf=false -c core.safecrlf=false "$@"; }

mkdir -p "$work/t/include" "$work/t/scripts"
printf 'VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 4\nEXTRAVERSION =\n' >"$work/t/Makefile"
printf '#include <stdio.h>\n\nint main(void)\n{\n\tputs("one");\n\tputs("two");\n\tputs("three");\n\treturn 0;\n}\n' >"$work/t/a.c"
printf '#ifndef B_H\n#define B_H\nint b;\n#endif\n' >"$work/t/include/b.h"
printf '#!/bin/sh\necho run\r\nexit 0' >"$work/t/scripts/run.sh"
chmod 755 "$work/t/scripts/run.sh"
g init -q && g add -A && g commit -qm base

out="$here/corpus/fuzz_apply"
rm -rf "$out" && mkdir -p "$out"
# One commit per seed, each on the base, as git format-patch writes it.
seed() {  # NAME SUBJECT -- the working tree has been changed
  g add -A && g commit -qm "$2"
  g format-patch -1 --stdout >"$out/$1.patch"
  g reset -q --hard HEAD~1
}
sed -i 's/"two"/"TWO"/' "$work/t/a.c"; seed modify "a: shout two"
sed -i 's/"one"/"ONE"/; s/"three"/"THREE"/' "$work/t/a.c"; seed two-hunks "a: two hunks"
mkdir -p "$work/t/lib"; printf 'int c;\n' >"$work/t/lib/c.c"; seed new-file "lib: add c.c"
g rm -q include/b.h; seed delete "include: drop b.h"
chmod 644 "$work/t/scripts/run.sh"; seed mode "scripts: not executable"
g mv include/b.h include/c.h; seed rename "include: rename b.h"
printf '#!/bin/sh\necho run\r\nexit 1\n' >"$work/t/scripts/run.sh"; seed noeol-crlf "scripts: exit 1"
# Plain diff without index lines (ids not provable).
printf -- '--- a/a.c\n+++ b/a.c\n@@ -6 +6 @@\n-\tputs("two");\n+\tputs("2");\n' >"$out/plain-no-index.diff"
# Applies, but the postimage id is not what the hunk makes (a damaged patch).
sed 's/+\tputs("TWO");/+\tputs("TW0");/' "$out/modify.patch" >"$out/damaged-postimage.patch"
# Does not apply: the context is not in the tree.
sed 's/^ \tputs("one");/ \tputs("uno");/' "$out/modify.patch" >"$out/wrong-context.patch"
# Malformed: the hunk is cut short.
head -n -4 "$out/modify.patch" >"$out/truncated.patch"

out="$here/corpus/fuzz_patch_parser"
rm -rf "$out" && mkdir -p "$out"
cp "$here/corpus/fuzz_apply/modify.patch" "$out/format-patch.patch"
cp "$here/corpus/fuzz_apply/truncated.patch" "$out/truncated.patch"
cp "$here/corpus/fuzz_apply/plain-no-index.diff" "$out/plain.diff"
{ cat "$here/corpus/fuzz_apply/new-file.patch"; echo; cat "$here/corpus/fuzz_apply/rename.patch"; } \
  | sed 's/^From [0-9a-f]\{40\} /From fuzz@example.org /' >"$out/mbox-two.mbox"
sed 's/$/\r/' "$here/corpus/fuzz_apply/modify.patch" >"$out/crlf.patch"
cat >"$out/pipermail.txt" <<'PIPER'
[PATCH 2/3] a: shout two

Fuzz Tester fuzz at example.org
Fri Jun 19 20:22:21 PDT 2026


From: Fuzz Tester <fuzz at example.org>

Shout.

Signed-off-by: Fuzz Tester <fuzz at example.org>
---
 a.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/a.c b/a.c
index 5f2a0b1..3c1d2e4 100644
--- a/a.c
+++ b/a.c
@@ -1,3 +1,3 @@
 one
-two
+TWO
 three
-- 
2.43.0


More information about the linux-um mailing list
PIPER
printf 'From: x\nSubject: [PATCH 0/3] cover\n\nNo diff here.\n' >"$out/cover.mbox"
ls -l "$here/corpus/"*
