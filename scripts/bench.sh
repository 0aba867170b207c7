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

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { # runs "$@", prints its wall time in seconds
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }'
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
    wall=$(for _ in $(seq "$runs"); do seconds grader/shmgrade --hidden $flag --format grade -o "$work/$mode.json" solutions; done | median)
    phases "$work/$mode.json" >"$work/$mode.phases"
    read -r build tests count <"$work/$mode.phases"
    cpu=$(awk -v a="$build" -v b="$tests" 'BEGIN { printf "%.2f", a + b }')
    printf '  %-11s %6.2f s wall  %5.2f s CPU (build %s, %s tests %s)\n' "$mode" "$wall" "$cpu" "$build" "$count" "$tests"
    eval "cpu_$( echo $mode | tr - _ )=$cpu"
done
awk -v a="$cpu_sandbox" -v b="$cpu_no_sandbox" 'BEGIN { printf "  the sandbox costs %.2fx the CPU of --no-sandbox\n", a / b }'
echo "  the slowest tests:"
tail -n +2 "$work/sandbox.phases"

python3 scripts/bench-class.py "$work/class" "$n" >/dev/null
correct=$(for _ in $(seq "$runs"); do seconds grader/shmgrade --hidden solutions; done | median)
hang=$(seconds grader/shmgrade --hidden "$work/all-hang")
awk -v h="$hang" -v c="$correct" 'BEGIN {
    printf "a submission in which every function hangs: %.1f s (%.1fx a correct one)\n", h, h / c }'
skel=$(seconds grader/shmgrade --hidden skeletons)
printf 'the skeletons (every test fails at once): %.1f s\n' "$skel"
mc=$(seconds grader/shmgrade --hidden --memcheck solutions)
printf 'the memory check of one correct submission, with its tests: %.1f s\n' "$mc"

echo "a class of $n (70 % correct, 15 % one wrong lab, 8 % hostile, 4 % compile errors, 3 % hanging everywhere):"
t=$(seconds grader/shmgrade --batch "$work/class" -o "$work/out" --hidden --format json)
awk -v t="$t" -v n="$n" 'BEGIN { printf "  at the default -j: %.1f s (%.2f s per submission)\n", t, t / n }'
t=$(seconds grader/shmgrade --batch "$work/class" -o "$work/out" --hidden --format json)
printf '  again, nothing changed: %.2f s\n' "$t"
