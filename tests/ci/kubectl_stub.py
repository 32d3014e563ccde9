#!/usr/bin/env python3
"""A stand-in for kubectl with a one-machine cluster, for tests/ci/test_k8s.py. Every call is
appended to $KUBE_STUB_DIR/calls.jsonl (argv, and the manifest read from stdin for `-f -`).
`apply` of a PersistentVolumeClaim makes a directory for it; `apply` of a Job runs its pods at
once, one after the other, each as its container's command in the image's working directory
($KUBE_STUB_IMAGE stands for the image's /src) with every volume mount path in its command, arguments and environment replaced by its
claim's directory; `get`, `logs` and `delete` answer the few forms deploy/k8s/run-campaign.sh
uses. A pod whose claim was never applied stays Pending (its Job never finishes)."""
import json
import os
import subprocess
import sys

import yaml

base = os.environ["KUBE_STUB_DIR"]
image = os.environ["KUBE_STUB_IMAGE"]
state_file = os.path.join(base, "state.json")
state = json.load(open(state_file)) if os.path.exists(state_file) else {"pvcs": {}, "jobs": {}}
argv = sys.argv[1:]
stdin_text = sys.stdin.read() if argv[:1] == ["apply"] and argv[-1] == "-" else None
with open(os.path.join(base, "calls.jsonl"), "a") as f:
    f.write(json.dumps({"argv": argv, "stdin": stdin_text, "jobs": {n: j["condition"] for n, j in state["jobs"].items()},
                        "volume": sorted(os.listdir(os.path.join(base, "volumes", "corosim-results")))
                        if os.path.isdir(os.path.join(base, "volumes", "corosim-results")) else None}) + "\n")


def save():
    json.dump(state, open(state_file, "w"))


def run_job(doc):
    name = doc["metadata"]["name"]
    spec = doc["spec"]
    pod = spec["template"]["spec"]
    indexed = spec.get("completionMode") == "Indexed"
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod.get("volumes", [])}
    pods = []
    if any(c not in state["pvcs"] for c in claims.values()):
        state["jobs"][name] = {"condition": "", "pods": []}  # Pending for ever
        return
    (container,) = pod["containers"]
    mounts = {m["mountPath"]: state["pvcs"][claims[m["name"]]] for m in container.get("volumeMounts", [])}
    workdir = container.get("workingDir", "/")
    assert workdir == "/src", "the image's checkout is at /src"
    for index in range(spec.get("completions", 1) if indexed else 1):
        env = dict(os.environ)
        for e in container.get("env", []):
            env[e["name"]] = e["value"]
            for path, here in mounts.items():
                env[e["name"]] = env[e["name"]].replace(path, here)
        if indexed:
            env["JOB_COMPLETION_INDEX"] = str(index)
        words = list(container.get("command", [])) + list(container.get("args", []))
        for path, here in mounts.items():
            words = [w.replace(path, here) for w in words]
        p = subprocess.run(words, cwd=image, env=env, capture_output=True, text=True)
        pods.append({"name": "%s-%d-stub" % (name, index), "exit": p.returncode, "log": p.stdout + p.stderr})
    ok = all(p["exit"] == 0 for p in pods)
    state["jobs"][name] = {"condition": "Complete" if ok else "Failed", "pods": pods}


def fail(message):
    print("error: " + message, file=sys.stderr)
    sys.exit(1)


if argv[:2] == ["apply", "-f"]:
    text = stdin_text if argv[2] == "-" else open(argv[2]).read()
    for doc in yaml.safe_load_all(text):
        kind, name = doc["kind"], doc["metadata"]["name"]
        if kind == "PersistentVolumeClaim":
            path = os.path.join(base, "volumes", name)
            os.makedirs(path, exist_ok=True)
            state["pvcs"][name] = path
        elif kind == "Job":
            if name in state["jobs"]:
                fail('Job.batch "%s" is invalid: spec.template: field is immutable' % name)
            run_job(doc)
        else:
            fail("unknown kind " + kind)
        print("%s/%s created" % (kind.lower(), name))
elif argv[:2] == ["delete", "job"]:
    for name in argv[2:]:
        if name.startswith("--"):
            continue
        if state["jobs"].pop(name, None) is None and "--ignore-not-found" not in argv:
            fail('jobs.batch "%s" not found' % name)
elif argv[:1] == ["get"] and argv[1].startswith("job/") and argv[2] == "-o":
    job = state["jobs"].get(argv[1][4:]) or fail('jobs.batch "%s" not found' % argv[1][4:])
    assert argv[3] == 'jsonpath={.status.conditions[?(@.status=="True")].type}', argv[3]
    print(job["condition"], end="")
elif argv[:3] == ["get", "pods", "-l"] and argv[4] == "-o":
    job = state["jobs"].get(argv[3].removeprefix("job-name="), {"pods": []})
    assert argv[5].startswith("jsonpath={range .items[*]}{.metadata.name} "), argv[5]
    print("".join("%s %d\n" % (p["name"], p["exit"]) for p in job["pods"]), end="")
elif argv[:1] == ["logs"] and argv[1].startswith("job/"):
    job = state["jobs"].get(argv[1][4:]) or fail('jobs.batch "%s" not found' % argv[1][4:])
    print(job["pods"][0]["log"], end="")
else:
    fail("the stub does not know: %s" % argv)
save()
