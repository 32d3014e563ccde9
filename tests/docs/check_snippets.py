#!/usr/bin/env python3
"""Compiles every ```cpp block of README.md and docs/*.md against corosim's headers.

usage: check_snippets.py --root SRC --out DIR --cxx COMPILER [compiler flags...]

A block is a whole translation unit unless its first line is a marker comment
(docs/troubleshooting.md, "Code snippets in these docs"):

  // snippet: fragment     declarations: the standard prelude (corosim, the scenarios
                           registry, <chrono>, `using namespace corosim;` and
                           `using namespace std::chrono_literals;`) goes before it
  // snippet: body         statements: prelude, then the block inside a coroutine
                           `Coro<void> snippet_body()`
  // snippet: error TEXT   must NOT compile (prelude as for fragment), and the compiler's
                           output must contain TEXT: a footgun the docs show being caught
  // snippet: skip REASON  not compiled (e.g. it compiles but crashes, which is its point)

Prints one line per snippet; exits 1 if any fails, 2 on bad usage or no snippet found.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

PRELUDE = """#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <corosim/corosim.hpp>
#include <corosim/net/streams.hpp>
#include <corosim/scenarios/registry.hpp>

using namespace corosim;
using namespace std::chrono_literals;
"""

BLOCK_RE = re.compile(r"^```cpp[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
MARKER_RE = re.compile(r"^\s*//\s*snippet:\s*(fragment|body|error|skip)\b[ \t]*(.*)$")


def snippets(root):
    docs = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    for path in docs:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in BLOCK_RE.finditer(text):
            line = text.count("\n", 0, m.start()) + 2  # the block's first line
            yield os.path.relpath(path, root), line, m.group(1)


def source_for(kind, code):
    if kind is None:
        return code
    if kind == "body":
        indented = "".join("    " + ln if ln.strip() else ln for ln in code.splitlines(True))
        return PRELUDE + "\n[[maybe_unused]] Coro<void> snippet_body() {\n" + indented + "    co_return;\n}\n"
    return PRELUDE + "\n" + code


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cxx", required=True)
    args, flags = ap.parse_known_args()
    os.makedirs(args.out, exist_ok=True)
    failed = 0
    count = 0
    for doc, line, code in snippets(args.root):
        count += 1
        first = code.splitlines()[0] if code.strip() else ""
        m = MARKER_RE.match(first)
        kind, extra = (m.group(1), m.group(2).strip()) if m else (None, "")
        where = "%s:%d" % (doc, line)
        if kind == "skip":
            print("skip  %s: %s" % (where, extra or "no reason given"))
            continue
        name = re.sub(r"[^A-Za-z0-9]+", "_", doc) + "_%d.cpp" % line
        src = os.path.join(args.out, name)
        body, start = (code.split("\n", 1)[1], line + 1) if m else (code, line)
        with open(src, "w", encoding="utf-8") as f:
            # The #line directive gives diagnostics the document's line numbers. It keeps the
            # file name: GCC 12 warns (-Wsubobject-linkage) about a lambda held in a coroutine
            # frame unless it is defined in the main file, which a renamed file is not.
            f.write(source_for(kind, '#line %d\n%s' % (start, body)))
        proc = subprocess.run([args.cxx, "-fsyntax-only", src] + flags, capture_output=True, text=True)
        output = proc.stdout + proc.stderr
        if kind == "error":
            ok = proc.returncode != 0 and extra in output
            verdict = "ok   " if ok else "FAIL "
            print("%s%s (must not compile, with %r)" % (verdict, where, extra))
            if not ok:
                failed += 1
                print(output if proc.returncode != 0 else "  it compiled", file=sys.stderr)
        elif proc.returncode == 0:
            print("ok    %s" % where)
        else:
            failed += 1
            print("FAIL  %s (%s)" % (where, src))
            print(output, file=sys.stderr)
    if count == 0:
        print("check_snippets: no ```cpp block found under %s" % args.root, file=sys.stderr)
        return 2
    print("%d snippets, %d failed" % (count, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
