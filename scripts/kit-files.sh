# shellcheck shell=bash
# kit-files.sh — sourced by make-dist.sh and make-package.sh.
#
# kit_files prints the kit's files, one per line, relative to its root:
# what git tracks and what it would track (untracked files it does not
# ignore: a lab being written), or, outside a checkout, every file; in both
# cases only in the kit's own folders. An instructor's class lives beside
# them (make grade-all DIR=submissions writes grades/), and its code and
# grades went into the student kit and every platform's package.
kit_files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files --cached --others --exclude-standard
    else
        # What the build makes is not the kit's (.gitignore says the same).
        find . -type f | sed 's|^\./||' | grep -v -E '^grader/shmgrade$|\.(o|a|d)$'
    fi | grep -E '^(Makefile|README\.md|\.gitignore)$|^(\.ci|grader|labs|skeletons|solutions|handouts|platforms|scripts|tests)/'
}

# copy_files DEST: copies the files named on standard input into DEST, keeping their paths.
copy_files() {
    while IFS= read -r f; do
        [ -f "$f" ] || continue
        mkdir -p "$1/$(dirname "$f")"
        cp -p "$f" "$1/$f"
    done
}
