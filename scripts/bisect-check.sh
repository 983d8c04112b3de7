#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bisect-check`: every prefix of the series builds, UP and SMP, with
# validation on and off. One tree is moved forward a patch at a time and
# each cell keeps its build directory, so every step is an incremental
# build. Prints a matrix and writes $RESULTS/bisect.tap.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
: "${WORK:=$HOME/.cache/uml-seccomp/work}" "${RESULTS:=$here/results}"
umq=$here/build/umq/umq
frag=$here/Kconfig.fragments
q=(--queue "$here/patches" --overlay "$here/arch-um-overlay")
cells=(up-off up-on smp-off smp-on)
mkdir -p "$RESULTS"

pristine=$(scripts/fetch-base.sh) || exit 1
tree=$WORK/bisect-tree
rm -rf "$tree"
cp -al "$pristine" "$tree"
n=$(grep -cvE '^\s*(#|$)' patches/series)

declare -A result
tap=()
for k in $(seq 1 "$n"); do
	if ! "$umq" apply --tree "$tree" "${q[@]}" --upto "$k" >"$WORK/bisect-apply.log" 2>&1; then
		cat "$WORK/bisect-apply.log" >&2
		for c in "${cells[@]}"; do result[$k,$c]=noapply; tap+=("not ok prefix $k $c: does not apply"); done
		continue
	fi
	has_option=0
	grep -q '^config UML_SECCOMP_HARDEN$' "$tree/arch/um/Kconfig" && has_option=1
	for c in "${cells[@]}"; do
		# Before the patch that adds the option an "on" cell is the
		# "off" build again: shown as n/a, counted neither way.
		if [ $has_option = 0 ] && [ "${c#*-}" = on ]; then
			result[$k,$c]=n/a
			printf '  prefix %d %-8s %s\n' "$k" "$c" n/a >&2
			continue
		fi
		frags=("$frag/base.config" "$frag/${c%-*}.config")
		[ $has_option = 1 ] && frags+=("$frag/harden-${c#*-}.config")
		start=$(date +%s)
		if scripts/build-kernel.sh "$tree" "$WORK/bisect/$c" "${frags[@]}" \
			>/dev/null 2>"$WORK/bisect-$k-$c.log"; then
			if [ -s "$WORK/bisect/$c/warnings.log" ]; then
				result[$k,$c]=WARN
				tap+=("not ok prefix $k builds $c with warnings (see $WORK/bisect/$c/warnings.log)")
			else
				result[$k,$c]="ok $(( $(date +%s) - start ))s"
				tap+=("ok prefix $k builds $c")
			fi
		else
			result[$k,$c]=FAIL
			tap+=("not ok prefix $k builds $c (see $WORK/bisect-$k-$c.log)")
		fi
		printf '  prefix %d %-8s %s\n' "$k" "$c" "${result[$k,$c]}" >&2
	done
done

printf '\n%-8s' prefix
printf ' %-10s' "${cells[@]}"; echo
for k in $(seq 1 "$n"); do
	printf '%-8s' "$k/$n"
	for c in "${cells[@]}"; do printf ' %-10s' "${result[$k,$c]}"; done
	echo
done
{
	echo "TAP version 13"
	echo "1..${#tap[@]}"
	i=0
	for t in "${tap[@]}"; do
		i=$((i + 1))
		case $t in
		"not ok "*) echo "not ok $i ${t#not ok }" ;;
		*) echo "ok $i ${t#ok }" ;;
		esac
	done
} >"$RESULTS/bisect.tap"
! grep -q '^not ok' "$RESULTS/bisect.tap"
