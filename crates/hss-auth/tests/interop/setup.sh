#!/usr/bin/env bash
# Creates the virtualenv the interop test uses and installs the pinned
# official SDK into it. Safe to run again: an existing venv is reused and
# pip leaves satisfied requirements alone.
#
# Usage: crates/hss-auth/tests/interop/setup.sh [VENV_DIR]
# Default VENV_DIR: <workspace>/target/interop-venv. Then run the test with
#   HSS_INTEROP_PYTHON=<VENV_DIR>/bin/python cargo test -p hss-auth --test interop_official_sdk
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../../../.." && pwd)"
venv="${1:-$workspace/target/interop-venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" -c 'from importlib.metadata import version; print("huaweicloudsdkcore", version("huaweicloudsdkcore"))'
echo "HSS_INTEROP_PYTHON=$venv/bin/python"
