#!/usr/bin/env bash
# bench.sh — how long grading takes, in figures an instructor cares about.
# Prints the median wall time of several runs; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_once() { # prints seconds for one run of "$@"
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}

echo "shmlab bench: median of $runs runs, $(nproc) cores"
for lab in $(grader/shmgrade --list-labs); do
    t=$(for _ in $(seq "$runs"); do time_once grader/shmgrade --hidden --lab "$lab" solutions; done | median)
    printf '  %-24s %6.2f s  (one submission, hidden tests included)\n' "$lab" "$t"
done
t=$(for _ in $(seq "$runs"); do time_once grader/shmgrade --hidden solutions; done | median)
printf '  %-24s %6.2f s  (one submission, every lab, hidden tests included)\n' "all labs" "$t"
t=$(for _ in $(seq "$runs"); do time_once grader/shmgrade --hidden skeletons; done | median)
printf '  %-24s %6.2f s  (the skeletons: every test fails)\n' "skeletons" "$t"

# A class: BENCH_CLASS copies of the reference solutions, graded in batch.
n=${BENCH_CLASS:-50}
class=$(mktemp -d)
out=$(mktemp -d)
trap 'rm -rf "$class" "$out"' EXIT
for i in $(seq -w 1 "$n"); do
    cp -r solutions "$class/student-$i"
done
for jobs in 1 2 4; do
    rm -rf "${out:?}"/*
    t=$(time_once grader/shmgrade --batch "$class" -j "$jobs" -o "$out" --hidden --format json)
    awk -v t="$t" -v n="$n" -v j="$jobs" 'BEGIN {
        printf "  batch of %d, -j %d      %6.1f s  (%.2f s per submission; 100 would take %.0f s)\n",
               n, j, t, t / n, 100 * t / n }'
done
t=$(time_once grader/shmgrade --batch "$class" -j 2 -o "$out" --hidden --format json)
printf '  batch again, unchanged   %6.2f s  (nothing graded again)\n' "$t"
