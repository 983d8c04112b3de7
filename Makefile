# SPDX-License-Identifier: GPL-2.0
#
#   make          install what is missing, fetch the base tree, apply the
#                 series, build the SMP and UP kernels with validation,
#                 boot the SMP one with the test suite, print a report
#   make check    the tool's unit tests (-Werror, ASan/UBSan), umq end to
#                 end on the real tree, the patches, KUnit, the kernel
#                 matrix {UP, SMP} x {validation on, off}, a host-kernel
#                 cell under QEMU, a fuzz smoke; ends "N passed, N failed"
#   make bench         benchmarks (validation on/off, pristine, ptrace)
#   make qemu-check    the series on host kernels 6.1, 6.12 and 7.x
#   make bisect-check  every prefix of the series, UP and SMP, on and off
#   make soak / fuzz   long runs (SOAK_MINUTES, FUZZ_SECONDS)
#
# Builds, the patched tree and the kernels live in WORK (default
# ~/.cache/uml-seccomp/work) so that they and ccache survive a clean clone.

SHELL := /bin/bash
.DEFAULT_GOAL := all

CACHE   ?= $(HOME)/.cache/uml-seccomp
WORK    ?= $(CACHE)/work
RESULTS ?= $(CURDIR)/results
JOBS    ?= $(shell nproc)
# fetch-base.sh and the umq tests find the base tree here
UMLSEC_CACHE ?= $(CACHE)
export WORK RESULTS JOBS CACHE UMLSEC_CACHE

UMQ  := build/umq/umq
FRAG := Kconfig.fragments
LOCK := flock $(CACHE)/lock

.PHONY: all check deps umq tree kernels bench qemu-check bisect-check soak fuzz clean

deps:
	@scripts/install-deps.sh

umq: deps
	@cmake -S umq --preset release >/dev/null
	@cmake --build build/umq -j$(JOBS) | tail -1

$(CACHE):
	@mkdir -p $@

all: umq | $(CACHE)
	@$(LOCK) scripts/main.sh

check: deps | $(CACHE)
	@$(LOCK) scripts/check.sh

bench: umq | $(CACHE)
	@$(LOCK) scripts/bench.sh

qemu-check: umq | $(CACHE)
	@$(LOCK) scripts/qemu-check.sh --results $(RESULTS)/qemu

bisect-check: umq | $(CACHE)
	@$(LOCK) scripts/bisect-check.sh

soak: umq | $(CACHE)
	@$(LOCK) scripts/soak.sh

fuzz: deps
	@for t in fuzz_patch_parser fuzz_apply; do umq/fuzz/run.sh $$t $${FUZZ_SECONDS:-300} || exit 1; done

clean:
	rm -rf build results
