#!/usr/bin/env bash
# make-dist.sh OUT.tar.gz — the student kit: no solution, no hidden test.
#
# It holds the skeletons as the student's working files (work/NN-name/),
# the labs' headers, main.c and public tests, the grader's sources, the
# handouts and the scripts. The same Makefile serves both kits: where there
# is no solutions/ folder, `make test` grades work/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
kit=$stage/shmlab-student
mkdir -p "$kit/work"

# What git tracks (or, outside a checkout, what is here), minus what students must not have.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files --cached --others --exclude-standard)
else
    files=$(find . -type f ! -path './build/*' ! -path './dist/*' | sed 's|^\./||')
fi
printf '%s\n' "$files" |
    grep -v -E '^(solutions/|tests/|\.ci/|platforms/|skeletons/|dist/|build/)' |
    grep -v -E '^labs/[^/]+/hidden/' |
    while IFS= read -r f; do
        mkdir -p "$kit/$(dirname "$f")"
        cp -p "$f" "$kit/$f"
    done
cp -r skeletons/. "$kit/work/"
cp platforms/README-student.md "$kit/README.md"

mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner -czf "$out" -C "$stage" shmlab-student
echo "$out"
