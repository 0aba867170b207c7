#!/usr/bin/env bash
# bench.sh — how long grading takes, in the figures an instructor and the
# next change are judged by. Prints; asserts nothing. Run it on a quiet
# machine: the CPU figures are the kernel's (grade.json records each test's
# and each build's CPU time, every process of its sandbox counted).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-3}
n=${BENCH_CLASS:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Medians of "wall cpu" lines, column by column.
median() { python3 -c 'import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
print(" ".join(f"{statistics.median(c):.2f}" for c in zip(*rows)))'; }
# Runs "$@" and prints "WALL CPU": its wall time, and the CPU time (user
# and system) of every process it started, the grader's own, bubblewrap's
# and the tests' (the kernel counts each process when it is reaped, and
# the grader reaps everything its sandboxes leave). grade.json counts only
# what ran inside the sandboxes, so the sandbox's own cost shows here.
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)
wall = time.monotonic() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.2f} {ru.ru_utime + ru.ru_stime:.2f}")
PY
}
# Sums of a grade.json: build CPU, tests' CPU, tests' wall, the slowest tests.
phases() {
    python3 - "$1" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
build = sum(l.get("build_cpu", 0) for l in g["labs"])
tests = [(t.get("cpu", 0), t.get("seconds", 0), l["id"][:2] + ":" + t["name"])
         for l in g["labs"] for t in l["tests"]]
print(f"{build:.2f} {sum(t[0] for t in tests):.2f} {len(tests)}")
for cpu, wall, name in sorted(tests, reverse=True)[:5]:
    print(f"      {cpu:6.3f} s CPU {wall:6.3f} s wall  {name}")
PY
}

echo "shmlab bench: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), median of $runs runs"

echo "one correct submission (the solutions, $(grader/shmgrade --list-labs | wc -l) labs, hidden tests):"
for mode in sandbox no-sandbox; do
    flag=$([ "$mode" = no-sandbox ] && echo --no-sandbox || true)
    read -r wall all < <(for _ in $(seq "$runs"); do measure grader/shmgrade --hidden $flag --format grade -o "$work/$mode.json" solutions; done | median)
    phases "$work/$mode.json" >"$work/$mode.phases"
    read -r build tests count <"$work/$mode.phases"
    inside=$(awk -v a="$build" -v b="$tests" 'BEGIN { printf "%.2f", a + b }')
    printf '  %-11s %6.2f s wall  %5.2f s CPU in all (in its builds and tests: %s = build %s + %s tests %s)\n' \
        "$mode" "$wall" "$all" "$inside" "$build" "$count" "$tests"
    eval "all_$( echo $mode | tr - _ )=$all; inside_$( echo $mode | tr - _ )=$inside"
done
awk -v a="$all_sandbox" -v b="$all_no_sandbox" -v c="$inside_sandbox" -v d="$inside_no_sandbox" 'BEGIN {
    printf "  the sandbox costs %.2fx the CPU of --no-sandbox in all (%.2fx inside the builds and tests)\n", a / b, c / d }'
echo "  the slowest tests:"
tail -n +2 "$work/sandbox.phases"

python3 scripts/bench-class.py "$work/class" "$n" >/dev/null
read -r correct correct_cpu < <(for _ in $(seq "$runs"); do measure grader/shmgrade --hidden solutions; done | median)
read -r hang hang_cpu < <(measure grader/shmgrade --hidden "$work/all-hang")
awk -v h="$hang" -v c="$correct" -v hc="$hang_cpu" -v cc="$correct_cpu" 'BEGIN {
    printf "a submission in which every function hangs: %.1f s wall, %.1f s CPU (%.1fx a correct one'"'"'s wall, %.1fx its CPU)\n", h, hc, h / c, hc / cc }'
read -r skel skel_cpu < <(measure grader/shmgrade --hidden skeletons)
printf 'the skeletons (every test fails at once): %.1f s wall, %.1f s CPU\n' "$skel" "$skel_cpu"
read -r mc mc_cpu < <(measure grader/shmgrade --hidden --memcheck solutions)
printf 'the memory check of one correct submission, with its tests: %.1f s wall, %.1f s CPU\n' "$mc" "$mc_cpu"

echo "a class of $n (70 % correct, 15 % one wrong lab, 8 % hostile, 4 % compile errors, 3 % hanging everywhere):"
read -r t t_cpu < <(measure grader/shmgrade --batch "$work/class" -o "$work/out" --hidden --format json)
awk -v t="$t" -v c="$t_cpu" -v n="$n" 'BEGIN {
    printf "  at the default -j: %.1f s wall, %.1f s CPU (%.2f s wall, %.2f s CPU per submission)\n", t, c, t / n, c / n }'
read -r t t_cpu < <(measure grader/shmgrade --batch "$work/class" -o "$work/out" --hidden --format json)
printf '  again, nothing changed: %.2f s wall, %.2f s CPU\n' "$t" "$t_cpu"
