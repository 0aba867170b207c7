#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu image, with the
# autograder's files in /autograder/source (AUTOGRADER_ROOT to simulate).
set -euo pipefail
root=${AUTOGRADER_ROOT:-/autograder}
cd "$root/source"
export DEBIAN_FRONTEND=noninteractive
scripts/install-deps.sh   # installs what is missing (apt-get update included)
make build
