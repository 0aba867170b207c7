#!/usr/bin/env bash
# check-kit-files.sh — in the student kit: say which of the kit's own files
# (labs/, grader/, the Makefile) differ from the ones the kit came with.
#
# The grader builds each lab's tests from labs/NN-name/ as it finds it, so
# a student who edits a header (a prompt, a prototype) and the file to
# match gets full marks here, and a compile error from the instructor,
# who grades with the kit's own copies (a student-kit review). make-dist.sh
# writes .kit-sums; this script only warns, after the report, and never
# fails the run.
set -u
cd "$(dirname "$0")/.." || exit 0
[ -f .kit-sums ] || exit 0
changed=$(sha256sum --check --quiet .kit-sums 2>/dev/null | sed -n 's/: FAILED.*$//p')
[ -n "$changed" ] || exit 0
{
    echo
    echo "WARNING: these files of the kit are not the ones it came with:"
    printf '%s\n' "$changed" | sed 's/^/    /'
    echo "Your instructor grades with the kit's own copies of them, so what you see"
    echo "here may not be your grade (a header changed to match your file does not"
    echo "compile there). Only work/ is yours: put these files back as they were,"
    echo "from the kit's archive."
} >&2
exit 0
