#!/usr/bin/env bash
# classroom-grade.sh [SUBMISSION] — the grading step of GitHub Classroom's
# workflow (platforms/github-classroom/classroom.yml), in the student's
# repository (the student kit): grades work/ (or SUBMISSION) once, prints
# the report for the Actions log, keeps the reports, and gives the
# classroom-resources/autograding-grading-reporter action its input: the
# runner result, base64-encoded, as this step's output "result" (in
# $GITHUB_OUTPUT).
#
# LABS (environment, the step's env in classroom.yml): the labs graded, by
# folder name, space-separated; empty or unset: every lab of the kit. The
# points are out of those labs' only. A name that is not a lab of the kit
# is a configuration error, reported as the result (status error, no
# points, the reason as its message), never a grading of every lab.
#
# It always exits 0: the reporter decides the job's colour (red below full
# marks, or when the grader could not grade a lab). So no `set -e`: every
# failure is turned into an error result that the reporter shows.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
sub=${1:-work}
# A student who moved their files to the top of the repository, or
# deleted work/, is graded where the files are (a flat layout, as every
# other platform accepts): a grader failure ("work is not a folder") told
# them nothing (a platform review).
if [ ! -d "$sub" ] && [ "$sub" = work ]; then
    echo "classroom-grade: there is no folder work/ in the repository: grading the files at its top"
    sub=.
fi
out=${GITHUB_OUTPUT:-/dev/null}
mkdir -p reports
rm -f reports/classroom.json

# An error result with no points, MESSAGE its reason (in the reporter's
# output and the job's annotations): the grading step could not grade.
error_result() { # MESSAGE
    local m=$1
    # JSON string: backslashes and quotes escaped, control characters dropped.
    m=${m//\\/\\\\}
    m=${m//\"/\\\"}
    m=$(tr -d '\000-\037' <<< "$m")
    cat > reports/classroom.json <<JSON
{"version": 1, "status": "error", "max_score": 0, "tests": [{"name": "shmlab", "status": "error", "score": 0, "message": "$m", "test_code": "", "filename": "", "line_no": 0, "duration": 0}]}
JSON
}

# The labs chosen, checked as Autolab's autolab-grade.sh checks its LABS:
# NN-name, with a rubric; each once (the grader grades a lab named twice
# twice, and counts its points twice).
read -r -a labs <<< "${LABS:-}"
lab_args=()
bad=
declare -A seen=()
for lab in "${labs[@]}"; do
    if ! [[ $lab =~ ^[0-9][0-9]-[a-z0-9-]+$ ]] || [ ! -f "labs/$lab/rubric.json" ]; then
        bad=$lab
        break
    fi
    if [ -z "${seen[$lab]:-}" ]; then
        seen[$lab]=1
        lab_args+=(--lab "$lab")
    fi
done

if [ -n "$bad" ]; then
    msg="the workflow is misconfigured: LABS names '$bad', which is not a lab of this kit"
    msg+=" (its labs: $(cd labs && echo */ | tr -d /)); empty LABS grades every lab"
    echo "classroom-grade: $msg: no result"
    error_result "$msg"
else
    echo "classroom-grade: grading ${labs[*]:-every lab of the kit}"
    grader/shmgrade --format classroom -o reports/classroom.json \
        --also junit=reports/junit.xml --also text=- "${lab_args[@]}" "$sub"
    status=$?
    if [ ! -s reports/classroom.json ]; then
        # The grader failed before it could report (its message is above): an
        # error, with no points, which the reporter shows and fails on.
        echo "classroom-grade: the grader failed (status $status): no result"
        error_result "the grader failed: see the log of the grading step"
    fi
fi
echo "result=$(base64 -w 0 reports/classroom.json)" >> "$out"
exit 0
