#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks on the patch files themselves, as TAP: checkpatch --strict from
# the base tree, a Signed-off-by of the configured git identity, and the
# series file naming seven patches that exist; for each companion patch
# (patches/companion/, not in the series) also that it applies on its own.
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
# companion/: fixes outside arch/um's seccomp stub, sent on their own
mapfile -t companions < <(cd "$queue" && ls companion/*.patch 2>/dev/null)
n=0 failed=0
echo "TAP version 13"
echo "1..$(( (${#patches[@]} + ${#companions[@]}) * 2 + 1 + ${#companions[@]} ))"
n=$((n + 1))
if [ ${#patches[@]} = 7 ]; then echo "ok $n the series file names seven patches"; else echo "not ok $n the series file names ${#patches[@]} patches, not seven"; failed=1; fi

sob="Signed-off-by: $(git -C "$here" config user.name) <$(git -C "$here" config user.email)>"
for p in "${patches[@]}" "${companions[@]}"; do
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
for p in "${companions[@]}"; do
	n=$((n + 1))
	if out=$(patch -d "$tree" -p1 --dry-run -s -f <"$queue/$p" 2>&1); then
		echo "ok $n applies on its own to the base tree: $p"
	else
		echo "not ok $n applies on its own to the base tree: $p"
		sed 's/^/# /' <<<"$out"
		failed=1
	fi
done
exit $failed
