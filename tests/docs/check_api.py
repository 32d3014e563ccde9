#!/usr/bin/env python3
"""Builds the API reference (doxygen over the public headers) and checks it: the main types
have pages with their documented members, and the number of undocumented public members does
not grow past LIMIT (lower LIMIT when you document more).

usage: check_api.py DOXYGEN DOXYFILE SOURCE_DIR OUTPUT_DIR LIMIT
"""
import os
import subprocess
import sys

doxygen, doxyfile, source, out, limit = sys.argv[1:6]
limit = int(limit)
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


os.makedirs(out, exist_ok=True)  # doxygen creates only the last level of OUTPUT_DIRECTORY
p = subprocess.run([doxygen, doxyfile], cwd=source, capture_output=True, text=True, timeout=600)
expect(p.returncode == 0, "doxygen exits 0: %s" % p.stderr[-500:])
html = os.path.join(out, "html")
pages = {
    "classcorosim_1_1Future.html": ["add_done_callback", "set_result"],
    "classcorosim_1_1Task.html": ["cancel", "uncancel"],
    "classcorosim_1_1TaskGroup.html": ["create_task"],
    "classcorosim_1_1sync_1_1Lock.html": ["acquire"],
    "index.html": ["corosim API reference"],
}
for page, words in pages.items():
    path = os.path.join(html, page)
    if not os.path.exists(path):
        expect(False, "%s exists" % page)
        continue
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for w in words:
        expect(w in text, "%s mentions %s" % (page, w))
with open(os.path.join(out, "warnings.log"), encoding="utf-8", errors="replace") as f:
    undocumented = [line for line in f if "is not documented" in line]
print("%d undocumented members (limit %d)" % (len(undocumented), limit))
expect(len(undocumented) <= limit, "undocumented members grew past %d: %s" % (limit, "".join(undocumented[:10])))
print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
