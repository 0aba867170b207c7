#!/usr/bin/env bash
# autolab-grade.sh — grades the handin for Autolab (run by autograde-Makefile,
# in the folder where Autolab put autograde.tar, unpacked, and the handin).
#
# Whatever happens, the last line printed is Autolab's scores line with a
# key for each lab of LABS (every lab of the kit when LABS is empty), and
# the script exits 0, so that `make` prints nothing after it.
set -uo pipefail

read -r -a labs <<< "${LABS:-}"
if [ ${#labs[@]} -eq 0 ]; then
    for rubric in shmlab/labs/*/rubric.json; do
        lab=${rubric#shmlab/labs/}
        labs+=("${lab%/rubric.json}")
    done
fi

# The reason, then no score at all: the grader, or the autograder's set-up,
# failed, which is never the student's score (a platform review: a kit that
# could not be built gave every lab 0). Autolab then says "Empty
# autoresult", which tells the instructor to regrade once it is fixed.
no_score() {
    printf '%s\n' "$@" "Nothing was graded: no score was given."
    printf '{"scores": {}}\n'
    exit 0
}

# The reason, then a scores line with 0 for each lab: the handin could not
# be graded at all. (Lab folders are NN-name: checked below, so the line is
# valid JSON as written.)
zeros() {
    printf '%s\n' "$@"
    local line='{"scores": {' sep=''
    for lab in "${labs[@]}"; do
        line+="$sep\"$lab\": 0"
        sep=', '
    done
    printf '%s}}\n' "$line"
    exit 0
}

for lab in "${labs[@]}"; do
    if ! [[ $lab =~ ^[0-9][0-9]-[a-z0-9-]+$ ]] || [ ! -f "shmlab/labs/$lab/rubric.json" ]; then
        no_score "The autograder is misconfigured: LABS names '$lab', which is not a lab of this kit" \
              "(its labs: $(cd shmlab/labs && echo */ | tr -d /)). Please tell your instructor."
    fi
done

# The handin: handin.tar (refused if it holds anything but files and
# folders: a link could make the grader read what is not the student's),
# or the .c files Autolab put here.
rm -rf submission
mkdir submission
# Autolab names the handin after the assessment's handin file name, which
# the instructor sets: a tar under another name (handin.tgz, lab.tar.gz)
# is one all the same (GNU tar reads the compression itself).
handin=handin.tar
for f in ./*.tar ./*.tgz ./*.tar.gz ./*.tar.xz ./*.tar.bz2; do
    if [ ! -f handin.tar ] && [ -f "$f" ] && [ "${f#./}" != autograde.tar ]; then
        handin=${f#./}
    fi
done
if [ -f "$handin" ]; then
    # The listing alone: tar's warnings go to stderr, and one about a header
    # it does not know (the LIBARCHIVE.xattr.* that macOS's tar writes for
    # most files) is no entry of the archive (a platform review: a correct
    # handin made on a Mac was refused as holding "special files").
    if ! listing=$(tar -tvf "$handin" 2>tar-errors.txt); then
        zeros "$handin is not a tar archive that can be read: $(head -3 tar-errors.txt)" \
              "Submit a tar of your files, e.g.: tar cf handin.tar work"
    fi
    if grep -q -v -E '^([-d]|$)' <<< "$listing"; then
        zeros "$handin holds links or special files, which are refused:" \
              "$(grep -v -E '^([-d]|$)' <<< "$listing" | head -5)" \
              "Submit the files themselves, e.g.: tar cf handin.tar work"
    fi
    if ! tar -xf "$handin" -C submission --no-same-owner --no-same-permissions 2>errors.txt; then
        # The machine's failure (its disk) is no score; an archive that
        # cannot be laid out (a file, then a folder of the same name) is the
        # handin's, and scores as one that cannot be read (an attacker's
        # review chose "no score" at every regrade so).
        if grep -q -i -E 'No space left|quota|Read-only file system|Input/output error' errors.txt; then
            no_score "$handin could not be unpacked here: $(head -3 errors.txt)" \
                     "This is not a problem with your code: your instructor must look at it and regrade."
        fi
        zeros "$handin could not be unpacked: $(head -3 errors.txt)" \
              "Submit a tar of your files, e.g.: tar cf handin.tar work"
    fi
elif compgen -G './*.c' >/dev/null; then
    cp -- ./*.c submission/
    # Autolab names a handin after the assessment's handin file name
    # (handin.c by default): for a one-lab assessment, one .c file is that
    # lab's file whatever its name; otherwise say why nothing matches (a
    # platform review: every lab "is missing", and nothing said handin.c).
    files=(./*.c)
    wanted=$(sed -n 's/^ *"file": *"\([^"]*\)".*/\1/p' "shmlab/labs/${labs[0]}/rubric.json")
    if [ ${#labs[@]} -eq 1 ] && [ ${#files[@]} -eq 1 ] && [ -n "$wanted" ] &&
        [ "${files[0]#./}" != "$wanted" ]; then
        echo "shmlab: the handin ${files[0]#./} is graded as $wanted, the file of lab ${labs[0]}"
        mv -- "submission/${files[0]#./}" "submission/$wanted"
    elif [ ${#labs[@]} -gt 1 ] && [ ${#files[@]} -eq 1 ] && [ "${files[0]#./}" = handin.c ]; then
        echo "shmlab: the handin is handin.c, named after the assessment's handin file name;"
        echo "this autograder grades ${#labs[@]} labs, and cannot tell which lab's file it is."
        echo "Submit a tar of your files named handin.tar (e.g.: tar cf handin.tar work)."
    fi
else
    # Neither a tar nor a .c file: the assessment's handin file name (a
    # .zip) is the instructor's to change, not the student's, so no score
    # rather than zeros Autolab would record (a platform review).
    printf '%s\n' "The handin is neither a tar archive nor a .c file; this folder holds:" \
        "$(ls -A | grep -v -x -E 'Makefile|autograde.tar|autolab-grade.sh|shmlab|submission' | head -10)" \
        "Instructor: set the assessment's handin file name to handin.tar (students submit" \
        "tar cf handin.tar work) or, for a one-lab assessment, to the lab's .c file." \
        "Nothing was graded: no score was given."
    printf '{"scores": {}}\n'
    exit 0
fi

# The kit: the one built into the grading image when it is this very kit,
# else the one in autograde.tar, built here (slower, and it needs the
# image's packages).
kit=shmlab
if [ -x "$SHMLAB_IMAGE_KIT/grader/shmgrade" ] && [ -f shmlab/KIT-ID ] &&
    cmp -s "$SHMLAB_IMAGE_KIT/KIT-ID" shmlab/KIT-ID; then
    kit=$SHMLAB_IMAGE_KIT
    # The image's kit has them, protected: this copy's hidden tests go.
    rm -rf shmlab/labs/*/hidden
else
    echo "shmlab: the grading image has no copy of this autograder's kit; building it here"
    if ! { shmlab/scripts/install-deps.sh && make -C shmlab --no-print-directory build; } \
        > build.log 2>&1; then
        no_score "$(tail -n 25 build.log)" "" \
                 "The autograder could not be built (above): this is not a problem with your" \
                 "code, and your instructor must fix the grading image and regrade."
    fi
fi

lab_args=()
for lab in "${labs[@]}"; do
    lab_args+=(--lab "$lab")
done
# As root where the grading image allows it (its Dockerfile's sudo rule,
# for its own kit only): each submission's tests then run as a uid of
# their own. As autograde, in a container where bubblewrap cannot make
# namespaces (Docker's seccomp profile), the tests would run as this very
# user, and could write to the output Autolab reads its scores from (a
# platform review: a submission wrote its own scores line).
grade=("$kit/grader/shmgrade")
if [ "$(id -u)" -ne 0 ] && [ "$kit" = "$SHMLAB_IMAGE_KIT" ] && command -v sudo >/dev/null &&
    sudo -n -l "$kit/grader/shmgrade" >/dev/null 2>&1; then
    grade=(sudo -n "$kit/grader/shmgrade")
fi
# Neither root nor namespaces (the image's kit is not this autograder's,
# so sudo may not run it; or an image without the rule): the tests would
# run as this user, and a submission could write the scores line Autolab
# reads and kill this script before the real one (a platform review). No
# grading then: the reason, and no score.
if [ "${grade[0]}" != sudo ] && [ "$(id -u)" -ne 0 ] &&
    ! bwrap --unshare-all --die-with-parent --ro-bind / / --proc /proc --dev /dev true \
        >/dev/null 2>&1; then
    echo "The grading image cannot keep a submission apart from the grader here: it is not"
    echo "root, bubblewrap cannot make namespaces, and the image's kit is not this"
    echo "autograder's (rebuild the image from this autograde.tar: docker build -t ... dist/autolab)."
    echo "Nothing was graded. This is not a score: your instructor must fix the image and regrade."
    echo '{"scores": {}}'
    exit 0
fi
# One test at a time: in Autolab's containers the tests share one process
# limit (no user namespaces), and parallel tests that fork would then see
# each other's processes.
"${grade[@]}" --hidden -j 1 --format autolab "${lab_args[@]}" submission \
    > report.txt 2> errors.txt
status=$?
# The grader's own messages first: nothing may follow the scores line.
cat errors.txt report.txt
if ! tail -n 1 report.txt | grep -q '^{"scores":'; then
    # The grader failed before it could write a report (status 1 or 2):
    # that is no score, so no key either: Autolab then reports the error.
    echo "The grader failed (status $status; its message is above). This is not a score:"
    echo "your instructor must fix the autograder and regrade."
    echo '{"scores": {}}'
fi
exit 0
