#!/bin/bash
# Builds a small fixture: a "7.3.4" tree and a 7-patch git-format-patch queue
# made by real git, exercising modify, offsets, new file in a new directory,
# delete, mode change, rename, CRLF content and no newline at EOF.
#
#   make_fixture.sh DIR   -> DIR/tree (pristine), DIR/patches (series + 7
#                            patches), DIR/applied (what the series yields)
set -euo pipefail
out=$1
mkdir -p "$out"
repo=$out/repo
rm -rf "$repo"
mkdir -p "$repo"
cd "$repo"
export GIT_AUTHOR_NAME=Fixture GIT_AUTHOR_EMAIL=fixture@example.org
export GIT_COMMITTER_NAME=Fixture GIT_COMMITTER_EMAIL=fixture@example.org
export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
git init -q .
git config core.autocrlf false

cat > Makefile <<'MK'
# SPDX-License-Identifier: GPL-2.0
VERSION = 7
PATCHLEVEL = 3
SUBLEVEL = 4
EXTRAVERSION =
NAME = Fixture
MK
mkdir -p arch/um/kernel arch/um/os-Linux/skas docs scripts
for i in $(seq 1 60); do echo "int kernel_line_$i(void) { return $i; }"; done > arch/um/kernel/a.c
for i in $(seq 1 80); do echo "static int process_line_$i;"; done > arch/um/os-Linux/skas/process.c
printf 'obsolete\ndocumentation\n' > docs/old.txt
for i in $(seq 1 12); do echo "readme line $i"; done > docs/readme.txt
printf '#!/bin/sh\necho tool\n' > scripts/tool.sh
printf 'dos line 1\r\ndos line 2\r\ndos line 3\r\n' > arch/um/crlf.txt
printf 'first\nsecond\nlast without newline' > arch/um/noeol.txt
git add -A
git commit -qm base
git tag base

commit() { git add -A; git commit -q -F -; }

sed -i 's/^int kernel_line_5(void).*/int kernel_line_5(void) { return -5; }/' arch/um/kernel/a.c
sed -i 's/^int kernel_line_50(void).*/int kernel_line_50(void) { return -50; }/' arch/um/kernel/a.c
commit <<'MSG'
um: kernel: negate two lines

A long enough message to have a body.
MSG

mkdir -p arch/um/seccomp
printf '// SPDX-License-Identifier: GPL-2.0\nint seccomp_new(void)\n{\n\treturn 0;\n}\n' > arch/um/seccomp/new.c
commit <<'MSG'
um: seccomp: add a new file in a new directory
MSG

sed -i 's/^static int process_line_10;/static int process_line_10 = 10;/' arch/um/os-Linux/skas/process.c
sed -i '70a static int process_added;' arch/um/os-Linux/skas/process.c
sed -i 's/^int kernel_line_30(void).*/int kernel_line_30(void) { return 300; }/' arch/um/kernel/a.c
commit <<'MSG'
um: skas: touch two files
MSG

git rm -q docs/old.txt
chmod +x scripts/tool.sh
commit <<'MSG'
um: remove old docs, make the tool executable
MSG

printf 'dos line 1\r\ndos line 2 changed\r\ndos line 3\r\n' > arch/um/crlf.txt
printf 'first\nsecond\nlast without newline, changed' > arch/um/noeol.txt
commit <<'MSG'
um: CRLF content and no newline at end of file
MSG

git mv docs/readme.txt docs/README
sed -i 's/^readme line 6$/readme line six/' docs/README
commit <<'MSG'
docs: rename the readme
MSG

sed -i '1i /* process.c: first line added by patch 7 */' arch/um/os-Linux/skas/process.c
printf 'no newline now\n' >> arch/um/noeol.txt
commit <<'MSG'
um: skas: header comment; noeol gets a newline
MSG

rm -rf "$out/patches" "$out/tree" "$out/applied"
git format-patch -q -M -o "$out/patches" base..HEAD
(cd "$out/patches" && { echo "# fixture series"; ls 0*.patch; } > series)
git worktree add -q --detach "$out/tree-wt" base
cp -a "$out/tree-wt" "$out/tree"
rm -f "$out/tree/.git"
git worktree remove --force "$out/tree-wt"
git worktree add -q --detach "$out/applied-wt" HEAD
cp -a "$out/applied-wt" "$out/applied"
rm -f "$out/applied/.git"
git worktree remove --force "$out/applied-wt"
