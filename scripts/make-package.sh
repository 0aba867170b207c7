#!/usr/bin/env bash
# make-package.sh gradescope|autolab|prairielearn OUTDIR — the autograder for a platform.
#
# LABS (environment; `make gradescope LABS="01-shared-buffer 03-devzero-pingpong"`):
# the labs the autograder grades, by folder name, space-separated; empty
# or unset: every lab of the kit. A name that is not a lab of the kit is
# an error here, so that a typo never becomes an autograder that grades
# every lab (and scores students out of all of them).
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

# The labs chosen (LABS), checked as Autolab's autolab-grade.sh checks its
# LABS: NN-name, with a rubric. Kept in the kit's order, each once (the
# grader grades a lab named twice twice, and counts its points twice).
read -r -a chosen <<< "${LABS:-}"
for lab in "${chosen[@]}"; do
    if ! [[ $lab =~ ^[0-9][0-9]-[a-z0-9-]+$ ]] || [ ! -f "labs/$lab/rubric.json" ]; then
        echo "make-package: LABS names '$lab', which is not a lab of this kit" \
             "(its labs: ${labs[*]}); leave LABS empty to grade every lab" >&2
        exit 2
    fi
done
if [ ${#chosen[@]} -gt 0 ]; then
    picked=()
    for lab in "${labs[@]}"; do
        for c in "${chosen[@]}"; do
            if [ "$c" = "$lab" ]; then
                picked+=("$lab")
                break
            fi
        done
    done
    labs=("${picked[@]}")
fi

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
    "timeout": 300
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
    # The labs graded, one a line, for run_autograder (Gradescope runs it
    # with no arguments or environment of ours); no file: every lab. The
    # zip's name says which labs it grades, so that an autograder for some
    # labs is not uploaded for an assignment of others by mistake.
    zipname=shmlab-gradescope.zip
    if [ ${#chosen[@]} -gt 0 ]; then
        printf '%s\n' "${labs[@]}" > "$kit/graded-labs"
        zipname=shmlab-gradescope-labs$(printf -- '-%s' "${labs[@]%%-*}").zip
    fi
    kit_id
    rm -f "$out/$zipname"
    (cd "$kit" && zip -qr -X "$out/$zipname" .)
    echo "$out/$zipname"
    echo "grades: ${labs[*]}"
    ;;
autolab)
    kit_id
    cp platforms/autolab/autolab-grade.sh "$stage/"
    tar --sort=name --owner=0 --group=0 --numeric-owner -cf "$out/autograde.tar" \
        -C "$stage" shmlab autolab-grade.sh
    cp platforms/autolab/Dockerfile "$out/"
    # LABS chosen here goes into autograde-Makefile's LABS line, where
    # Autolab's instructors set it by hand.
    if [ ${#chosen[@]} -gt 0 ]; then
        sed "s/^LABS =\$/LABS = ${labs[*]}/" platforms/autolab/autograde-Makefile \
            > "$out/autograde-Makefile"
        if ! grep -q -x "LABS = ${labs[*]}" "$out/autograde-Makefile"; then
            echo "make-package: platforms/autolab/autograde-Makefile has no empty" \
                 "'LABS =' line to set" >&2
            exit 1
        fi
    else
        cp platforms/autolab/autograde-Makefile "$out/"
    fi
    echo "$out/autograde.tar $out/autograde-Makefile $out/Dockerfile"
    echo "grades: ${labs[*]}"
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
    echo "questions for: ${labs[*]}"
    ;;
*)
    echo "usage: $0 gradescope|autolab|prairielearn OUTDIR" >&2
    exit 2
    ;;
esac
