#!/bin/sh
# Install what building and testing mhsim needs, when missing, on Debian/Ubuntu:
#   sh tests/install-deps.sh        the HDF5 C library (to build and run mhsim)
#   sh tests/install-deps.sh test   plus Python's h5py and numpy (the tests read results.h5 with them)
#                                   and SLURM with munge (a test runs a sweep on a one-node cluster)
#                                   and Chromium (a test lays out report.html in headless Chromium)
# Elsewhere, install HDF5 yourself (macOS: brew install hdf5; clusters: module load hdf5)
# and point the build at it with HDF5_DIR.
set -e
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
if ! dpkg -s libhdf5-dev >/dev/null 2>&1 || ! command -v pkg-config >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq --no-install-recommends libhdf5-dev pkg-config
    else
        echo "install-deps: no apt-get here; install the HDF5 library and set HDF5_DIR (see README.md)" >&2
    fi
fi
if [ "${1:-}" = "test" ]; then
    if ! python3 -c "import h5py, numpy" >/dev/null 2>&1; then
        # pip where it works; otherwise Debian's packages (which also bring python3 itself).
        python3 -m pip install --quiet h5py numpy 2>/dev/null \
            || python3 -m pip install --quiet --break-system-packages h5py numpy 2>/dev/null \
            || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends python3 python3-h5py python3-numpy; }
    fi
    # A one-node SLURM cluster for tests/it/slurm.rs (the test starts and stops the daemons).
    if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 \
        || ! command -v sbatch >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
        if command -v apt-get >/dev/null 2>&1; then
            $SUDO apt-get update -qq
            $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                slurmctld slurmd slurm-client munge libpmix2
        else
            echo "install-deps: no apt-get here; install SLURM and munge, or set MHSIM_SKIP_SLURM=1" >&2
        fi
    fi
    # Headless Chromium for tests/it/report.rs (the report's layout in a browser).
    if ! command -v chromium >/dev/null 2>&1; then
        if command -v apt-get >/dev/null 2>&1; then
            $SUDO apt-get update -qq
            $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
        else
            echo "install-deps: no apt-get here; install Chromium, or set MHSIM_SKIP_CHROMIUM=1" >&2
        fi
    fi
fi
