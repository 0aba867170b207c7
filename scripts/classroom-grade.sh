#!/usr/bin/env bash
# classroom-grade.sh [SUBMISSION] — the grading step of GitHub Classroom's
# workflow (platforms/github-classroom/classroom.yml), in the student's
# repository (the student kit): grades work/ (or SUBMISSION) once, prints
# the report for the Actions log, keeps the reports, and gives the
# classroom-resources/autograding-grading-reporter action its input: the
# runner result, base64-encoded, as this step's output "result" (in
# $GITHUB_OUTPUT).
#
# It always exits 0: the reporter decides the job's colour (red below full
# marks, or when the grader could not grade a lab).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
sub=${1:-work}
out=${GITHUB_OUTPUT:-/dev/null}
mkdir -p reports
grader/shmgrade --format classroom -o reports/classroom.json \
    --also junit=reports/junit.xml --also text=- "$sub"
status=$?
if [ ! -s reports/classroom.json ]; then
    # The grader failed before it could report (its message is above): an
    # error, with no points, which the reporter shows and fails on.
    echo "classroom-grade: the grader failed (status $status): no result"
    cat > reports/classroom.json <<'JSON'
{"version": 1, "status": "error", "max_score": 0, "tests": [{"name": "shmlab", "status": "error", "score": 0, "message": "the grader failed: see the log of the grading step", "test_code": "", "filename": "", "line_no": 0, "duration": 0}]}
JSON
fi
echo "result=$(base64 -w 0 reports/classroom.json)" >> "$out"
exit 0
