#!/usr/bin/env bash
# make-dist.sh OUT.tar.gz — the student kit: no solution, no hidden test.
#
# It holds the skeletons as the student's working files (work/NN-name/),
# the labs' headers, main.c and public tests, the grader's sources, the
# handouts and the scripts. The same Makefile serves both kits: where
# .student-kit is, `make test` grades work/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
kit=$stage/shmlab-student
mkdir -p "$kit/work"

# What git tracks (or, outside a checkout, what is here), minus what students must not have.
# shellcheck source=kit-files.sh
. scripts/kit-files.sh
kit_files |
    grep -v -E '^(solutions/|tests/|\.ci/|platforms/|skeletons/|dist/|build/)' |
    grep -v -E '^labs/[^/]+/hidden/' |
    copy_files "$kit"
# Each lab's working file alone, from its rubric: whatever else lies in
# skeletons/ (a copy of a solution saved there, an object file) is not the
# students' (a platform review found both in the tarball).
for rubric in labs/*/rubric.json; do
    lab=$(basename "$(dirname "$rubric")")
    file=$(sed -n 's/^ *"file": *"\([^"]*\)".*/\1/p' "$rubric" | head -n 1)
    [ -n "$file" ] || { echo "make-dist: $rubric names no file" >&2; exit 1; }
    mkdir -p "$kit/work/$lab"
    cp -p "skeletons/$lab/$file" "$kit/work/$lab/$file"
    # make test from the lab's folder, where a student edits: make said
    # only "No rule to make target 'test'" (a student-kit review).
    printf '%s\n' "# Runs the kit's targets from this lab's folder: make test grades this lab." \
        "test grade memcheck:" "	\$(MAKE) -C ../.. \$@ LAB=$lab" \
        "%:" "	\$(MAKE) -C ../.. \$@" > "$kit/work/$lab/Makefile"
done
cp platforms/README-student.md "$kit/README.md"
echo "This is the student kit of shmlab (the Makefile reads this file)." > "$kit/.student-kit"
# What the kit's own files were, for scripts/check-kit-files.sh: the files
# the grader builds the tests from, and the Makefile.
(cd "$kit" && find labs grader Makefile -type f -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum > .kit-sums)
scripts/render-handouts.sh "$kit/handouts/html"

mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner -czf "$out" -C "$stage" shmlab-student
echo "$out"
