"""The HTML report and the Chrome trace export, opened as a user would (issue 12).

A campaign with planted bugs; `report --format html` checked for its structure (a swimlane
per run with a lane per task, the failures highlighted, the decisive choices marked), then
opened in headless Chromium, which must run its script without a console error and render the
DOM; a screenshot is saved under OUTDIR. `export --format chrome` parsed: every B has its E
on the same thread, timestamps monotonic per thread. Without Chromium the browser part is
skipped (exit 77) after the rest passed.

usage: test_html.py PATH/TO/corosim OUTDIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

COROSIM, OUTDIR = sys.argv[1], os.path.abspath(sys.argv[2])
failures = []


def run(*args, timeout=600):
    p = subprocess.run([COROSIM, *args], capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, "NO_COLOR": "1"})
    return p.returncode, p.stdout, p.stderr


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


class Dom(HTMLParser):
    """Counts elements by tag and class, and records the data-* of swimlanes."""

    def __init__(self):
        super().__init__()
        self.count = {}
        self.external = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for cls in (a.get("class") or "").split():
            self.count[tag + "." + cls] = self.count.get(tag + "." + cls, 0) + 1
        self.count[tag] = self.count.get(tag, 0) + 1
        for key in ("src", "href"):
            if a.get(key) and not a[key].startswith(("#", "data:")):
                self.external.append(a[key])


def check_chrome_trace(path):
    doc = json.load(open(path))
    events = doc["traceEvents"]
    expect(any(e["ph"] == "M" and e["name"] == "thread_name" for e in events), "trace names its threads")
    stacks, last_ts = {}, {}
    for e in events:
        if e["ph"] == "M":
            continue
        tid = e["tid"]
        expect(e["ts"] >= last_ts.get(tid, 0), "timestamps monotonic on thread %s" % tid)
        last_ts[tid] = e["ts"]
        if e["ph"] == "B":
            stacks.setdefault(tid, []).append(e)
        elif e["ph"] == "E":
            expect(stacks.get(tid), "an E on thread %s closes a B" % tid)
            if stacks.get(tid):
                stacks[tid].pop()
    expect(all(not s for s in stacks.values()), "every B has its E")
    expect(sum(1 for e in events if e["ph"] == "B") > 0, "steps are slices")


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "p.db")
    args = ["fuzz", "--runs", "60", "--db", db]
    for name in ("planted_check_then_act", "planted_double_release", "planted_lost_wakeup"):
        args += ["--scenario", name]
    rc, out, _ = run(*args)
    expect(rc == 1, "the planted campaign fails")

    # Chrome trace-event JSON of a failing run (stored events) and of a passing one (re-run).
    ids = [int(i) for i in re.findall(r"replay --db \S+ --run (\d+)", out)]
    for run_id in ids[:2] + [1]:
        path = os.path.join(tmp, "run%d.json" % run_id)
        rc, _, err = run("export", "--db", db, "--run", str(run_id), "--format", "chrome", "-o", path)
        expect(rc == 0, "export of run %d: %s" % (run_id, err))
        if rc == 0:
            check_chrome_trace(path)
    rc, _, err = run("export", "--db", db, "--run", "1", "--format", "svg")
    expect(rc == 2 and err.startswith("corosim: "), "unknown export format is a usage error")

    html_path = os.path.join(OUTDIR, "report.html")
    rc, _, err = run("report", "--db", db, "--format", "html", "-o", html_path)
    expect(rc == 0, "report --format html: %s" % err)
    page = open(html_path, encoding="utf-8").read()
    dom = Dom()
    dom.feed(page)
    expect(not dom.external, "the page loads nothing from elsewhere: %s" % dom.external)
    expect(dom.count.get("article.failure") == 3, "one failure card per bug: %s" % dom.count.get("article.failure"))
    expect(dom.count.get("svg.swimlane", 0) >= 5, "swimlanes for shrunk and first runs: %s" % dom.count.get("svg.swimlane"))
    expect(dom.count.get("g.lane", 0) >= 2 * dom.count.get("svg.swimlane", 0), "a lane per task")
    expect(dom.count.get("circle.violation", 0) >= 2, "failed check()s are highlighted")
    expect(dom.count.get("line.decisive", 0) >= 1, "decisive choices are marked")
    expect(dom.count.get("code.repro", 0) >= 5, "repro lines are shown")

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("%d failures; chromium not installed: browser check skipped" % len(failures))
        sys.exit(1 if failures else 77)
    profile = os.path.join(tmp, "profile")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
             "--enable-logging=stderr", "--v=0"]
    url = "file://" + html_path
    p = subprocess.run([chromium, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=180)
    expect(p.returncode == 0, "chromium --dump-dom exits 0: %s" % p.stderr[-500:])
    expect('data-ready="1"' in p.stdout, "the page's script ran")
    m = re.search(r'data-lanes="(\d+)"', p.stdout)
    expect(m is not None and int(m.group(1)) == dom.count.get("g.lane"), "the rendered DOM has every lane")
    console_errors = [l for l in p.stderr.splitlines() if "CONSOLE" in l and ("Uncaught" in l or "Error" in l)]
    expect(not console_errors, "no console errors: %s" % console_errors)
    shot = os.path.join(OUTDIR, "report.png")
    p = subprocess.run([chromium, *flags, "--window-size=1400,1800", "--screenshot=" + shot, url],
                       capture_output=True, text=True, timeout=180)
    expect(p.returncode == 0 and os.path.getsize(shot) > 10000, "screenshot saved: %s" % p.stderr[-300:])

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
