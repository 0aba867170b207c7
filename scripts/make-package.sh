#!/usr/bin/env bash
# make-package.sh gradescope|autolab OUTDIR — the autograder for a platform.
#
# Both carry the instructor's kit with the hidden tests and without the
# solutions, the kit's own tests and CI: what grading needs, nothing more.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=$1
mkdir -p "$2"
out=$(cd "$2" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
kit=$stage/shmlab
mkdir -p "$kit"
# shellcheck source=kit-files.sh
. scripts/kit-files.sh
kit_files |
    grep -v -E '^(solutions/|tests/|\.ci/|platforms/|dist/|build/)' |
    copy_files "$kit"
case $kind in
gradescope)
    cp platforms/gradescope/setup.sh platforms/gradescope/run_autograder "$kit/"
    rm -f "$out/shmlab-gradescope.zip"
    (cd "$kit" && zip -qr -X "$out/shmlab-gradescope.zip" .)
    echo "$out/shmlab-gradescope.zip"
    ;;
autolab)
    tar --sort=name --owner=0 --group=0 --numeric-owner -cf "$out/autograde.tar" -C "$stage" shmlab
    cp platforms/autolab/autograde-Makefile "$out/autograde-Makefile"
    echo "$out/autograde.tar $out/autograde-Makefile"
    ;;
*)
    echo "usage: $0 gradescope|autolab OUTDIR" >&2
    exit 2
    ;;
esac
