#!/usr/bin/env bash
# install-deps.sh — make sure the tools shmlab needs are installed.
#
# Checks each tool and library; when something is missing it installs the
# Debian/Ubuntu packages with apt-get if run as root, and otherwise prints
# the exact command to run and fails. Quiet and quick when all is there.
# With "student" (the student kit's make), only what building and grading
# need: zip (the platforms' packages) and cmark-gfm (the handouts' pages)
# are the instructor's, and a student without sudo could not run make test
# for want of them (a platform review).
set -euo pipefail
kind=${1:-instructor}

missing=()
need() { # need PACKAGE TEST...
    local pkg=$1
    shift
    if ! "$@" >/dev/null 2>&1; then
        missing+=("$pkg")
    fi
}

need build-essential command -v cc
need build-essential command -v make
need binutils        command -v objcopy
need pkg-config      command -v pkg-config
need check           pkg-config --exists check
need libsubunit-dev  pkg-config --exists libsubunit
need libjansson-dev  pkg-config --exists jansson
need libxml2-dev     pkg-config --exists libxml-2.0
need libcsv-dev      test -f /usr/include/csv.h
if [ "$kind" != student ]; then
    need zip         command -v zip
    need cmark-gfm   command -v cmark-gfm
fi
need valgrind        command -v valgrind
need bubblewrap      command -v bwrap

# pkg-config itself may be what is missing: then the library checks above
# failed for that reason alone, and installing them all is right.
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if ! command -v apt-get >/dev/null 2>&1; then
    echo "shmlab needs: ${missing[*]} (Debian package names); install them with your" >&2
    echo "system's package manager. shmlab targets Linux with glibc." >&2
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "shmlab: missing packages: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "shmlab: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "shmlab: dependencies installed" >&2
