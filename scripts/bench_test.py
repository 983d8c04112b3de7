#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of bench.py (no kernel needed): python3 -m unittest scripts/bench_test.py"""
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in scripts/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata", "bench")
RATIO = re.compile(r"^ratio (up|smp) (pinned|unpinned) (\S+) (\S+) (on/off|off/pristine|on/pristine|"
                   r"on/ptrace|a/a) (\d+\.\d{3}) \[(\d+\.\d{3}),(\d+\.\d{3})\] n=(\d+)$")


def load_fixture():
    with open(os.path.join(DATA, "run.json")) as f:
        return json.load(f)


def sample(rnd, var, med, cell="up", name="touch", size="-", n=300, ref=0):
    return dict(round=rnd, cell=cell, pin="pinned", variant=var, bench=name, size=size,
                median_ns=med, p99_ns=2 * med, n=n, tries=n, ref_ns=ref)


def meta(**kw):
    m = dict(rounds=5, scale=1, quick=False, cells=["up"], pins=["pinned"],
             guard=dict(busy_cpus=0.25, busy_steal=0.02, max_repeats=2, pin_cpu=1,
                        repeats=0, dropped=0, kept_busy=0))
    m.update(kw)
    return m


def run_main(args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = bench.main(args)
    return rc, out.getvalue(), err.getvalue()


class ParseLog(unittest.TestCase):
    def test_lines_and_buckets(self):
        got = bench.parse_log(os.path.join(DATA, "console.log"))
        self.assertEqual(got[("getpid", "-")], dict(median_ns=4375, p99_ns=108723, n=2000, tries=2200,
                                                    ref_ns=1523, p10_ns=4101))
        self.assertEqual(got[("mmap-frag", "16K")]["ref_ns"], 0)  # old lines: no ref_ns, p10_ns
        self.assertEqual(got[("mmap-frag", "16K")]["p10_ns"], 0)
        self.assertEqual(got[("mmap", "1024K")]["n"], 0)      # an empty bucket is reported
        self.assertEqual(got[("mmap", "1024K")]["tries"], 630)
        self.assertEqual(got[("mmap-frag", "16K")]["tries"], 300)  # old lines: tries = n
        self.assertNotIn(("calibration", "-"), got)
        self.assertEqual(len(got), 5)


class Rounds(unittest.TestCase):
    def test_rotation(self):
        k = len(bench.VARIANTS)
        orders = [bench.round_order(r) for r in range(k)]
        for o in orders:
            self.assertEqual(sorted(o), sorted(bench.VARIANTS))
        for pos in range(k):  # every variant once in every position
            self.assertEqual(sorted(o[pos] for o in orders), sorted(bench.VARIANTS))
        self.assertIn("aa", bench.VARIANTS)


class Bootstrap(unittest.TestCase):
    def test_constant(self):
        self.assertEqual(bench.bootstrap_ci([1.05] * 8, "k"), (1.05, 1.05))
        self.assertEqual(bench.bootstrap_ci([0.9], "k"), (0.9, 0.9))
        self.assertIsNone(bench.bootstrap_ci([], "k"))

    def test_interval(self):
        vals = [0.97, 0.99, 1.0, 1.01, 1.02, 1.03, 0.98, 1.0, 1.04, 0.96, 1.01, 0.99]
        lo, hi = bench.bootstrap_ci(vals, "k")
        self.assertLess(lo, 1.0)
        self.assertGreater(hi, 1.0)
        self.assertGreaterEqual(lo, min(vals))
        self.assertLessEqual(hi, max(vals))
        self.assertEqual((lo, hi), bench.bootstrap_ci(vals, "k"))  # seeded: renders the same
        wide = bench.bootstrap_ci([1 + 3 * (v - 1) for v in vals], "k")
        self.assertGreater(wide[1] - wide[0], hi - lo)
        # more rounds of the same spread: a narrower interval
        lo4, hi4 = bench.bootstrap_ci(vals * 4, "k")
        self.assertLess(hi4 - lo4, hi - lo)


class Ratios(unittest.TestCase):
    def test_paired_per_round(self):
        s = []
        for r in range(4):
            s += [sample(r, "off", 100), sample(r, "on", 110 + r), sample(r, "aa", 100 + r)]
        s.append(sample(4, "on", 500))  # round 4 has no "off": no pair
        row = bench.summarize(s, ["up"], ["pinned"])[("up", "pinned", "touch", "-")]
        onoff = row["ratios"]["on/off"]
        self.assertEqual(onoff["n"], 4)
        self.assertEqual(onoff["per_round"], [1.10, 1.11, 1.12, 1.13])
        self.assertAlmostEqual(onoff["median"], 1.115)
        self.assertEqual(row["ratios"]["a/a"]["per_round"], [1.0, 1.01, 1.02, 1.03])
        self.assertNotIn("on/pristine", row["ratios"])
        self.assertEqual(row["medians"]["on"][2], 5)  # boots of "on"

    def test_ratios_of_p10(self):
        s = [sample(0, "off", 100), sample(0, "on", 130), sample(1, "off", 100), sample(1, "on", 130)]
        s[1]["p10_ns"], s[3]["p10_ns"] = 110, 110  # slow for part of the boot: its median moved
        s[0]["p10_ns"] = s[2]["p10_ns"] = 100
        row = bench.summarize(s, ["up"], ["pinned"])[("up", "pinned", "touch", "-")]
        self.assertEqual(row["ratios"]["on/off"]["per_round"], [1.1, 1.1])
        self.assertEqual(row["medians"]["on"][0], 130)  # the table stays in medians
        self.assertEqual(bench.compared(sample(0, "on", 130)), 130)  # no p10: the median

    def test_empty_bucket_left_out(self):
        s = [sample(r, v, 100, n=0 if v == "on" else 300) for r in range(3) for v in ("on", "off")]
        row = bench.summarize(s, ["up"], ["pinned"])[("up", "pinned", "touch", "-")]
        self.assertNotIn("on", row["medians"])
        self.assertNotIn("on/off", row["ratios"])

    def test_line_format(self):
        r = dict(median=1.0324, lo=1.0181, hi=1.0472, n=12)
        self.assertEqual(bench.ratio_line("up", "pinned", "touch", "-", "on/off", r),
                         "ratio up pinned touch - on/off 1.032 [1.018,1.047] n=12")
        self.assertEqual(bench.label("aa", "off"), "a/a")


class Headline(unittest.TestCase):
    def render(self, spread, **kw):
        s = []
        for r in range(6):
            d = spread * (r - 2.5)
            s += [sample(r, "off", 1000), sample(r, "aa", round(1000 * (1 + d))),
                  sample(r, "on", 1100)]
        lines, _ = bench.render(s, [], meta(**kw))
        return lines

    def test_wide_aa_first_and_last_line(self):
        lines = self.render(0.03)
        self.assertEqual(lines[0], lines[-1])
        self.assertTrue(lines[0].startswith("bench: WARNING: A/A interval wider than +-2%"), lines[0])
        self.assertIn("up pinned touch -", lines[0])

    def test_narrow_aa_quiet(self):
        lines = self.render(0.002)
        self.assertEqual(lines[0], lines[-1])
        self.assertRegex(lines[0], r"^bench: A/A floor \+-0\.\d% \(widest: up pinned touch -\); "
                                   r"host quiet: 0 repeats$")
        self.assertIn("ratio up pinned touch - a/a ", "\n".join(lines))

    def test_busy_and_quick_said(self):
        g = dict(busy_cpus=0.25, busy_steal=0.02, max_repeats=2, pin_cpu=1,
                 repeats=3, dropped=1, kept_busy=0)
        lines = self.render(0.002, guard=g, quick=True)
        self.assertTrue(lines[0].startswith("bench: WARNING: "), lines[0])
        self.assertIn("host busy: 3 boots repeated, 1 dropped", lines[0])
        self.assertIn("QUICK mode", lines[-1])

    def test_policy_said(self):
        lines = self.render(0.002, policy="batch")
        self.assertIn("UML ran SCHED_BATCH", lines[0])
        self.assertIn("UML ran SCHED_OTHER", self.render(0.002, policy="normal")[0])
        self.assertNotIn("SCHED_", self.render(0.002)[0])  # old data: not recorded

    def test_batch_policy_wraps_the_boot(self):
        cmd = bench.boot_cmd("k", "g", "l", "smp", "on", 1, 1, "batch")
        self.assertEqual(cmd[:3], ["chrt", "--batch", "0"])
        self.assertTrue(cmd[3].endswith("boot.sh"))
        self.assertTrue(bench.boot_cmd("k", "g", "l", "smp", "on", 1, 1)[0].endswith("boot.sh"))

    def test_a_row_without_aa_is_wide(self):
        s = []
        for r in range(6):
            s += [sample(r, "off", 1000), sample(r, "aa", 1000), sample(r, "on", 1100),
                  sample(r, "off", 50, name="getpid"), sample(r, "on", 60, name="getpid")]
        lines, _ = bench.render(s, [], meta())
        self.assertTrue(lines[0].startswith("bench: WARNING: A/A interval wider than +-2%: "
                                            "no A/A interval at up pinned getpid -"), lines[0])

    def test_no_aa(self):
        lines, _ = bench.render([sample(0, "on", 5), sample(0, "off", 4)], [], meta())
        self.assertIn("WARNING: no A/A control", lines[0])


class Load(unittest.TestCase):
    STAT0 = "cpu  1000 0 200 5000 10 0 5 20 0 0\ncpu0 500 0 100 2500 5 0 2 10 0 0\nintr 1 2\n"
    # +2 s on 2 CPUs = 400 ticks: 300 busy (250 user, 50 system), 80 idle, 20 steal
    STAT1 = "cpu  1250 0 250 5080 10 0 5 40 0 0\ncpu0 600 0 125 2540 5 0 2 20 0 0\nintr 1 2\n"

    def test_parse_stat(self):
        st = bench.parse_stat(self.STAT0)
        self.assertEqual(st["cpu"], (1205, 20, 6235))
        self.assertEqual(set(st), {"cpu", "cpu0"})

    def test_other_work_and_steal(self):
        a = bench.Snapshot(self.STAT0, "0.50 0.4 0.3 1/100 5", wall=10.0, own_cpu=1.0)
        b = bench.Snapshot(self.STAT1, "1.20 0.5 0.3 1/100 5", wall=12.0, own_cpu=1.1)
        load = bench.host_load(a, b, uml_cpu=1.9, hz=100)
        # busy 3.0 s - UML 1.9 s - bench.py 0.1 s = 1.0 s in 2 s: 0.5 CPUs
        self.assertAlmostEqual(load["other_cpus"], 0.5)
        self.assertAlmostEqual(load["steal"], 0.05)
        self.assertEqual((load["load1_start"], load["load1_end"]), (0.5, 1.2))
        self.assertEqual(bench.busy_reason(load, 0.25, 0.02),
                         "other work 0.50 CPUs > 0.25; steal 5.0% > 2.0%")
        self.assertIsNone(bench.busy_reason(load, 0.6, 0.06))


class Guard(unittest.TestCase):
    QUIET = dict(other_cpus=0.01, steal=0.0)
    BUSY = dict(other_cpus=1.2, steal=0.0)

    def run_guard(self, loads, oks=None, max_repeats=2, budget=10, keep_busy=False):
        calls = []

        def attempt(k):
            calls.append(k)
            return (oks[k] if oks else True), dict(load=loads[k], n=k)

        b = {"left": budget}
        recs = bench.guarded(attempt, max_repeats, b, 0.25, 0.02, 0, lambda m: None, keep_busy)
        return recs, calls, b["left"]

    def test_repeated_until_quiet(self):
        recs, calls, left = self.run_guard([self.BUSY, self.BUSY, self.QUIET])
        self.assertEqual(calls, [0, 1, 2])
        self.assertEqual([r["kept"] for r in recs], [False, False, True])
        self.assertEqual(left, 8)
        self.assertTrue(recs[-1]["final"])
        self.assertNotIn("final", recs[0])

    def test_bounded_and_dropped(self):
        recs, calls, _ = self.run_guard([self.BUSY] * 5)
        self.assertEqual(calls, [0, 1, 2])
        self.assertFalse(any(r["kept"] for r in recs))
        recs, _, _ = self.run_guard([self.BUSY] * 5, keep_busy=True)
        self.assertEqual([r["kept"] for r in recs], [False, False, True])

    def test_budget(self):
        recs, calls, left = self.run_guard([self.BUSY] * 5, budget=1)
        self.assertEqual(calls, [0, 1])
        self.assertEqual(left, 0)

    def test_slow_cpu(self):
        self.assertEqual(bench.slowdown(1100, [1000, 990]), 0.0)  # too few to compare
        self.assertEqual(bench.slowdown(1100, [1000, 990, 1010]), 0.1)
        self.assertEqual(bench.boot_speed({("a", "-"): dict(ref_ns=900), ("b", "-"): dict(ref_ns=1100),
                                           ("c", "-"): dict(ref_ns=0)}), 1000)
        self.assertIsNone(bench.boot_speed({("a", "-"): dict(ref_ns=0)}))
        load = dict(self.QUIET, slow=0.08)
        self.assertEqual(bench.busy_reason(load, 0.25, 0.02, 0.05),
                         "CPU slow: reference loop +8.0% > 5%")
        self.assertIsNone(bench.busy_reason(load, 0.25, 0.02, 0.1))
        self.assertIsNone(bench.busy_reason(load, 0.25, 0.02))  # no limit given

    def test_failed_boot_not_repeated_nor_kept(self):
        recs, calls, _ = self.run_guard([self.QUIET], oks=[False])
        self.assertEqual(calls, [0])
        self.assertFalse(recs[0]["kept"])


@unittest.skipUnless(len(os.sched_getaffinity(0)) > 1, "needs two CPUs")
class Pinning(unittest.TestCase):
    def test_every_thread_below_moved(self):
        cpu = sorted(os.sched_getaffinity(0))[0]
        p = subprocess.Popen(["sh", "-c", "timeout 30 sleep 30 & sleep 30 & wait"])
        try:
            for _ in range(100):
                kids = bench.descendants(p.pid)
                if len(kids) >= 4:  # sh, timeout, and two sleeps
                    break
                time.sleep(0.05)
            self.assertGreaterEqual(len(kids), 4)
            pinner = bench.Pinner(cpu)
            pinner.sweep(p.pid)
            comm = {}
            for k in kids:
                with open(f"/proc/{k}/comm") as f:
                    comm[k] = f.read().strip()
            for k in kids:
                want = {cpu} if comm[k] == "sleep" else set(os.sched_getaffinity(0))
                self.assertEqual(os.sched_getaffinity(k), want, comm[k])
            self.assertEqual(pinner.moved, 2)
            self.assertEqual(len(pinner.threads), 2)
            pinner.sweep(p.pid)  # already there: nothing moved again
            self.assertEqual(pinner.moved, 2)
        finally:
            for k in bench.descendants(p.pid)[::-1]:
                with contextlib.suppress(OSError):
                    os.kill(k, 9)
            p.wait()


class Plot(unittest.TestCase):
    def setUp(self):
        d = load_fixture()
        self.meta = d["meta"]
        self.summary = bench.summarize(d["samples"], self.meta["cells"], self.meta["pins"])
        self.tmp = tempfile.mkdtemp(prefix="bench-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    @staticmethod
    def parse(script):
        blocks, panels, cur = {}, [], None
        lines = script.splitlines()
        i = 0
        while i < len(lines):
            m = re.match(r"^(\$\w+) << EOD$", lines[i])
            if m:
                rows = []
                i += 1
                while lines[i] != "EOD":
                    if not lines[i].startswith("#"):
                        rows.append(lines[i])
                    i += 1
                blocks[m.group(1)] = rows
            elif lines[i].startswith("set title "):
                cur = lines[i][len("set title '"):-1]
            elif lines[i].startswith("plot "):
                cmd = lines[i]
                while cmd.endswith("\\"):
                    i += 1
                    cmd = cmd[:-1] + lines[i]
                panels.append((cur, set(re.findall(r"\$[a-z]\w*", cmd)), cmd))
            i += 1
        return blocks, panels

    def test_panels_draw_what_their_titles_say(self):
        script, _ = bench.plot_script(self.summary, self.meta["cells"], self.meta["pins"], "x.png")
        blocks, panels = self.parse(script)
        self.assertEqual(len(panels), 2)
        for (title, used, cmd), cell in zip(panels, ["up", "smp"]):
            self.assertEqual(used, {f"${cell}_pinned"}, title)
            self.assertTrue(title.startswith(f"{cell.upper()} pinned:"), title)
            self.assertIn("over 5 rounds", title)
            for lab in ("on/off", "on/pristine", "a/a"):
                self.assertIn(f"title '{lab}'", cmd)
            rows = blocks[f"${cell}_pinned"]
            want = [b for b in sorted({(k[2], k[3]) for k in self.summary if k[0] == cell},
                                      key=bench.bench_key)]
            self.assertEqual(len(rows), len(want))
            for i, (row, b) in enumerate(zip(rows, want)):
                m = re.match(r'^(\d+) "([^"]+)" (.*)$', row)
                self.assertEqual(int(m.group(1)), i)
                self.assertEqual(m.group(2), f"{b[0]} {b[1]}".replace(" -", ""))
                vals = m.group(3).split()
                r = self.summary[(cell, "pinned") + b]["ratios"]
                for j, lab in enumerate(["on/off", "on/pristine", "on/ptrace", "a/a"]):
                    if lab in r:
                        self.assertAlmostEqual(float(vals[3 * j]), r[lab]["median"], places=4)
                        self.assertAlmostEqual(float(vals[3 * j + 2]), r[lab]["hi"], places=4)
                    else:
                        self.assertEqual(vals[3 * j:3 * j + 3], ["NaN"] * 3)
        # what differs between the cells is where it belongs
        self.assertNotIn('"mmap 1024K"', "\n".join(blocks["$up_pinned"]))
        self.assertIn('"mmap 1024K"', "\n".join(blocks["$smp_pinned"]))
        frag = [r for r in blocks["$smp_pinned"] if '"mmap-frag 16K"' in r][0]
        self.assertIn("NaN NaN NaN", frag)  # no on/ptrace: its bucket was empty

    def test_no_data_no_panel(self):
        script, panels = bench.plot_script(self.summary, ["up"], ["unpinned"], "x.png")
        self.assertEqual(panels, [])
        self.assertNotRegex(script, r"(?m)^plot ")

    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot not installed")
    def test_renders_png(self):
        self.assertIsNone(bench.plot(self.summary, self.meta["cells"], self.meta["pins"], self.tmp))
        with open(os.path.join(self.tmp, "bench.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "bench.png.tmp")))

    def test_failed_plot_leaves_no_png(self):
        png = os.path.join(self.tmp, "bench.png")
        # one that draws part of it, then fails (as gnuplot does on a bad plot)
        half = os.path.join(self.tmp, "half-gnuplot")
        with open(half, "w") as f:
            f.write('#!/bin/sh\nout=$(sed -n \'s/^set output "\\(.*\\)"$/\\1/p\')\n'
                    'echo partial >"$out"\necho "line 40: all points y value undefined!" >&2\nexit 1\n')
        os.chmod(half, 0o755)
        for gp in ("false", os.path.join(self.tmp, "no-such-gnuplot"), half):
            with open(png, "w") as f:
                f.write("an old plot")
            err = bench.plot(self.summary, self.meta["cells"], self.meta["pins"], self.tmp, gnuplot=gp)
            self.assertIsNotNone(err)
            self.assertEqual(sorted(os.listdir(self.tmp)), sorted({"bench.gp", os.path.basename(half)}), gp)


class Main(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bench-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_from_json(self):
        out = os.path.join(self.tmp, "out")
        rc, stdout, err = run_main(["--from-json", os.path.join(DATA, "run.json"),
                                    "--kernels", "-", "--guest", "-", "--out", out])
        self.assertEqual(rc, 0, err)
        with open(os.path.join(out, "bench.txt")) as f:
            text = f.read()
        self.assertEqual(text, stdout)
        lines = text.rstrip("\n").split("\n")
        self.assertEqual(lines[0], lines[-1])
        self.assertRegex(lines[0], r"^bench: A/A floor \+-\d\.\d% ")
        ratios = [ln for ln in lines if ln.startswith("ratio ")]
        for ln in ratios:
            self.assertRegex(ln, RATIO)
        # up: 5 benchmarks x 5 comparisons; smp: 6 x 5 less the empty on/ptrace
        self.assertEqual(len(ratios), 5 * 5 + 6 * 5 - 1)
        self.assertIn("ratio smp pinned mmap 1024K a/a ", text)
        self.assertIn("buckets EMPTY: ptrace mmap-frag 16K (5 of 5 boots)", text)
        self.assertIn("buckets: 5 filled in every boot", text)
        for ln in ratios:  # the fixture: on is 1.2 x off, a/a 1, every round within 2%
            m = RATIO.match(ln)
            lo, med, hi = float(m.group(7)), float(m.group(6)), float(m.group(8))
            self.assertLessEqual(lo, med)
            self.assertLessEqual(med, hi)
            self.assertEqual(m.group(9), "5")
            if m.group(5) == "on/off":
                self.assertAlmostEqual(med, 1.2, delta=0.03)

    def test_old_json(self):
        old = load_fixture()
        v1 = dict(samples=[{k: s[k] for k in ("round", "cell", "pin", "variant", "bench", "size",
                                                "median_ns", "p99_ns")}
                           for s in old["samples"] if s["variant"] != "aa" and s["n"]],
                  machine="x", rounds=5, scale=1)
        path = os.path.join(self.tmp, "v1.json")
        with open(path, "w") as f:
            json.dump(v1, f)
        rc, stdout, _ = run_main(["--from-json", path, "--kernels", "-", "--guest", "-",
                                  "--out", os.path.join(self.tmp, "o")])
        self.assertEqual(rc, 0)
        self.assertTrue(stdout.startswith("bench: WARNING: no A/A control in this data"))
        self.assertIn("ratio up pinned touch - on/off ", stdout)

    def compare(self, second):
        path = os.path.join(self.tmp, "second.json")
        with open(path, "w") as f:
            json.dump(second, f)
        rc, stdout, err = run_main(["--from-json", path, "--compare", os.path.join(DATA, "run.json"),
                                    "--kernels", "-", "--guest", "-",
                                    "--out", os.path.join(self.tmp, "o")])
        self.assertEqual(rc, 0, err)
        lines = stdout.rstrip("\n").split("\n")
        self.assertEqual(lines[0], lines[-1])
        return [ln for ln in lines if ln.startswith("repeat ")], \
            [ln for ln in lines if ln.startswith("repeat: ")]

    def test_repeat_of_the_same_data(self):
        rows, total = self.compare(load_fixture())
        self.assertEqual(len(rows), 11)  # every on/off row of the fixture
        for ln in rows:
            self.assertRegex(ln, r" inside; second/first 1\.000 \[\d\.\d{3},\d\.\d{3}\]$")
        self.assertEqual(total, ["repeat: on/off: 11 of 11 medians inside the first run's interval "
                                 "(same distribution: about 9); 11 of 11 second/first intervals "
                                 "hold 1 (about 10)"])

    def test_repeat_that_moved_is_outside(self):
        second = load_fixture()
        for s in second["samples"]:
            if s["variant"] == "on" and s["bench"] == "touch":
                for f in ("median_ns", "p10_ns"):
                    if s.get(f):
                        s[f] = int(s[f] * 1.1)
        rows, total = self.compare(second)
        moved = [ln for ln in rows if " touch " in ln]
        self.assertEqual(len(moved), 2)
        for ln in moved:
            m = re.search(r" OUTSIDE; second/first (\d\.\d{3}) \[(\d\.\d{3}),(\d\.\d{3})\]$", ln)
            self.assertTrue(m, ln)
            self.assertAlmostEqual(float(m.group(1)), 1.1, delta=0.01)
            self.assertGreater(float(m.group(2)), 1)
        self.assertRegex(total[0], r"^repeat: on/off: 9 of 11 medians inside .*; 9 of 11 second/first")

    def test_compare_bad_input_named(self):
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write("[]")
        out = os.path.join(self.tmp, "out")
        rc, _, err = run_main(["--from-json", os.path.join(DATA, "run.json"), "--compare", bad,
                               "--kernels", "-", "--guest", "-", "--out", out])
        self.assertEqual(rc, 2)
        self.assertIn(f"--compare {bad}: not a bench.json", err)
        self.assertFalse(os.path.exists(out))

    def test_bad_input_named_and_nothing_written(self):
        out = os.path.join(self.tmp, "out")
        rc, _, err = run_main(["--kernels", os.path.join(self.tmp, "nokernels"), "--guest", self.tmp,
                               "--out", out])
        self.assertEqual(rc, 2)
        self.assertIn(os.path.join(self.tmp, "nokernels", "up-pristine", "linux"), err)
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write("{not json")
        rc, _, err = run_main(["--from-json", bad, "--kernels", "-", "--guest", "-", "--out", out])
        self.assertEqual(rc, 2)
        self.assertIn(f"--from-json {bad}: not a bench.json", err)
        rc, _, err = run_main(["--from-json", bad, "--kernels", "-", "--guest", "-", "--out", out,
                               "--cells", "up,mips"])
        self.assertEqual(rc, 2)
        self.assertIn("unknown cell 'mips'", err)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
