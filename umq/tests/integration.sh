#!/bin/bash
# Integration tests: drive the built umq binary on fixture trees made by
# make_fixture.sh (real git-format-patch output).
#   integration.sh PATH/TO/umq
set -uo pipefail
UMQ=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/umq-it.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/#   /'; }
check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# Content hash of a whole tree: paths, modes and bytes of every file.
treehash() {
  (cd "$1" && find . -path ./.umq-journal -prune -o \( -type f -o -type l -o -type d \) -print0 |
    sort -z | xargs -0 stat -c '%n %a %F' | sha1sum
   cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha1sum | sha1sum) | sha1sum | cut -c1-40
}
fresh() { rm -rf "$WORK/t"; cp -a "$FX/tree" "$WORK/t"; }
umq() { "$UMQ" --tree "$WORK/t" --queue "$FX/patches" --overlay "$WORK/overlay" "$@"; }
contains() { grep -qF -- "$2" <<<"$1"; }

FX=$WORK/fx
bash "$HERE/make_fixture.sh" "$FX" >/dev/null 2>&1 || { echo "Bail out! fixture"; exit 1; }
mkdir -p "$WORK/overlay"
PRISTINE=$(treehash "$FX/tree")
APPLIED=$(treehash "$FX/applied")

# --- round trip -------------------------------------------------------------
fresh
out=$(umq status); rc=$?
check "status on pristine tree exits 0" test $rc -eq 0
check "status names the exact base" contains "$out" "pristine 7.3.4"
out=$(umq verify); rc=$?
check "verify pristine" test $rc -eq 0
check "verify says OK" contains "$out" "verify: OK"
out=$(umq apply --upto 3); rc=$?
check "apply --upto 3" test $rc -eq 0
out=$(umq status)
check "status after --upto 3" contains "$out" "series applied up to 0003 (3/7)"
out=$(umq status --json)
check "status --json" contains "$out" '"applied": 3'
out=$(umq apply); rc=$?
check "apply the rest" test $rc -eq 0
check "applied tree equals git's result (content and modes)" test "$(treehash "$WORK/t")" = "$APPLIED"
check "tool.sh became executable" test -x "$WORK/t/scripts/tool.sh"
out=$(umq apply); rc=$?
check "apply when fully applied exits 0" test $rc -eq 0
check "apply when fully applied says so" contains "$out" "series already fully applied (7/7)"
out=$(umq verify); rc=$?
check "verify fully applied tree" test $rc -eq 0
out=$(umq unapply --downto 5); rc=$?
check "unapply --downto 5" test $rc -eq 0
check "status after unapply --downto 5" contains "$(umq status)" "series applied up to 0005 (5/7)"
out=$(umq unapply --downto 0); rc=$?
check "unapply --downto 0" test $rc -eq 0
check "unapply leaves a byte-identical tree" test "$(treehash "$WORK/t")" = "$PRISTINE"

# --- a tree from GNU patch is recognised ------------------------------------
fresh
for p in "$FX"/patches/0*.patch; do patch -s -p1 -d "$WORK/t" <"$p" || exit 1; done
check "status recognises a tree patched by GNU patch" contains "$(umq status)" "(7/7), fully applied"
out=$(umq unapply); rc=$?
check "unapply a GNU-patched tree" test "$rc:$(treehash "$WORK/t")" = "0:$PRISTINE"

# --- broken patch: nothing written ------------------------------------------
fresh
cp -a "$FX/patches" "$WORK/broken"
sed -i 's/^ static int process_line_9;$/ static int process_line_NINE;/' "$WORK/broken"/0003-*.patch
out=$("$UMQ" --tree "$WORK/t" --queue "$WORK/broken" apply 2>&1); rc=$?
check "broken patch fails" test $rc -ne 0
check "broken patch leaves the tree byte-identical" test "$(treehash "$WORK/t")" = "$PRISTINE"
check "error names patch, file, hunk and line" \
  contains "$out" "0003-um-skas-touch-two-files.patch:"
check "error names the target and hunk" contains "$out" "arch/um/os-Linux/skas/process.c: hunk #1: context mismatch at line 9 of target"
check "no journal left after a failed apply" test ! -e "$WORK/t/.umq-journal"

# Malformed (truncated) patch: FILE:LINE, nothing written.
cp -a "$FX/patches" "$WORK/trunc"
head -n -8 "$FX"/patches/0001-*.patch >"$WORK/trunc/$(basename "$FX"/patches/0001-*.patch)"
out=$("$UMQ" --tree "$WORK/t" --queue "$WORK/trunc" apply 2>&1); rc=$?
check "truncated patch is an error" test $rc -ne 0
check "truncated patch error has FILE:LINE" contains "$out" "0001-um-kernel-negate-two-lines.patch:"
check "truncated patch: tree untouched" test "$(treehash "$WORK/t")" = "$PRISTINE"

# --- already applied, unknown edits -----------------------------------------
fresh
patch -s -p1 -d "$WORK/t" <"$FX"/patches/0003-*.patch
handmade=$(treehash "$WORK/t")
out=$(umq status); rc=$?
check "partially hand-applied tree is not a known state" test $rc -ne 0
out=$(umq apply 2>&1); rc=$?
check "apply over a hand-applied patch fails" test $rc -ne 0
check "and says it is already applied" contains "$out" "already applied"
check "tree untouched after refusing" test "$(treehash "$WORK/t")" = "$handmade"
fresh
echo "/* local edit */" >>"$WORK/t/arch/um/os-Linux/skas/process.c"
out=$(umq status); rc=$?
check "unknown edits are reported" contains "$out" "unknown edits in arch/um/os-Linux/skas/process.c"
check "unknown edits exit non-zero" test $rc -ne 0
out=$(umq verify); rc=$?
check "verify reports the preimage mismatch" contains "$out" "arch/um/os-Linux/skas/process.c: preimage id mismatch"

# --- fuzz and offsets -------------------------------------------------------
fresh
sed -i '1i /* extra line at the top */' "$WORK/t/arch/um/kernel/a.c"
out=$(umq apply --upto 1 2>&1); rc=$?
check "offset apply works on an edited base" test $rc -eq 0
check "offset is reported" contains "$out" "hunk #1 applied at offset +1 line"
fresh
sed -i 's/^int kernel_line_2(void).*/int kernel_line_2(void) { return 2222; }/' "$WORK/t/arch/um/kernel/a.c"
out=$(umq apply --upto 1 2>&1); rc=$?
check "context change needs fuzz" test $rc -ne 0
out=$(umq apply --upto 1 --fuzz 1 2>&1); rc=$?
check "--fuzz 1 applies" test $rc -eq 0
check "fuzz is reported" contains "$out" "with fuzz 1"

# --- crash at every step: status only reports it, recover recovers ----------
crash_loop() { # crash_loop START_STATE COMMAND...
  local start=$1; shift
  local n=1 bad=0 saw_rollback=0 saw_forward=0
  while :; do
    fresh
    [ "$start" = applied ] && { umq apply >/dev/null 2>&1 || return 1; }
    local before; before=$(treehash "$WORK/t")
    UMQ_TEST_CRASH_AFTER=$n "$UMQ" --tree "$WORK/t" --queue "$FX/patches" "$@" >/dev/null 2>&1
    local rc=$?
    [ $rc -ne 137 ] && break
    local had_journal=0; [ -e "$WORK/t/.umq-journal" ] && had_journal=1
    if [ "$had_journal" = 1 ]; then
      local crashed; crashed=$(treehash "$WORK/t")
      local said; said=$(umq status 2>&1) && { bad=1; echo "# step $n: status exit 0 on an interrupted run"; }
      contains "$said" "umq recover --tree $WORK/t" || { bad=1; echo "# step $n: status does not name umq recover: $said"; }
      [ "$(treehash "$WORK/t")" = "$crashed" ] && [ -e "$WORK/t/.umq-journal" ] ||
        { bad=1; echo "# step $n: status changed the tree"; }
    fi
    local msg; msg=$(umq recover 2>&1)
    local h; h=$(treehash "$WORK/t")
    if [ -e "$WORK/t/.umq-journal" ]; then bad=1; echo "# step $n: journal left"; fi
    if [ "$h" = "$before" ]; then
      saw_rollback=1
    elif [ "$h" = "$PRISTINE" ] || [ "$h" = "$APPLIED" ]; then
      saw_forward=1
    else
      bad=1; echo "# step $n: tree in neither state: $msg"
    fi
    if [ "$had_journal" = 1 ] && ! contains "$msg" "umq run"; then
      bad=1; echo "# step $n: recovery not reported"
    fi
    n=$((n + 1))
  done
  echo "# $* : crashed at each of $((n - 1)) steps"
  test $bad -eq 0 -a $saw_rollback -eq 1 -a $saw_forward -eq 1 -a $n -gt 10
}
check "kill apply at every step: status reports, recover recovers" crash_loop pristine apply
check "kill unapply at every step: status reports, recover recovers" crash_loop applied unapply

# --- a real SIGKILL in the middle of apply ----------------------------------
fresh
UMQ_TEST_STEP_DELAY_MS=40 "$UMQ" --tree "$WORK/t" --queue "$FX/patches" apply >/dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do [ -e "$WORK/t/.umq-journal/prepared" ] && break; sleep 0.05; done
sleep 0.1
kill -KILL $pid 2>/dev/null
{ wait $pid; } 2>/dev/null; rc=$?
check "apply was really killed" test $rc -eq 137
check "journal present after SIGKILL" test -d "$WORK/t/.umq-journal"
killed=$(treehash "$WORK/t")
out=$(umq verify 2>&1); rc=$?
check "verify after SIGKILL names the interrupted run and umq recover" contains "$out" "run \`umq recover --tree $WORK/t\`"
check "verify after SIGKILL fails and changes nothing" test $rc -eq 1 -a "$(treehash "$WORK/t")" = "$killed" -a -d "$WORK/t/.umq-journal"
out=$(umq apply 2>&1); rc=$?
h=$(treehash "$WORK/t")
check "apply after SIGKILL recovers first, then applies" contains "$out" "interrupted umq run"
check "after SIGKILL and apply the tree is fully applied" test $rc -eq 0 -a "$h" = "$APPLIED"

# --- overlay ----------------------------------------------------------------
fresh
mkdir -p "$WORK/overlay/arch/um/tests"
echo "int overlay_probe;" >"$WORK/overlay/arch/um/tests/probe.c"
out=$(umq overlay 2>&1); rc=$?
check "overlay refuses before the series" test $rc -ne 0
umq apply >/dev/null
out=$(umq overlay); rc=$?
check "overlay applies" test $rc -eq 0 -a -f "$WORK/t/arch/um/tests/probe.c"
check "status shows overlay applied" contains "$(umq status)" "overlay: applied (1 file)"
out=$(umq overlay); rc=$?
check "overlay again is a no-op" test $rc -eq 0
echo "edit" >>"$WORK/t/arch/um/tests/probe.c"
out=$(umq status); rc=$?
check "modified overlay is reported" contains "$out" "overlay: modified"
out=$(umq overlay 2>&1); rc=$?
check "overlay refuses to overwrite a modified file" test $rc -ne 0
cp "$WORK/overlay/arch/um/tests/probe.c" "$WORK/t/arch/um/tests/probe.c"
out=$(umq overlay --remove); rc=$?
check "overlay --remove" test $rc -eq 0 -a ! -e "$WORK/t/arch/um/tests"
check "after overlay --remove the tree is the applied tree" test "$(treehash "$WORK/t")" = "$APPLIED"
rm -rf "$WORK/overlay"/*

# --- report -----------------------------------------------------------------
mkdir -p "$WORK/results"
printf 'TAP version 13\n1..2\nok 1 attack\nok 2 regression # SKIP no seccomp\n' >"$WORK/results/up-on.tap"
printf 'TAP version 13\n1..2\nok 1 attack\n#  RUN regression ...\n# HANG: regression\n' >"$WORK/results/smp-on.tap"
out=$("$UMQ" report --results "$WORK/results" 2>/dev/null); rc=$?
check "report exits non-zero on a hang" test $rc -ne 0
check "report closing line" test "$(tail -n1 <<<"$out")" = "2 passed, 1 failed"
check "report skipped line" contains "$out" "1 skipped, 0 xfail"
check "report table shows HANG" contains "$out" "HANG"
check "report writes JUnit XML" grep -q '<testsuite name="smp-on"' "$WORK/results/report/junit.xml"
check "report writes combined TAP" grep -q '^# Subtest: up-on' "$WORK/results/report/combined.tap"

# --- import and range-diff ---------------------------------------------------
out=$("$UMQ" import "$FX"/patches/0*.patch -o "$WORK/imported" --tree "$FX/tree"); rc=$?
check "import of git-format-patch files exits 0" test $rc -eq 0
check "import sees the whole series" contains "$out" "series of 7: have 1, 2, 3, 4, 5, 6, 7"
check "import verifies every part on the base" contains "$out" "1/7, 2/7, 3/7, 4/7, 5/7, 6/7, 7/7 are verified against the base"
check "import copies clean format-patch files byte for byte, with git's names" \
  diff -r -x series "$FX/patches" "$WORK/imported"
out=$("$UMQ" range-diff "$FX/patches" "$WORK/imported"); rc=$?
check "range-diff of a series with its import" contains "$out" "range-diff: 7 old, 7 new: 7 unchanged, 0 changed, 0 dropped, 0 new"
sed -i 's/^A long enough message/A longer message/' "$WORK/imported"/0001-*.patch
rm "$WORK/imported"/0007-*.patch
sed -i '/^0007-/d' "$WORK/imported/series"
out=$("$UMQ" range-diff "$FX/patches" "$WORK/imported"); rc=$?
check "range-diff sees an edited message and a dropped patch" \
  contains "$out" "range-diff: 7 old, 6 new: 5 unchanged, 1 changed, 1 dropped, 0 new"

echo
echo "$passed passed, $failed failed"
test $failed -eq 0
