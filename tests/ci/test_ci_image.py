"""The Dockerfile, tested without a docker daemon: it starts FROM the pinned debian:12, every
COPY source exists in the build context, and its RUN commands, run in order in a clean copy of
the context (.dockerignore applied) with WORKDIR standing for that copy, build a corosim that
its ENV PATH finds, together with the ci/ scripts.

usage: test_ci_image.py SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cleancopy import clean_copy  # noqa: E402

src = sys.argv[1]
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def instructions(path):
    """(KEYWORD, arguments) per instruction: comments dropped, continuation lines joined."""
    out, pending = [], ""
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            line, pending = pending + line, ""
            keyword, _, rest = line.strip().partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


steps = instructions(os.path.join(src, "Dockerfile"))
expect(steps[0] == ("FROM", "debian:12"), "the image starts FROM debian:12 (a pinned tag): %s" % (steps[0],))
expect(any(k == "RUN" and "scripts/build.sh" in a for k, a in steps), "a RUN builds with scripts/build.sh")

with tempfile.TemporaryDirectory() as tmp:
    context = clean_copy(src, os.path.join(tmp, "context"))
    expect(not os.path.exists(os.path.join(context, "build")), ".dockerignore keeps build directories out")
    root = os.path.join(tmp, "root")  # the image's filesystem, for paths outside WORKDIR
    workdir = "/"
    env = dict(os.environ)
    # Only a speed-up (the same commands): ccache, with paths relative to the copy.
    if shutil.which("ccache"):
        env.update(CMAKE_CXX_COMPILER_LAUNCHER="ccache", CCACHE_BASEDIR=tmp)
    image_path = None
    mapping = {}

    def host(path):
        """An absolute path of the image as a path here."""
        for image_dir, here in mapping.items():
            if path == image_dir or path.startswith(image_dir + "/"):
                return here + path[len(image_dir):]
        return root + path

    for keyword, args in steps[1:]:
        if keyword == "WORKDIR":
            workdir = os.path.join(workdir, args)
            os.makedirs(host(workdir), exist_ok=True)
        elif keyword == "COPY":
            *sources, dest = args.split()
            expect(not any(s.startswith("--") for s in sources), "COPY without flags")
            for s in sources:
                expect(os.path.exists(os.path.join(context, s)), "COPY source %s exists in the context" % s)
            expect(sources == ["."], "the whole context is copied (got %s)" % sources)
            dest = os.path.join(workdir, dest)
            # The copy stands for dest in the image: commands run there, PATH entries point there.
            shutil.rmtree(host(dest), ignore_errors=True)
            mapping[dest.rstrip("/") or "/"] = context
        elif keyword == "RUN":
            expect(not args.startswith("["), "RUN in shell form")
            print("RUN", args, flush=True)
            p = subprocess.run(["/bin/sh", "-c", args], cwd=host(workdir), env=env)
            expect(p.returncode == 0, "RUN %s exits 0 (got %d)" % (args, p.returncode))
            if p.returncode != 0:
                break
        elif keyword == "ENV":
            name, _, value = args.partition("=")
            expect(name == "PATH", "only PATH is set (got %s)" % name)
            image_path = value.replace("$PATH", "").strip(":").split(":")
        elif keyword == "CMD":
            pass
        else:
            expect(False, "an instruction this test knows: %s" % keyword)

    expect(image_path is not None, "ENV sets PATH")
    if image_path and not failures:
        here_path = ":".join(host(d) for d in image_path) + ":" + os.environ["PATH"]
        corosim = shutil.which("corosim", path=here_path)
        expect(corosim is not None and corosim.startswith(context), "corosim is on the image's PATH: %s" % corosim)
        for script in ("fuzz-shard.sh", "merge-shards.sh"):
            expect(shutil.which(script, path=here_path) is not None, "%s is on the image's PATH" % script)
        if corosim:
            p = subprocess.run([corosim, "fuzz", "--scenario", "planted_double_release", "--runs", "30", "--db",
                                os.path.join(tmp, "t.db")], capture_output=True, text=True)
            expect(p.returncode == 1 and "FAIL planted_double_release" in p.stdout,
                   "the image's corosim finds the planted bug (exit %d)" % p.returncode)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
