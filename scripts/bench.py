#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run stub_bench in the variants, interleaved, and report.

    bench.py --kernels DIR --guest ROOT --out DIR [--rounds N] [--scale N]
             [--cells up,smp] [--pins pinned,unpinned]
    bench.py --from-json OLD/bench.json --kernels - --guest - --out DIR

DIR holds <cell>-<variant>/linux for cell up|smp and variant pristine|off|on
(the ptrace variant boots the "on" kernel with seccomp=off, ncpus=1).
Boots go round robin (A B C D, B C D A, ...: each round starts one later)
so that drift and the position in a round cancel; ratios are the median of
each round's ratio. Writes
OUT/bench.json (every sample), OUT/bench.txt (the tables) and OUT/bench.png
(gnuplot), and prints the tables plus one line per comparison:
    ratio smp pinned mmap 4K on/off 1.08
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VARIANTS = ["pristine", "off", "on", "ptrace"]
COLUMNS = ["on", "off", "pristine", "ptrace"]  # the order of the table's columns
LINE = re.compile(r"^bench (\S+) (\S+) median_ns=(\d+) p99_ns=(\d+) n=(\d+)")


def boot(kernel, guest, log, cell, variant, pinned, scale):
    cmd = [os.path.join(HERE, "boot.sh"), "--timeout", "900"]
    cpus = 2 if cell == "smp" and variant != "ptrace" else 1
    cmd += ["--cpus", str(cpus)]
    if pinned:
        cmd += ["--pin", "1"]
    cmd += [kernel, guest, log, "umltest=bench", f"BENCH_SCALE={scale}"]
    if variant == "ptrace":
        cmd.append("seccomp=off")
    rc = subprocess.call(cmd)
    samples = {}
    with open(log, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m and int(m.group(5)) > 0:
                samples[(m.group(1), m.group(2))] = (int(m.group(3)), int(m.group(4)))
    return rc, samples


def pct(a, b):
    return f"{(a - b) / b * 100:+.0f}%" if b else "-"


def size_key(s):
    return int(s[:-1]) if s.endswith("K") else -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernels", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--cells", default="up,smp")
    ap.add_argument("--pins", default="pinned,unpinned")
    ap.add_argument("--from-json", help="no boots: tables and plot from an earlier bench.json")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cells = a.cells.split(",")
    pins = a.pins.split(",")

    raw = []  # every sample
    total = a.rounds * len(cells) * len(pins) * len(VARIANTS)
    done = 0
    t_start = time.time()
    if a.from_json:
        with open(a.from_json) as f:
            old = json.load(f)
        raw, a.rounds, a.scale = old["samples"], old["rounds"], old["scale"]
    for rnd in range(0 if a.from_json else a.rounds):
        for cell in cells:
            for pin in pins:
                # rotate the order every round: the first boot of a round
                # came out slower (pristine ran first in every round and
                # looked 25% slower than the same code, option off)
                shift = rnd % len(VARIANTS)
                for var in VARIANTS[shift:] + VARIANTS[:shift]:
                    kdir = "on" if var == "ptrace" else var
                    kernel = os.path.join(a.kernels, f"{cell}-{kdir}", "linux")
                    log = os.path.join(a.out, f"{cell}-{pin}-{var}-{rnd}.log")
                    t0 = time.time()
                    rc, samples = boot(kernel, a.guest, log, cell, var, pin == "pinned", a.scale)
                    done += 1
                    print(f"  [{done}/{total}] round {rnd + 1} {cell:3} {pin:8} {var:8} "
                          f"{time.time() - t0:5.1f}s {'ok' if rc == 0 and samples else 'FAILED, see ' + log}",
                          file=sys.stderr, flush=True)
                    for (name, size), (med, p99) in samples.items():
                        raw.append(dict(round=rnd, cell=cell, pin=pin, variant=var,
                                        bench=name, size=size, median_ns=med, p99_ns=p99))

    # median over rounds of the per-boot medians (and of the p99s)
    agg = {}
    for r in raw:
        agg.setdefault((r["cell"], r["pin"], r["variant"], r["bench"], r["size"]), []).append(r)
    stat = {k: (statistics.median(x["median_ns"] for x in v), statistics.median(x["p99_ns"] for x in v))
            for k, v in agg.items()}
    # per round, for ratios of boots that ran next to each other
    by_round = {(r["cell"], r["pin"], r["variant"], r["bench"], r["size"], r["round"]): r["median_ns"]
                for r in raw}
    with open(os.path.join(a.out, "bench.json"), "w") as f:
        json.dump(dict(samples=raw, machine=os.uname().release, rounds=a.rounds, scale=a.scale), f, indent=1)

    out = []
    ratios = []
    benches = sorted({(k[3], k[4]) for k in stat}, key=lambda b: (b[0], size_key(b[1])))
    for cell in cells:
        for pin in pins:
            def get(v, b, s):
                return stat.get((cell, pin, v, b, s))
            out.append(f"\n{cell.upper()} {pin} (ns per call, median of {a.rounds} boots)")
            for name in ["mmap", "mmap-frag", "munmap"]:
                rows = [b for b in benches if b[0] == name]
                if not rows:
                    continue
                out.append(f"\n{name}() -- ns/call")
                out.append(f"{'size':6} {'WITH med':>9} {'WITHOUT med':>11} {'delta':>16}   {'WITH p99':>9} {'WITHOUT p99':>11}")
                for _, size in rows:
                    w, wo = get("on", name, size), get("off", name, size)
                    if not w or not wo:
                        continue
                    d = w[0] - wo[0]
                    out.append(f"{size:6} {w[0]:9.0f} {wo[0]:11.0f} {d:+8.0f} ({pct(w[0], wo[0]):>5})   {w[1]:9.0f} {wo[1]:11.0f}")
            out.append(f"\n{'benchmark':18} {'on':>10} {'off':>10} {'pristine':>10} {'ptrace':>10}   on/off  off/pristine  on/pristine  on/ptrace")
            for name, size in benches:
                vals = {v: get(v, name, size) for v in VARIANTS}
                cols = " ".join(f"{vals[v][0]:10.0f}" if vals[v] else f"{'-':>10}" for v in COLUMNS)

                def rat(x, y):
                    # median over rounds of the ratio within a round: the
                    # boots of one round ran side by side, so drift cancels
                    rs = [by_round[(cell, pin, x, name, size, n)] / by_round[(cell, pin, y, name, size, n)]
                          for n in range(a.rounds)
                          if by_round.get((cell, pin, x, name, size, n))
                          and by_round.get((cell, pin, y, name, size, n))]
                    if rs:
                        r = statistics.median(rs)
                        ratios.append(f"ratio {cell} {pin} {name} {size} {x}/{y} {r:.3f}")
                        return f"{r:.3f}"
                    return "-"
                out.append(f"{name + ' ' + size:18} {cols}   {rat('on', 'off'):>6}  {rat('off', 'pristine'):>12}  "
                           f"{rat('on', 'pristine'):>11}  {rat('on', 'ptrace'):>9}")
    text = "\n".join(out)
    with open(os.path.join(a.out, "bench.txt"), "w") as f:
        f.write(text + "\n\n" + "\n".join(ratios) + "\n")
    print(text)
    print()
    print("\n".join(ratios))
    plot(stat, cells, pins, a.out)
    print("ratios: median over the rounds of each round's ratio", file=sys.stderr)
    print(f"\nbench: {len(raw)} samples from {total} boots in {time.time() - t_start:.0f}s; "
          f"{a.out}/bench.json, bench.txt, bench.png", file=sys.stderr)


def plot(stat, cells, pins, out):
    """Cost per size per variant: mmap, mmap-frag and munmap, one panel each."""
    dat = os.path.join(out, "bench.dat")
    with open(dat, "w") as f:
        for cell in cells:
            for pin in pins:
                for name in ["mmap", "mmap-frag", "munmap"]:
                    for var in VARIANTS:
                        f.write(f"# {cell} {pin} {name} {var}\n")
                        for s in [4, 16, 64, 256, 1024]:
                            v = stat.get((cell, pin, var, name, f"{s}K"))
                            if v:
                                f.write(f"{s} {v[0] / 1000:.2f}\n")
                        f.write("\n\n")
    panels = [(c, p, n) for c in cells for p in pins for n in ["mmap", "mmap-frag", "munmap"]]
    script = [f'set terminal pngcairo size 1500,{380 * len(cells) * len(pins)} font ",9"',
              f'set output "{os.path.join(out, "bench.png")}"',
              f"set multiplot layout {len(cells) * len(pins)},3",
              "set logscale xy", "set xlabel 'size (KiB)'", "set ylabel 'µs per call'",
              "set key top left", "set grid"]
    idx = 0
    for c, p, n in panels:
        plots = []
        for var in VARIANTS:
            plots.append(f"'{dat}' index {idx} with linespoints title '{var}'")
            idx += 1
        script.append(f"set title '{n}() {c} {p}'")
        script.append("plot " + ", ".join(plots))
    script.append("unset multiplot")
    try:
        subprocess.run(["gnuplot"], input="\n".join(script), text=True, check=True,
                       stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"bench: no plot ({e})", file=sys.stderr)


if __name__ == "__main__":
    main()
