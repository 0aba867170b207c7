#!/usr/bin/env bash
# protect-secrets.sh [KIT] — makes what students must not read readable by
# its owner alone: the hidden tests (sources, rubrics and built objects),
# the reference solutions and the kit's own tests. For a kit graded as
# root without bubblewrap (a platform's container, where Docker's seccomp
# profile refuses namespaces): there each submission's tests run as a uid
# of their own, which could otherwise read those files and print them in
# a public test's output, which the student sees (a platform review).
# The grader itself copies what a test needs into its scratch folder.
set -euo pipefail
kit=${1:-.}
cd "$kit"
shopt -s nullglob
paths=()
for p in labs/*/hidden build/kit/*/hidden.o build/kit/*/obj/hidden solutions tests; do
    [ -e "$p" ] && paths+=("$p")
done
if [ ${#paths[@]} -gt 0 ]; then
    chmod -R go-rwx "${paths[@]}"
fi
