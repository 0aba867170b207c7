#!/usr/bin/env bash
# make-package.sh gradescope|autolab|prairielearn OUTDIR — the autograder for a platform.
#
# Each carries the instructor's kit with the hidden tests and without the
# solutions, the kit's own tests and CI: what grading needs, nothing more.
# The kit's KIT-ID (a digest of its files) lets a grading image tell
# whether the kit built into it is the package's.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}
if [ $# -ne 2 ]; then
    echo "usage: $0 gradescope|autolab|prairielearn OUTDIR" >&2
    exit 2
fi
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

# The labs, from their rubrics (never a fixed list: the kit may grow one).
labs=()
for rubric in labs/*/rubric.json; do
    lab=${rubric#labs/}
    labs+=("${lab%/rubric.json}")
done

kit_id() {
    (cd "$kit" && find . -type f ! -name KIT-ID -print0 | LC_ALL=C sort -z |
        xargs -0 sha256sum | sha256sum | cut -d' ' -f1) > "$kit/KIT-ID"
}

# A PrairieLearn question for one lab: info.json and question.html.
pl_question() { # LAB DIR
    local lab=$1 dir=$2 file uuid
    file=$(sed -n 's/^ *"file": *"\([A-Za-z0-9_.-]*\)".*/\1/p' "labs/$lab/rubric.json" | head -n 1)
    if [ -z "$file" ] || ! [[ $lab =~ ^[0-9][0-9]-[a-z0-9-]+$ ]]; then
        echo "make-package: labs/$lab/rubric.json: no plain \"file\" name" >&2
        exit 1
    fi
    # A UUID of the lab's name: the same question each time the package is built.
    uuid=$(printf 'shmlab/%s' "$lab" | sha256sum |
        sed -E 's/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*/\1-\2-5\3-8\4-\5/')
    mkdir -p "$dir"
    cat > "$dir/info.json" <<JSON
{
  "uuid": "$uuid",
  "title": "shmlab $lab",
  "topic": "Shared memory",
  "tags": ["shmlab", "$lab"],
  "type": "v3",
  "singleVariant": true,
  "gradingMethod": "External",
  "externalGradingOptions": {
    "enabled": true,
    "image": "YOUR-DOCKERHUB-USER/shmlab-grader",
    "entrypoint": "/opt/shmlab/pl-grade $lab",
    "timeout": 120
  }
}
JSON
    cat > "$dir/question.html" <<HTML
<pl-question-panel>
  <p>Lab <code>$lab</code>: write <code>$file</code> as its handout
  (<code>handouts/$lab.md</code> in the student kit) asks, test it with
  <code>make test</code> in the kit, and submit it here.</p>
  <pl-file-upload file-names="$file"></pl-file-upload>
</pl-question-panel>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
HTML
}

case $kind in
gradescope)
    cp platforms/gradescope/setup.sh platforms/gradescope/run_autograder "$kit/"
    kit_id
    rm -f "$out/shmlab-gradescope.zip"
    (cd "$kit" && zip -qr -X "$out/shmlab-gradescope.zip" .)
    echo "$out/shmlab-gradescope.zip"
    ;;
autolab)
    kit_id
    cp platforms/autolab/autolab-grade.sh "$stage/"
    tar --sort=name --owner=0 --group=0 --numeric-owner -cf "$out/autograde.tar" \
        -C "$stage" shmlab autolab-grade.sh
    cp platforms/autolab/autograde-Makefile platforms/autolab/Dockerfile "$out/"
    echo "$out/autograde.tar $out/autograde-Makefile $out/Dockerfile"
    ;;
prairielearn)
    cp platforms/prairielearn/pl-grade "$kit/"
    kit_id
    tar --sort=name --owner=0 --group=0 --numeric-owner -cf "$out/shmlab-kit.tar" \
        -C "$stage" shmlab
    cp platforms/prairielearn/Dockerfile "$out/"
    rm -rf "$out/questions"
    for lab in "${labs[@]}"; do
        pl_question "$lab" "$out/questions/shmlab-$lab"
    done
    echo "$out/Dockerfile $out/shmlab-kit.tar $out/questions"
    ;;
*)
    echo "usage: $0 gradescope|autolab|prairielearn OUTDIR" >&2
    exit 2
    ;;
esac
