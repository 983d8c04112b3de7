#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run stub_bench in the variants, in paired rounds, and report.

    bench.py --kernels DIR --guest ROOT --out DIR [--rounds N] [--scale N]
             [--cells up,smp] [--pins pinned[,unpinned]] [--quick] [--aa off]
             [--max-repeats N] [--busy-cpus X] [--busy-steal X] [--keep-busy]
    bench.py --from-json OLD/bench.json --kernels - --guest - --out DIR
    bench.py ... --compare FIRST/bench.json    (a repeat of an earlier run)

DIR holds <cell>-<variant>/linux for cell up|smp and variant pristine|off|on
(ptrace mode boots the "on" kernel with seccomp=off, ncpus=1). The A/A
control boots the --aa kernel (default: off) a second time, under a second
name (a copy of the file): its ratio to the first shows the noise floor.

Each round boots every variant once, the order rotated one place a round;
a ratio is taken per round (boots of one round ran side by side), the table
shows the median of the rounds' ratios, its 95% confidence interval
(bootstrap over the rounds) and the number of rounds:
    ratio up pinned touch - on/off 1.032 [1.018,1.047] n=12
    ratio up pinned touch - a/a 1.002 [0.991,1.013] n=12
A run whose A/A interval reaches outside +-2% says so on its first and
last line.

A repeat (--compare FIRST/bench.json) adds a line per on/off ratio: is its
median inside the first run's interval, and the ratio second/first with a
95% interval (both runs' rounds resampled). Two runs of one distribution
put the repeat's median inside the first's 95% interval about 83% of the
time (the two medians scatter alike), and second/first holds 1 about 95%
of the time: the summary line prints both counts beside those numbers.

What is compared: a virtual CPU's speed changes under it (here system
calls ran 15-20% slower for 0.1 to 1 s at a time, now and then for most
of a boot). stub_bench spreads every benchmark's samples over the whole
boot (blocks of each in turn) and reports their 10th percentile (p10_ns)
beside the median: the ratios are of p10, which shifts least when part of
a boot was slow (old logs without it: of the median). The tables show
medians. Its ref_ns, a register-only loop timed between the samples, feeds
the load guard.

Load guard: in pinned runs UML and every host thread it starts run on one
host CPU (taskset, and a watcher that pins any thread found elsewhere);
bench.py itself keeps off that CPU. Per boot the host's load (/proc/loadavg)
and CPU time and steal time (/proc/stat) are recorded; a boot during which
other work used more than --busy-cpus CPUs, steal took more than
--busy-steal of the time or whose reference loop ran more than --busy-slow
slower than the median of the boots kept so far is repeated (at most --max-repeats times, and at
most half the planned boots in all), never averaged in.

Policy: by default UML and every thread it starts run SCHED_BATCH
(--policy normal: SCHED_OTHER). Pinned SMP puts both vCPU threads on one
host CPU; under SCHED_OTHER a vCPU woken by an IPI preempts the sender,
which often holds a lock the woken one then spins on for a host time
slice (SMP fork+exec: 2-3 ms or 8-15 ms from one sample to the next).
A SCHED_BATCH thread does not preempt on wake-up.

Writes OUT/bench.json (every boot and sample), OUT/bench.txt (what it
prints), OUT/bench.gp and OUT/bench.png (gnuplot; no PNG if it fails).
"""
import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VARIANTS = ["pristine", "off", "on", "ptrace", "aa"]  # booted each round
COLUMNS = ["on", "off", "pristine", "ptrace"]  # the medians table's columns
# the comparisons: (x, y) is the ratio x/y per round; aa/off is the A/A
COMPARE = [("on", "off"), ("off", "pristine"), ("on", "pristine"), ("on", "ptrace"), ("aa", "off")]
PLOTTED = [("on", "off"), ("on", "pristine"), ("on", "ptrace")]
COLORS = ["#1f6fb4", "#d4540f", "#2a9d3a"]
ORDER = ["getpid", "mmap", "mmap-frag", "munmap", "touch", "forkexec"]
FLOOR = 0.02  # the A/A interval must stay within 1 +- FLOOR
LINE = re.compile(r"^bench (\S+) (\S+) median_ns=(\d+) p99_ns=(\d+) n=(\d+)(?: tries=(\d+))?"
                  r"(?: ref_ns=(\d+))?(?: p10_ns=(\d+))?")
QUICK_ROUNDS = 5
DEFAULT_ROUNDS = 15


def label(x, y):
    return "a/a" if x == "aa" else f"{x}/{y}"


# --- guest output ---------------------------------------------------------

def parse_log(path):
    """{(bench, size): {median_ns, p99_ns, n, tries, ref_ns, p10_ns}} from a
    console log; buckets that got no sample (n=0) are there with n 0, ref_ns
    and p10_ns are 0 where the guest did not print them."""
    out = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                n = int(m.group(5))
                out[(m.group(1), m.group(2))] = dict(
                    median_ns=int(m.group(3)), p99_ns=int(m.group(4)), n=n,
                    tries=int(m.group(6)) if m.group(6) else n,
                    ref_ns=int(m.group(7)) if m.group(7) else 0,
                    p10_ns=int(m.group(8)) if m.group(8) else 0)
    return out


def round_order(rnd, variants=VARIANTS):
    """Every variant once, starting one later each round."""
    shift = rnd % len(variants)
    return variants[shift:] + variants[:shift]


# --- the host's load -------------------------------------------------------

def parse_stat(text):
    """/proc/stat -> {"cpu": (busy, steal, total), "cpu0": ...} in ticks;
    busy is user+nice+system+irq+softirq (guest time is in user)."""
    out = {}
    for line in text.splitlines():
        f = line.split()
        if not f or not f[0].startswith("cpu"):
            continue
        v = [int(x) for x in f[1:9]] + [0] * (8 - len(f[1:9]))
        user, nice, system, idle, iowait, irq, softirq, steal = v
        out[f[0]] = (user + nice + system + irq + softirq, steal,
                     user + nice + system + idle + iowait + irq + softirq + steal)
    return out


class Snapshot:
    """The host's counters at one moment."""

    def __init__(self, stat_text=None, loadavg_text=None, wall=None, own_cpu=None):
        if stat_text is None:
            with open("/proc/stat") as f:
                stat_text = f.read()
        if loadavg_text is None:
            with open("/proc/loadavg") as f:
                loadavg_text = f.read()
        self.stat = parse_stat(stat_text)
        self.load1 = float(loadavg_text.split()[0])
        self.wall = time.monotonic() if wall is None else wall
        t = os.times()
        self.own_cpu = t.user + t.system if own_cpu is None else own_cpu


def host_load(a, b, uml_cpu, hz=None):
    """What ran on the host between snapshots a and b besides this UML
    (uml_cpu seconds) and bench.py: other_cpus (CPUs' worth), steal (share
    of all CPU time), load1 at both ends."""
    hz = hz or os.sysconf("SC_CLK_TCK")
    wall = max(b.wall - a.wall, 1e-6)
    busy = (b.stat["cpu"][0] - a.stat["cpu"][0]) / hz
    steal = b.stat["cpu"][1] - a.stat["cpu"][1]
    total = max(b.stat["cpu"][2] - a.stat["cpu"][2], 1)
    other = busy - uml_cpu - (b.own_cpu - a.own_cpu)
    return dict(other_cpus=round(max(other, 0.0) / wall, 3), steal=round(steal / total, 4),
                load1_start=a.load1, load1_end=b.load1, wall_s=round(wall, 2),
                uml_cpu_s=round(uml_cpu, 2))


def boot_speed(got):
    """A boot's reference loop time: the median of its benchmarks' ref_ns
    (None if it printed none)."""
    refs = [v["ref_ns"] for v in got.values() if v.get("ref_ns")]
    return statistics.median(refs) if refs else None


def slowdown(ref, kept_refs):
    """How much slower than the median of the boots kept so far (0.05: 5%);
    0 until there are three to compare with."""
    if not ref or len(kept_refs) < 3:
        return 0.0
    return round(ref / statistics.median(kept_refs) - 1, 4)


def busy_reason(load, max_cpus, max_steal, max_slow=float("inf")):
    """Why a boot with this host_load() counts as taken on a busy host, or None."""
    why = []
    if load["other_cpus"] > max_cpus:
        why.append(f"other work {load['other_cpus']:.2f} CPUs > {max_cpus}")
    if load["steal"] > max_steal:
        why.append(f"steal {load['steal'] * 100:.1f}% > {max_steal * 100:.1f}%")
    if load.get("slow", 0) > max_slow:
        why.append(f"CPU slow: reference loop {load['slow'] * 100:+.1f}% > {max_slow * 100:.0f}%")
    return "; ".join(why) or None


# --- pinning ---------------------------------------------------------------

def descendants(root, proc="/proc"):
    """root and every process below it, from the parent links in /proc."""
    kids = {}
    for d in os.listdir(proc):
        if not d.isdigit():
            continue
        try:
            with open(os.path.join(proc, d, "stat")) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


class Pinner:
    """Keeps every thread below a process on one CPU: counts the threads
    seen and the ones it had to move. The root and the processes named in
    SKIP (the shell, `timeout` and `taskset` that start UML) are
    left alone."""

    SKIP = ("boot.sh", "timeout", "taskset")  # taskset: before it pins itself and execs UML

    def __init__(self, cpu, proc="/proc"):
        self.cpu, self.proc = cpu, proc
        self.threads, self.moved = set(), 0

    def sweep(self, root):
        for pid in descendants(root, self.proc):
            if pid == root:
                continue
            try:
                with open(os.path.join(self.proc, str(pid), "comm")) as f:
                    if f.read().strip() in self.SKIP:
                        continue
                tids = os.listdir(os.path.join(self.proc, str(pid), "task"))
            except OSError:
                continue
            for t in tids:
                tid = int(t)
                try:
                    if os.sched_getaffinity(tid) != {self.cpu}:
                        os.sched_setaffinity(tid, {self.cpu})
                        self.moved += 1
                    self.threads.add(tid)
                except OSError:
                    pass  # it ended


def run_boot(cmd, pin_cpu=None, poll=0.25):
    """Run boot.sh; returns (rc, CPU seconds of it and the processes it
    waited for, the Pinner or None). Pinned, every thread below it but the
    shell and `timeout` is kept on pin_cpu while it runs."""
    p = subprocess.Popen(cmd)
    pinner = Pinner(pin_cpu) if pin_cpu is not None else None
    while pinner:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            return p.returncode, ru.ru_utime + ru.ru_stime, pinner
        pinner.sweep(p.pid)
        time.sleep(poll)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, ru.ru_utime + ru.ru_stime, pinner


def boot_cmd(kernel, guest, log, cell, variant, pin_cpu, scale, policy="normal"):
    cmd = [os.path.join(HERE, "boot.sh"), "--timeout", "900"]
    if policy == "batch":  # UML and every thread it starts: SCHED_BATCH
        cmd = ["chrt", "--batch", "0"] + cmd
    cmd += ["--cpus", "2" if cell == "smp" and variant != "ptrace" else "1"]
    if pin_cpu is not None:
        cmd += ["--pin", str(pin_cpu)]
    cmd += [kernel, guest, log, "umltest=bench", f"BENCH_SCALE={scale}"]
    if variant == "ptrace":
        cmd.append("seccomp=off")
    return cmd


def guarded(attempt, max_repeats, budget, max_cpus, max_steal, pause, say, keep_busy=False,
            max_slow=float("inf")):
    """Run attempt(k) -> (ok, record with "load") again while the host was
    busy: at most max_repeats more times and while budget["left"] lasts.
    Returns the records; only the last one can count (kept): if it ran to
    its end and the host was quiet, or keep_busy."""
    records = []
    while True:
        ok, rec = attempt(len(records))
        rec["busy"] = busy_reason(rec["load"], max_cpus, max_steal, max_slow)
        rec["kept"] = False
        records.append(rec)
        if not ok or not rec["busy"]:
            rec["kept"] = ok
            break
        if len(records) > max_repeats or budget["left"] <= 0:
            rec["kept"] = keep_busy
            say(f"      busy ({rec['busy']}): no repeat left, "
                + ("kept (--keep-busy)" if keep_busy else "dropped"))
            break
        budget["left"] -= 1
        say(f"      busy ({rec['busy']}): again in {pause:.0f}s "
            f"(repeat {len(records)} of {max_repeats})")
        time.sleep(pause)
    records[-1]["final"] = True
    return records


# --- statistics ------------------------------------------------------------

def bootstrap_ci(values, key, reps=2000, conf=0.95):
    """Percentile bootstrap interval of the median of values (resampling
    the values, i.e. the rounds); seeded by key, so a run renders the same
    twice."""
    if not values:
        return None
    if len(values) == 1:
        return (values[0], values[0])
    rng = random.Random(key)
    n = len(values)
    return percentile_interval([statistics.median(rng.choices(values, k=n)) for _ in range(reps)],
                               conf)


def percentile_interval(draws, conf):
    """The central conf interval of bootstrap draws."""
    draws = sorted(draws)
    return (draws[int((1 - conf) / 2 * len(draws))],
            draws[min(int((1 + conf) / 2 * len(draws)), len(draws) - 1)])


def compared(s):
    """What a boot's ratios are taken of: its p10, or the median where the
    guest printed no p10."""
    return s.get("p10_ns") or s["median_ns"]


def summarize(samples, cells, pins):
    """From the kept samples: per (cell, pin, bench, size) the median over
    boots of each variant's per-boot median and p99 (ns), and per comparison
    the per-round ratios (of compared()) with median, interval and n."""
    per = {}
    for s in samples:
        if s.get("n", 1) > 0:
            per.setdefault((s["cell"], s["pin"], s["bench"], s["size"]), []).append(s)
    out = {}
    for (cell, pin, name, size), rows in per.items():
        if cell not in cells or pin not in pins:
            continue
        by_var, by_round = {}, {}
        for r in rows:
            by_var.setdefault(r["variant"], []).append(r)
            by_round[(r["variant"], r["round"])] = compared(r)
        med = {v: (statistics.median(x["median_ns"] for x in rs),
                   statistics.median(x["p99_ns"] for x in rs), len(rs))
               for v, rs in by_var.items()}
        ratios = {}
        for x, y in COMPARE:
            rounds = sorted({rd for (v, rd) in by_round if v == x} & {rd for (v, rd) in by_round if v == y})
            rs = [by_round[(x, rd)] / by_round[(y, rd)] for rd in rounds if by_round[(y, rd)]]
            if rs:
                ci = bootstrap_ci(rs, f"{cell} {pin} {name} {size} {x}/{y}")
                ratios[label(x, y)] = dict(median=statistics.median(rs), lo=ci[0], hi=ci[1],
                                           n=len(rs), per_round=rs)
        out[(cell, pin, name, size)] = dict(medians=med, ratios=ratios)
    return out


def bench_key(b):
    name, size = b
    return (ORDER.index(name) if name in ORDER else len(ORDER), name,
            int(size[:-1]) if size.endswith("K") and size[:-1].isdigit() else -1)


def aa_verdict(summary):
    """(floor, where, wide): the widest distance of an A/A interval end from
    1, the row it was seen in; wide if it exceeds FLOOR, and infinite for a
    row with other ratios but no A/A one (or one of a single round)."""
    worst, where = None, None
    any_aa = any("a/a" in row["ratios"] for row in summary.values())
    for (cell, pin, name, size), row in summary.items():
        r = row["ratios"].get("a/a")
        if not r and not (any_aa and row["ratios"]):
            continue
        d = float("inf") if not r or r["n"] < 2 else max(1 - r["lo"], r["hi"] - 1)
        if worst is None or d > worst:
            worst, where = d, f"{cell} {pin} {name} {size}"
    if worst is None:
        return None, None, True
    return worst, where, worst > FLOOR


def fmt_ratio(r):
    return f"{r['median']:.3f} [{r['lo']:.3f},{r['hi']:.3f}]" if r else "-"


def ratio_line(cell, pin, name, size, lab, r):
    return f"ratio {cell} {pin} {name} {size} {lab} {fmt_ratio(r)} n={r['n']}"


# --- the report ------------------------------------------------------------

def headline(meta, summary):
    """The first and the last line: the A/A floor, the load guard, QUICK."""
    floor, where, wide = aa_verdict(summary)
    g = meta.get("guard", {})
    rep, dropped = g.get("repeats", 0), g.get("dropped", 0)
    kept_busy = g.get("kept_busy", 0)
    parts = []
    if not summary:
        parts.append("no boot counted: nothing to compare")
    elif floor is None:
        parts.append("no A/A control in this data: the noise floor is unknown")
    elif wide:
        shown = "no A/A interval" if floor == float("inf") else f"+-{floor * 100:.1f}%"
        parts.append(f"A/A interval wider than +-{FLOOR * 100:.0f}%: {shown} at {where}; "
                     "ratios are not good to +-2%")
    else:
        parts.append(f"A/A floor +-{floor * 100:.1f}% (widest: {where})")
    if rep or dropped or kept_busy:
        s = f"host busy: {rep} boots repeated, {dropped} dropped"
        if kept_busy:
            s += f", {kept_busy} busy boots kept (--keep-busy)"
        parts.append(s)
    elif g:
        parts.append("host quiet: 0 repeats")
    if meta.get("policy"):
        parts.append("UML ran " + ("SCHED_BATCH" if meta["policy"] == "batch" else "SCHED_OTHER"))
    if meta.get("quick"):
        parts.append(f"QUICK mode ({meta['rounds']} rounds, scale {meta['scale']}): "
                     "wide intervals, not a measurement of record")
    warn = wide or rep or dropped or kept_busy or meta.get("quick")
    return ("bench: WARNING: " if warn else "bench: ") + "; ".join(parts)


def render(samples, boots, meta):
    """The text report: a list of lines, headline first and last."""
    cells, pins = meta["cells"], meta["pins"]
    summary = summarize(samples, cells, pins)
    out, ratios = [], []
    benches = sorted({(k[2], k[3]) for k in summary}, key=bench_key)
    for cell in cells:
        for pin in pins:
            rows = {b: summary.get((cell, pin) + b) for b in benches}
            if not any(rows.values()):
                continue
            out.append("")
            of = "p10" if any(s.get("p10_ns") for s in samples if s["cell"] == cell) else "median"
            out.append(f"{cell.upper()} {pin}: ns per call, median over the boots; ratios (of each "
                       f"boot's {of}): median of the per-round ratios [95% interval, bootstrap over "
                       f"rounds]")
            for name in ["mmap", "mmap-frag", "munmap"]:
                sizes = [b for b in benches if b[0] == name and rows[b]]
                if not sizes:
                    continue
                out.append(f"\n{name}() -- ns/call")
                out.append(f"{'size':6} {'WITH med':>9} {'WITHOUT med':>11} {'delta':>16}   "
                           f"{'WITH p99':>9} {'WITHOUT p99':>11}")
                for b in sizes:
                    w, wo = rows[b]["medians"].get("on"), rows[b]["medians"].get("off")
                    if not w or not wo:
                        out.append(f"{b[1]:6} {'-':>9} {'-':>11}")
                        continue
                    d = w[0] - wo[0]
                    out.append(f"{b[1]:6} {w[0]:9.0f} {wo[0]:11.0f} {d:+8.0f} ({(d / wo[0]) * 100:+4.0f}%)   "
                               f"{w[1]:9.0f} {wo[1]:11.0f}")
            out.append("")
            labs = [label(x, y) for x, y in COMPARE]
            out.append(f"{'benchmark':16} " + " ".join(f"{c:>9}" for c in COLUMNS) + "  "
                       + " ".join(f"{lab:<19}" for lab in labs) + "  n")
            for b in benches:
                row = rows[b]
                if not row:
                    continue
                med = row["medians"]
                cols = " ".join(f"{med[v][0]:9.0f}" if v in med else f"{'-':>9}" for v in COLUMNS)
                rs = [row["ratios"].get(lab) for lab in labs]
                ns = [r["n"] for r in rs if r]
                out.append(f"{b[0] + ' ' + b[1]:16} {cols}  "
                           + " ".join(f"{fmt_ratio(r):<19}" for r in rs) + f"  {min(ns) if ns else 0}")
                for lab, r in zip(labs, rs):
                    if r:
                        ratios.append(ratio_line(cell, pin, b[0], b[1], lab, r))
    out.append("")
    out += ratios
    out += buckets_table(samples, boots, meta)
    out += guard_table(boots, meta)
    line = headline(meta, summary)
    return [line] + out + ["", line], summary


def buckets_table(samples, boots, meta):
    """Samples per boot for every bucket (fewest over the kept boots), and
    the buckets that came out empty in some boot."""
    out = []
    for cell in meta["cells"]:
        got = {}
        for s in samples:
            if s["cell"] == cell:
                got.setdefault((s["bench"], s["size"]), {}).setdefault(s["variant"], []).append(s)
        if not got:
            continue
        out.append("")
        out.append(f"{cell.upper()} samples per boot, fewest over the kept boots (tries: most)")
        out.append(f"{'bucket':16} " + " ".join(f"{v:>13}" for v in VARIANTS))
        empty = []
        for b in sorted(got, key=bench_key):
            cols = []
            for v in VARIANTS:
                rs = got[b].get(v)
                if not rs:
                    cols.append(f"{'-':>13}")
                    continue
                n = [r.get("n", 1) for r in rs]  # (old data: no count, no empty bucket)
                cols.append(f"{min(n):>5} ({max(r.get('tries', r.get('n', 1)) for r in rs):>5})")
                zero = n.count(0)
                if zero:
                    empty.append(f"{v} {b[0]} {b[1]} ({zero} of {len(rs)} boots)")
            out.append(f"{b[0] + ' ' + b[1]:16} " + " ".join(cols))
        out.append(f"buckets: {len(got)} filled in every boot" if not empty
                   else "buckets EMPTY: " + ", ".join(empty))
    return out


def guard_table(boots, meta):
    """The short summary: boots, repeats, load and pinning per cell and pin."""
    if not boots:
        return []
    out = ["", f"{'cell pin':14} {'boots':>5} {'kept':>5} {'repeated':>8} {'dropped':>7} "
           f"{'other CPUs':>10} {'steal':>6} {'load1':>5} {'threads':>7} {'moved':>5} {'time':>6}"]
    for cell in meta["cells"]:
        for pin in meta["pins"]:
            bs = [b for b in boots if b["cell"] == cell and b["pin"] == pin]
            if not bs:
                continue
            final = [b for b in bs if b.get("final")]
            oth = statistics.median(b["load"]["other_cpus"] for b in bs)
            st = max(b["load"]["steal"] for b in bs)
            l1 = max(b["load"]["load1_end"] for b in bs)
            thr = max((b.get("threads") or 0) for b in bs)
            mv = sum((b.get("moved") or 0) for b in bs)
            secs = sum(b["load"]["wall_s"] for b in bs)
            out.append(f"{cell + ' ' + pin:14} {len(final):5} {sum(1 for b in bs if b['kept']):5} "
                       f"{len(bs) - len(final):8} {sum(1 for b in final if not b['kept']):7} "
                       f"{oth:10.2f} {st * 100:5.1f}% {l1:5.2f} "
                       f"{thr if pin == 'pinned' else '-':>7} {mv if pin == 'pinned' else '-':>5} {secs:5.0f}s")
    g = meta.get("guard", {})
    if g:
        out.append(f"guard: a boot counts as busy if other work used > {g['busy_cpus']} CPUs, steal "
                   f"> {g['busy_steal'] * 100:.1f}% or its reference loop ran > "
                   f"{g.get('busy_slow', float('inf')) * 100:.0f}% slower than the median boot; repeated up to {g['max_repeats']} times "
                   f"({g['repeats']} repeats made); pinned runs on host CPU {g.get('pin_cpu')}, "
                   "other CPUs: the median over the boots")
    return out


# --- the plot --------------------------------------------------------------

def plot_script(summary, cells, pins, png):
    """gnuplot script for the ratio panels, one per (cell, pin) with data:
    its data in a datablock of its own, named after it, so a panel can only
    draw what its title says. Returns (script, [(title, block, rows)])."""
    panels = []
    benches = sorted({(k[2], k[3]) for k in summary}, key=bench_key)
    for cell in cells:
        for pin in pins:
            rows = []
            for b in benches:
                row = summary.get((cell, pin) + b)
                if not row:
                    continue
                vals = []
                for lab in [label(x, y) for x, y in PLOTTED] + ["a/a"]:
                    r = row["ratios"].get(lab)
                    vals += [r["median"], r["lo"], r["hi"]] if r else [None] * 3
                if any(v is not None for v in vals):
                    rows.append((f"{b[0]} {b[1]}".replace(" -", ""), vals))
            if rows:
                n = max((summary[(cell, pin) + b]["ratios"].get("on/off") or {"n": 0})["n"]
                        for b in benches if (cell, pin) + b in summary)
                panels.append((f"{cell.upper()} {pin}: ratios of option on, median and 95% interval "
                               f"over {n} rounds; grey: the A/A interval",
                               f"${cell}_{pin}", rows))
    s = [f'set terminal pngcairo size 1500,{max(len(panels), 1) * 420} font ",9"',
         f'set output "{png}"',
         "set grid ytics", "set key outside right top", "set ylabel 'ratio (log scale)'",
         "set logscale y", "set ytics (0.25, 0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 4, 8)",
         "set autoscale yfix", "set offsets 0, 0, graph 0.05, graph 0.05",
         "set xtics rotate by -35 left", "set bars 0.5"]
    for _title, block, rows in panels:
        s.append(f"{block} << EOD")
        s.append("# x bench " + " ".join(f"{lab} lo hi" for lab in
                                          [label(x, y) for x, y in PLOTTED] + ["a/a"]))
        for i, (name, vals) in enumerate(rows):
            s.append(f'{i} "{name}" ' + " ".join("NaN" if v is None else f"{v:.4f}" for v in vals))
        s.append("EOD")
    s.append(f"set multiplot layout {max(len(panels), 1)},1")
    for title, block, rows in panels:
        s.append(f"set title '{title}'")
        s.append(f"set xrange [-0.6:{len(rows) - 0.4}]")
        plots = [f"{block} using 1:(1):($1-0.45):($1+0.45):12:13 with boxxyerror "
                 "fs transparent solid 0.3 noborder lc rgb '#999999' title 'a/a'",
                 "1 with lines lc rgb '#444444' dt 2 notitle"]
        have = lambda col: any(v[col] is not None for _, v in rows)  # noqa: E731
        for j, (x, y) in enumerate(PLOTTED):
            if have(3 * j):
                off = (j - 1) * 0.22
                plots.append(f"{block} using ($1{off:+.2f}):{3 + 3 * j}:{4 + 3 * j}:{5 + 3 * j}"
                             f"{':xtic(2)' if j == 0 else ''} with yerrorbars pt 7 ps 0.6 "
                             f"lc rgb '{COLORS[j]}' title '{label(x, y)}'")
        if not have(0):
            plots[0] = plots[0].replace(":12:13 with", ":12:13:xtic(2) with")
        s.append("plot " + ", \\\n     ".join(plots))
    s.append("unset multiplot")
    return "\n".join(s) + "\n", panels


def plot(summary, cells, pins, out, gnuplot="gnuplot"):
    """Draw OUT/bench.png from OUT/bench.gp; on any failure no PNG is left
    (not even an old one). Returns an error text or None."""
    png = os.path.join(out, "bench.png")
    tmp = png + ".tmp"
    script, panels = plot_script(summary, cells, pins, tmp)
    with open(os.path.join(out, "bench.gp"), "w") as f:
        f.write(script)
    for p in (png, tmp):
        if os.path.exists(p):
            os.unlink(p)
    if not panels:
        return "no data to plot"
    try:
        r = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
    except OSError as e:
        return str(e)
    err = r.stderr.strip()
    bad = r.returncode != 0 or re.search(r"(?mi)^.*\berror\b", err) or not os.path.exists(tmp)
    if bad:
        if os.path.exists(tmp):
            os.unlink(tmp)
        return f"gnuplot exited {r.returncode}: {err.splitlines()[-1] if err else 'no output'}"
    os.rename(tmp, png)
    return None


# --- a repeat against a first run -----------------------------------------

# A repeat's median lands inside the first run's 95% interval with chance
# P(|Z| < 1.96 / sqrt(2)): both medians scatter alike around the truth.
REPEAT_INSIDE = 0.834


def run_to_run(first, second, key, reps=2000, conf=0.95):
    """Median and percentile-bootstrap interval of second/first, the ratio
    of the two runs' medians (their rounds resampled independently)."""
    rng = random.Random(key)
    a, b = first["per_round"], second["per_round"]
    lo, hi = percentile_interval([statistics.median(rng.choices(b, k=len(b)))
                                  / statistics.median(rng.choices(a, k=len(a)))
                                  for _ in range(reps)], conf)
    return second["median"] / first["median"], lo, hi


def repeat_lines(first, second, labels=("on/off",)):
    """Per comparison in both runs: is the repeat's median inside the first
    run's interval, and the run-to-run ratio with its interval; a summary
    line per label with what a repeat of the same distribution would give."""
    out, tally = [""], {}
    for k in sorted(set(first) & set(second), key=lambda k: (k[0], k[1], bench_key(k[2:]))):
        for lab in labels:
            r1, r2 = first[k]["ratios"].get(lab), second[k]["ratios"].get(lab)
            if not r1 or not r2 or "per_round" not in r1 or "per_round" not in r2:
                continue
            inside = r1["lo"] <= r2["median"] <= r1["hi"]
            q, lo, hi = run_to_run(r1, r2, " ".join(k) + " " + lab)
            t = tally.setdefault(lab, [0, 0, 0])
            t[0] += 1
            t[1] += inside
            t[2] += lo <= 1 <= hi
            out.append(f"repeat {' '.join(k)} {lab} {r2['median']:.3f} first {fmt_ratio(r1)} "
                       f"{'inside' if inside else 'OUTSIDE'}; second/first {q:.3f} "
                       f"[{lo:.3f},{hi:.3f}]")
    for lab, (n, inside, one) in tally.items():
        out.append(f"repeat: {lab}: {inside} of {n} medians inside the first run's interval "
                   f"(same distribution: about {REPEAT_INSIDE * n:.0f}); {one} of {n} "
                   f"second/first intervals hold 1 (about {0.95 * n:.0f})")
    return out if tally else []


# --- main ------------------------------------------------------------------

def pin_default():
    cpus = sorted(os.sched_getaffinity(0))
    return cpus[1] if len(cpus) > 1 else cpus[0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernels", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, help=f"default {DEFAULT_ROUNDS} ({QUICK_ROUNDS} with --quick)")
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--cells", default="up,smp")
    ap.add_argument("--pins", default="pinned")
    ap.add_argument("--pin-cpu", type=int, help="host CPU of pinned runs (default: the second)")
    ap.add_argument("--quick", action="store_true", help="few rounds: wide intervals, and it says so")
    ap.add_argument("--aa", default="off", choices=["pristine", "off", "on"],
                    help="the kernel booted twice for the A/A control")
    ap.add_argument("--policy", default="batch", choices=["normal", "batch"],
                    help="host scheduling policy of UML and its threads (default batch: "
                         "no wake-up preemption; normal: SCHED_OTHER)")
    ap.add_argument("--max-repeats", type=int, default=2, help="per boot, if the host was busy")
    ap.add_argument("--busy-cpus", type=float, default=0.25,
                    help="other work above this many CPUs makes a boot busy")
    ap.add_argument("--busy-steal", type=float, default=0.02,
                    help="steal above this share of CPU time makes a boot busy")
    ap.add_argument("--busy-slow", type=float, default=0.05,
                    help="a reference loop this much slower than the median boot makes a boot busy")
    ap.add_argument("--busy-pause", type=float, default=5, help="seconds before a repeat")
    ap.add_argument("--keep-busy", action="store_true",
                    help="keep a boot still busy after its repeats (and say so)")
    ap.add_argument("--from-json", help="no boots: tables and plot from an earlier bench.json")
    ap.add_argument("--compare", metavar="FIRST.json",
                    help="a repeat: check this run's on/off medians against an earlier run's intervals")
    a = ap.parse_args(argv)

    def fail(msg):
        print(f"bench: {msg}", file=sys.stderr)
        return 2

    cells, pins = a.cells.split(","), a.pins.split(",")
    for c in cells:
        if c not in ("up", "smp"):
            return fail(f"--cells: unknown cell '{c}' (up, smp)")
    for p in pins:
        if p not in ("pinned", "unpinned"):
            return fail(f"--pins: unknown '{p}' (pinned, unpinned)")
    if a.rounds is not None and a.rounds < 1:
        return fail(f"--rounds {a.rounds}: must be at least 1")
    rounds = a.rounds or (QUICK_ROUNDS if a.quick else DEFAULT_ROUNDS)

    first = None
    if a.compare:
        try:
            with open(a.compare) as f:
                old = json.load(f)
            om = old.get("meta") or {}
            first = summarize(old["samples"], om.get("cells", cells), om.get("pins", pins))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            return fail(f"--compare {a.compare}: not a bench.json ({e})")

    t_start = time.time()
    if a.from_json:
        try:
            with open(a.from_json) as f:
                old = json.load(f)
            samples, boots = old["samples"], old.get("boots", [])
            meta = old.get("meta") or dict(rounds=old["rounds"], scale=old["scale"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            return fail(f"--from-json {a.from_json}: not a bench.json ({e})")
        meta.setdefault("cells", sorted({s["cell"] for s in samples}, key=["up", "smp"].index))
        meta.setdefault("pins", sorted({s["pin"] for s in samples}))
        os.makedirs(a.out, exist_ok=True)
    else:
        for cell in cells:
            for v in ("pristine", "off", "on"):
                k = os.path.join(a.kernels, f"{cell}-{v}", "linux")
                if not os.access(k, os.X_OK):
                    return fail(f"--kernels {a.kernels}: no kernel {k}")
        if not os.access(os.path.join(a.guest, "init"), os.X_OK):
            return fail(f"--guest {a.guest}: no guest root (no /init)")
        os.makedirs(a.out, exist_ok=True)
        pin_cpu = a.pin_cpu if a.pin_cpu is not None else pin_default()
        meta = dict(rounds=rounds, scale=a.scale, quick=a.quick, cells=cells, pins=pins, aa=a.aa,
                    policy=a.policy,
                    machine=os.uname().release, cpus=os.cpu_count(),
                    guard=dict(busy_cpus=a.busy_cpus, busy_steal=a.busy_steal, busy_slow=a.busy_slow,
                               max_repeats=a.max_repeats, pin_cpu=pin_cpu,
                               repeats=0, dropped=0, kept_busy=0))
        samples, boots = run(a, meta, pin_cpu)

    lines, summary = render(samples, boots, meta)
    if first is not None:
        lines[-1:-1] = repeat_lines(first, summary)
    text = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "bench.txt"), "w") as f:
        f.write(text)
    if not a.from_json:
        with open(os.path.join(a.out, "bench.json"), "w") as f:
            json.dump(dict(version=2, meta=meta, samples=samples, boots=boots,
                           rounds=meta["rounds"], scale=meta["scale"]), f, indent=1)
    err = plot(summary, meta["cells"], meta["pins"], a.out)
    print(lines[0])  # the headline first, also when the rest is cut off
    print("\n".join(lines[1:]))
    print(f"\nbench: {len(boots)} boots in {time.time() - t_start:.0f}s; {a.out}/bench.json, bench.txt, "
          + (f"no plot ({err})" if err else "bench.png"), file=sys.stderr)
    return 0


def run(a, meta, pin_cpu):
    """Boot the rounds; returns (samples, boots)."""
    cells, pins, rounds = meta["cells"], meta["pins"], meta["rounds"]
    g = meta["guard"]
    # the A/A kernel under a second name: a copy of its file
    kernels = {}
    for cell in cells:
        for v in ("pristine", "off", "on"):
            kernels[(cell, v)] = os.path.join(a.kernels, f"{cell}-{v}", "linux")
        kernels[(cell, "ptrace")] = kernels[(cell, "on")]
        aa = os.path.join(a.out, "kernels", f"{cell}-aa", "linux")
        os.makedirs(os.path.dirname(aa), exist_ok=True)
        shutil.copy2(kernels[(cell, a.aa)], aa)
        kernels[(cell, "aa")] = aa
    for f in os.listdir(a.out):  # the logs of an earlier run
        if re.match(r"^(up|smp)-(un)?pinned-.*\.log$", f):
            os.unlink(os.path.join(a.out, f))
    others = set(os.sched_getaffinity(0)) - {pin_cpu}
    all_cpus = set(os.sched_getaffinity(0))
    total = rounds * len(cells) * len(pins) * len(VARIANTS)
    budget = {"left": total // 2}
    samples, boots = [], []
    kept_refs = []  # the reference loop time of every boot kept
    done = 0

    def say(msg):
        print(msg, file=sys.stderr, flush=True)

    if meta.get("quick"):
        say(f"bench: QUICK mode: {rounds} rounds, scale {meta['scale']}: intervals will be wide")
    for rnd in range(rounds):
        for cell in cells:
            for pin in pins:
                pinned = pin == "pinned"
                # bench.py and boot.sh's shell keep off the CPU UML runs on
                os.sched_setaffinity(0, others if pinned and others else all_cpus)
                for var in round_order(rnd):
                    done += 1

                    def attempt(k, cell=cell, pin=pin, var=var, pinned=pinned):
                        log = os.path.join(a.out, f"{cell}-{pin}-{var}-{rnd}{'-r%d' % k if k else ''}.log")
                        cmd = boot_cmd(kernels[(cell, var)], a.guest, log, cell, var,
                                       pin_cpu if pinned else None, meta["scale"],
                                       meta.get("policy", "normal"))
                        s0 = Snapshot()
                        rc, uml_cpu, pinner = run_boot(cmd, pin_cpu if pinned else None)
                        load = host_load(s0, Snapshot(), uml_cpu)
                        got = parse_log(log)
                        ref = boot_speed(got)
                        load["ref_ns"], load["slow"] = ref, slowdown(ref, kept_refs)
                        ok = rc == 0 and any(v["n"] > 0 for v in got.values())
                        rec = dict(round=rnd, cell=cell, pin=pin, variant=var, attempt=k, rc=rc,
                                   log=os.path.basename(log), load=load,
                                   threads=len(pinner.threads) if pinner else None,
                                   moved=pinner.moved if pinner else None, samples=got)
                        say(f"  [{done}/{total}] round {rnd + 1} {cell:3} {pin:8} {var:8} "
                            f"{load['wall_s']:5.1f}s other {load['other_cpus']:.2f} CPUs "
                            f"steal {load['steal'] * 100:.1f}% speed {-load['slow'] * 100:+.1f}% "
                            + ("ok" if ok else f"FAILED (rc {rc}), see {log}"))
                        return ok, rec

                    recs = guarded(attempt, a.max_repeats, budget, g["busy_cpus"], g["busy_steal"],
                                   a.busy_pause, say, a.keep_busy, g["busy_slow"])
                    g["repeats"] += len(recs) - 1
                    if recs[-1]["busy"]:
                        g["kept_busy" if recs[-1]["kept"] else "dropped"] += 1
                    for r in recs:
                        got = r.pop("samples")
                        boots.append(r)
                        if not r["kept"]:
                            continue
                        if r["load"].get("ref_ns"):
                            kept_refs.append(r["load"]["ref_ns"])
                        for (name, size), v in got.items():
                            samples.append(dict(round=rnd, cell=cell, pin=pin, variant=var,
                                                bench=name, size=size, **v))
    os.sched_setaffinity(0, all_cpus)
    return samples, boots


if __name__ == "__main__":
    sys.exit(main())
