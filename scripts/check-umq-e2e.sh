#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end checks of umq on the real base tree, as TAP on stdout.
#
#   check-umq-e2e.sh UMQ PRISTINE WORKDIR
#
# On a hard-link copy of PRISTINE: apply -> status -> verify -> unapply
# gives back the pristine content; a broken patch leaves the tree byte-
# identical; SIGKILL during apply, then umq recover, leaves it
# pristine or fully applied; git am takes the series on a git repo of
# the base.
set -uo pipefail

umq=$(realpath "$1") pristine=$2 work=$3
here=$(cd "$(dirname "$0")/.." && pwd)
queue=$here/patches
mkdir -p "$work"
tree=$work/tree
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

# Content hash of a whole tree: every path, its type and mode, the bytes of
# files and the targets of symlinks (not mtimes).
tree_hash() {
	(
		cd "$1" || exit 1
		find . -path ./.umq-journal -prune -o -printf '%y %m %p\0' | LC_ALL=C sort -z
		find . -path ./.umq-journal -prune -o -type f -print0 | LC_ALL=C sort -z |
			xargs -0 -P2 -n 2000 sha1sum | LC_ALL=C sort
		find . -type l -printf '%p -> %l\n' | LC_ALL=C sort
	) | sha1sum | cut -d' ' -f1
}

# quick_hash DIR (scripts/tree-hash.sh)
. "$here/scripts/tree-hash.sh"

fresh_tree() { rm -rf "$tree"; cp -al "$pristine" "$tree"; }
q=(--queue "$queue" --overlay "$here/arch-um-overlay")

echo "TAP version 13"

fresh_tree
pristine_hash=$(tree_hash "$tree")
out=$("$umq" status --tree "$tree" "${q[@]}" 2>&1)
check "status names a pristine base" grep -q '^pristine ' <<<"$out"
pristine_quick=$(quick_hash "$tree")

"$umq" apply --tree "$tree" "${q[@]}" >"$work/apply.log" 2>&1
check "apply of the whole series succeeds" test $? = 0
out=$("$umq" status --tree "$tree" "${q[@]}" 2>&1)
check "status says fully applied" grep -q 'fully applied' <<<"$out"
applied_hash=$(tree_hash "$tree")
applied_quick=$(quick_hash "$tree")
check "verify passes on the applied tree" "$umq" verify --tree "$tree" "${q[@]}"
"$umq" unapply --tree "$tree" "${q[@]}" --downto 0 >"$work/unapply.log" 2>&1
after=$(tree_hash "$tree")
if [ "$after" = "$pristine_hash" ]; then
	ok "unapply gives back the pristine content hash"
else
	not_ok "unapply gives back the pristine content hash" "pristine $pristine_hash, after $after"
fi

# A patch that does not apply: the 5th, with one context line changed.
broken=$work/broken-queue
rm -rf "$broken"; cp -r "$queue" "$broken"
p5=$(grep -v '^#' "$queue/series" | sed -n 5p)
python3 - "$broken/$p5" <<'EOF'
import sys
p = sys.argv[1]
lines = open(p).read().split('\n')
for i, l in enumerate(lines):
    if l.startswith(' ') and i > 0 and len(l) > 3 and lines[i - 1].startswith('@@'):
        lines[i] = ' ' + l[1:] + ' /* changed */'
        break
open(p, 'w').write('\n'.join(lines))
EOF
"$umq" apply --tree "$tree" --queue "$broken" >"$work/broken.log" 2>&1
rc=$?
check "apply of a broken series fails" test $rc != 0
check "the error names the patch, hunk and reason" grep -qE "$p5.*hunk #[0-9]+.*(context mismatch|does not apply)" "$work/broken.log"
after=$(tree_hash "$tree")
if [ "$after" = "$pristine_hash" ]; then
	ok "a failed apply leaves the tree byte-identical"
else
	not_ok "a failed apply leaves the tree byte-identical" "see $work/broken.log"
fi

# SIGKILL at random moments of an apply slowed down between file writes.
bad=0
for i in 1 2 3 4 5; do
	UMQ_TEST_STEP_DELAY_MS=40 "$umq" apply --tree "$tree" "${q[@]}" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 6 + 1))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	# status only reports an interrupted run; recover rolls it back or forward
	"$umq" status --tree "$tree" "${q[@]}" >"$work/kill-$i.log" 2>&1
	"$umq" recover --tree "$tree" >>"$work/kill-$i.log" 2>&1
	h=$(quick_hash "$tree")
	if [ "$h" = "$pristine_quick" ]; then
		state=pristine
	elif [ "$h" = "$applied_quick" ]; then
		state=applied
		"$umq" unapply --tree "$tree" "${q[@]}" --downto 0 >/dev/null 2>&1
	else
		state=between; bad=$((bad + 1))
	fi
	echo "# kill $i: $state"
done
check "SIGKILL during apply, then umq recover: pristine or fully applied, never between" test $bad = 0
check "the tree is pristine again" test "$(tree_hash "$tree")" = "$pristine_hash"

# git am on a git repository of the base (a real copy: git must not
# write through hard links into the pristine tree).
repo=$work/git
rm -rf "$repo"; cp -a "$pristine" "$repo"
(
	cd "$repo" && git init -q && git add -f -A . &&
	git -c user.name=base -c user.email=base@invalid commit -q -m base &&
	git am -q $(grep -v '^#' "$queue/series" | sed "s|^|$queue/|")
) >"$work/git-am.log" 2>&1
rc=$?
count=$(cd "$repo" && git rev-list --count HEAD 2>/dev/null)
check "git am takes all seven patches on a git repo of the base" test "$rc" = 0 -a "$count" = 8
rm -rf "$repo"

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
