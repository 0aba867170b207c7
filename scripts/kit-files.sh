# shellcheck shell=bash
# kit-files.sh — sourced by make-dist.sh and make-package.sh.
#
# kit_files prints the kit's files, one per line, relative to its root:
# what git tracks and what it would track (untracked files it does not
# ignore), or, outside a checkout, every file but build/ and dist/.
kit_files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files --cached --others --exclude-standard
    else
        find . -type f ! -path './build/*' ! -path './dist/*' | sed 's|^\./||'
    fi
}

# copy_files DEST: copies the files named on standard input into DEST, keeping their paths.
copy_files() {
    while IFS= read -r f; do
        [ -f "$f" ] || continue
        mkdir -p "$1/$(dirname "$f")"
        cp -p "$f" "$1/$f"
    done
}
