#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks on the patch files themselves, as TAP: checkpatch --strict from
# the base tree, a Signed-off-by of the configured git identity, and the
# series file naming seven patches that exist.
#
#   check-series.sh TREE
#
# checkpatch findings are allowed only when listed here, each with the
# reason that the patch's commit message gives too.
set -uo pipefail
tree=$1
here=$(cd "$(dirname "$0")/.." && pwd)
queue=$here/patches

allowed=(
	# v1 was posted to linux-um only; its list archive page is the exact link
	'WARNING: Use lore.kernel.org archive links when possible - see https://lore.kernel.org/lists.html'
)

mapfile -t patches < <(grep -vE '^\s*(#|$)' "$queue/series")
n=0 failed=0
echo "TAP version 13"
echo "1..$(( ${#patches[@]} * 2 + 1 ))"
n=$((n + 1))
if [ ${#patches[@]} = 7 ]; then echo "ok $n the series file names seven patches"; else echo "not ok $n the series file names ${#patches[@]} patches, not seven"; failed=1; fi

sob="Signed-off-by: $(git -C "$here" config user.name) <$(git -C "$here" config user.email)>"
for p in "${patches[@]}"; do
	out=$("$tree/scripts/checkpatch.pl" --strict --no-tree "$queue/$p" 2>&1)
	findings=$(grep -E '^(ERROR|WARNING|CHECK):' <<<"$out")
	bad=$(grep -vxF -f <(printf '%s\n' "${allowed[@]}") <<<"$findings" | grep -v '^$')
	n=$((n + 1))
	if [ -z "$bad" ]; then
		echo "ok $n checkpatch --strict: $p${findings:+ (only justified findings)}"
	else
		echo "not ok $n checkpatch --strict: $p"
		sed 's/^/# /' <<<"$bad"
		failed=1
	fi
	n=$((n + 1))
	if grep -qxF "$sob" "$queue/$p"; then
		echo "ok $n signed off by the machine's git identity: $p"
	else
		echo "not ok $n signed off by the machine's git identity: $p"
		failed=1
	fi
done
exit $failed
