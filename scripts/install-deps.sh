#!/usr/bin/env bash
# install-deps.sh — make sure the tools shmlab needs are installed.
#
# Checks each tool and library; when something is missing it installs the
# Debian/Ubuntu packages with apt-get if run as root, and otherwise prints
# the exact command to run and fails. Quiet and quick when all is there.
set -euo pipefail

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
need zip             command -v zip
need cmark-gfm       command -v cmark-gfm
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
