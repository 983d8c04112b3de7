# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by fetch-base.sh and qemu-host-kernel.sh. A private apt
# configuration: its own sources list, package lists, status and cache under
# one directory, nothing from /etc/apt, so it can fetch packages of other
# Debian suites without changing what the system's packages resolve to.
#
#   apt_private DIR "deb [signed-by=...] URL SUITE main"...
#
# writes DIR/etc/sources.list from the lines and sets the array apt_opts for
# `apt-get "${apt_opts[@]}" update|download` and `apt-cache "${apt_opts[@]}"`.
apt_private() {
	local dir=$1
	shift
	mkdir -p "$dir"/{lists/partial,archives/partial,etc}
	printf '%s\n' "$@" >"$dir/etc/sources.list"
	: >"$dir/etc/status"
	apt_opts=(
		-o "Dir::Etc::SourceList=$dir/etc/sources.list"
		-o "Dir::Etc::SourceParts=/dev/null"
		-o "Dir::Etc::Preferences=/dev/null"
		-o "Dir::Etc::PreferencesParts=/dev/null"
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::State::status=$dir/etc/status"
		-o "Dir::Cache=$dir"
		-o "Dir::Cache::archives=$dir/archives"
		-o "Debug::NoLocking=1"
		-o "APT::Sandbox::User=root"
	)
}
