#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the project needs from Debian bookworm, as root, if it is
# missing. Only the machine's own apt sources are used (the kernel source
# comes from fetch-base.sh, which never touches them).
set -euo pipefail

pkgs=(
	# kernel builds
	build-essential bc bison flex libelf-dev ccache python3 git file cpio
	xz-utils kmod
	# the tool
	cmake ninja-build g++ libcli11-dev libfmt-dev nlohmann-json3-dev
	libssl-dev libgtest-dev libgmock-dev patch pkg-config libgmime-3.0-dev
	# guests, host-kernel matrix, benchmark plot, fuzzing
	busybox-static qemu-system-x86 gnuplot-nox clang libclang-rt-14-dev
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root or install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -qq update >&2
apt-get -qq install -y --no-install-recommends "${missing[@]}" >&2
