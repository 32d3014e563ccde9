"""A clean copy of the source tree as a Docker build context or a fresh checkout sees it: every
file but those .dockerignore excludes (build directories, stores, .git), so a test that runs
commands in it cannot lean on anything a developer's tree happens to have."""
import os
import re
import shutil


def _pattern(p):
    # Docker's .dockerignore: paths relative to the context, `*` within one component, `**` any
    # number of them, a trailing slash ignored.
    p = p.strip().rstrip("/")
    out = ""
    i = 0
    while i < len(p):
        if p.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif p.startswith("**", i):
            out += ".*"
            i += 2
        elif p[i] == "*":
            out += "[^/]*"
            i += 1
        elif p[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(p[i])
            i += 1
    return re.compile(out + "$")


def ignore_patterns(src):
    with open(os.path.join(src, ".dockerignore")) as f:
        lines = [l.strip() for l in f]
    return [_pattern(l) for l in lines if l and not l.startswith("#")]


def clean_copy(src, dst):
    """Copies `src` to `dst` (which must not exist) without what .dockerignore excludes."""
    patterns = ignore_patterns(src)

    def ignore(directory, names):
        rel = os.path.relpath(directory, src)
        rel = "" if rel == "." else rel + "/"
        return {n for n in names if any(p.match(rel + n) for p in patterns)}

    shutil.copytree(src, dst, ignore=ignore, symlinks=True)
    return dst
