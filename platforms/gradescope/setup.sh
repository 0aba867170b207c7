#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu image, with the
# autograder's files in /autograder/source (AUTOGRADER_ROOT to simulate).
# Its output is the autograder's build log, which the instructor sees.
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
cd "$root/source"
# The labs this autograder grades (graded-labs), checked first: a lab that
# is not the kit's fails the upload at once, not the students' first
# submission after minutes of installing and building.
bash run_autograder --check   # bash: a zip may not keep its mode
export DEBIAN_FRONTEND=noninteractive
scripts/install-deps.sh   # installs what is missing (apt-get update included)
make build
# Hidden tests and solutions for root's eyes only: without namespaces (Docker)
# the tests run as uids of their own, which could read them otherwise.
scripts/protect-secrets.sh
