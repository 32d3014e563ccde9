#!/usr/bin/env bash
# Follows docs/tutorial.md: installs this build, writes the project from the page's code blocks,
# finds the bug with fuzz, reproduces the shrunk run, replays, writes the HTML report, applies the
# page's fix and checks that 2,000 runs pass. What the page shows must be what happens.
# usage: test_tutorial.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'echo "tutorial: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
page="$src/docs/tutorial.md"
# The code block after `<!-- tutorial: NAME -->`.
block() {
    python3 - "$page" "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<!-- tutorial: " + re.escape(sys.argv[2]) + r" -->\n```\w+\n(.*?)^```", text, re.S | re.M)
sys.stdout.write(m.group(1))
PY
}
# The lines of the output block that follows `$ COMMAND` in the page.
shown() {
    python3 - "$page" "$1" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
i = lines.index("$ " + sys.argv[2])
out = []
for line in lines[i + 1:]:
    if line.startswith("```"):
        break
    out.append(line)
print("\n".join(out))
PY
}
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
mkdir "$tmp/proj"
cd "$tmp/proj"
block CMakeLists.txt >CMakeLists.txt
block pool.cpp >pool.cpp
cmake -S . -B build -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 >/dev/null

out=$(build/pool_sim run pool)
[[ "$out" == "pass pool seed=0 policy=fifo "* ]]

rc=0
found=$(NO_COLOR=1 build/pool_sim fuzz --scenario pool --db pool.db 2>/dev/null) || rc=$?
[ "$rc" -eq 1 ]
grep -q '^100 runs, [0-9]* failing (1 distinct), campaign 1 in pool.db$' <<<"$found"
grep -q '^FAIL pool: fail: check failed: every connection is back in the pool' <<<"$found"
# The page's shrunk command, run as shown: same failure, same trace as the page's.
shrunk_cmd=$(sed -n 's/^  shrunk (2 -> 0 non-FIFO choices): //p' <<<"$(shown "build/pool_sim fuzz --scenario pool --db pool.db")")
grep -qF "  shrunk (2 -> 0 non-FIFO choices): $shrunk_cmd" <<<"$found"
rc=0
trace=$(bash -c "$shrunk_cmd --trace" 2>/dev/null) || rc=$?
[ "$rc" -eq 1 ]
[ "$trace" == "$(shown "$shrunk_cmd --trace")" ]
# ... and the page's trace is CPython's: the golden of tests/sim/programs/tutorial_pool.py, the
# same program in Python (regen.py --check runs it).
[ "$(shown "$shrunk_cmd --trace")" == "$(cat "$src/tests/sim/goldens/tutorial_pool.trace")" ]

replayed=$(build/pool_sim replay --db pool.db --run 2)
[[ "$replayed" == "reproduced run 2 (pool seed=2 policy=random): "* ]]
build/pool_sim report --db pool.db --format html -o report.html >/dev/null
grep -q 'every connection is back in the pool' report.html

# The fix: the page's use_connection replaces the buggy one.
python3 - pool.cpp "$(block fix)" <<'PY'
import re, sys
path, fixed = sys.argv[1], sys.argv[2]
fixed = fixed.split("\n", 1)[1]  # drop the `// snippet: skip` line
src = open(path).read()
start = src.index("// Borrow a connection")
end = src.index("\n}\n", start) + 3
open(path, "w").write(src[:start] + fixed.rstrip("\n") + "\n" + src[end:])
PY
cmake --build build -j2 >/dev/null
fixed=$(build/pool_sim fuzz --scenario pool --db fixed.db --runs 2000 --jobs 2 2>/dev/null)
grep -q '^2000 runs, 0 failing (0 distinct), campaign 1 in fixed.db$' <<<"$fixed"
echo "tutorial: the page's project builds, its bug is found, shrunk, reproduced and replayed, and its fix passes 2000 runs"
