#!/usr/bin/env bash
# measure-timings.sh — how long each test takes on the reference solutions,
# the evidence each test's limits are derived from (sg_rubric.c: sixty
# times its CPU time, at least 0.5 s and at most 8 s, and ten times its wall
# time, at least 1 s, for the CPU and stuck limits that
# grader/enter/sg_watch.c applies).
#
# Grades solutions/ RUNS times (default 3), one test at a time, and writes
# the largest wall and CPU time of each test to labs/NN-name/timings.json (public tests)
# and labs/NN-name/hidden/timings.json (hidden tests, which the student kit
# does not ship). Run it on a quiet machine after adding or changing a
# test; `make test` checks that every test has a time.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in $(seq 1 "$runs"); do
    grader/shmgrade --hidden -j 1 --format grade -o "$tmp/run-$i.json" solutions
done
python3 - "$tmp" "$runs" <<'PY'
import json, sys
tmp, runs = sys.argv[1], int(sys.argv[2])
slowest = {}
for i in range(1, runs + 1):
    grade = json.load(open(f"{tmp}/run-{i}.json"))
    for lab in grade["labs"]:
        if lab["state"] != "graded":
            sys.exit(f"{lab['id']}: the solution was not graded: {lab.get('problem')}")
        for t in lab["tests"]:
            if not t["passed"]:
                sys.exit(f"{lab['id']}: the solution failed {t['name']}")
            key = (lab["id"], t["hidden"], t["name"])
            wall, cpu = slowest.get(key, (0, 0))
            slowest[key] = (max(wall, t["seconds"]), max(cpu, t["cpu"]))
for hidden in (False, True):
    for lab in sorted({k[0] for k in slowest}):
        times = {name: {"wall": round(w, 3), "cpu": round(c, 3)}
                 for (l, h, name), (w, c) in sorted(slowest.items()) if l == lab and h == hidden}
        if not times:
            continue
        path = f"labs/{lab}/{'hidden/' if hidden else ''}timings.json"
        with open(path, "w") as f:
            json.dump(times, f, indent=1, sort_keys=True)
            f.write("\n")
        print(path, len(times), "tests, slowest", max(t["wall"] for t in times.values()), "s")
PY
