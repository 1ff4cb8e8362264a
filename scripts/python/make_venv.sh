#!/usr/bin/env bash
# Create the Python twins' virtual environment, target/python-venv, from
# scripts/python/requirements.txt, once: it is reused while the stamp file
# matches requirements.txt. Never touches the system's Python.
#
#   scripts/python/make_venv.sh            # prints the venv's python on success
#
# On failure (no python3, no venv module, no reachable package index) it prints
# one line starting "python twins: not run:" on stderr and exits 1.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
venv="${CARGO_TARGET_DIR:-target}/python-venv"
requirements=scripts/python/requirements.txt
stamp="$venv/.requirements.txt"

if [[ -x "$venv/bin/python" ]] && cmp -s "$requirements" "$stamp"; then
    echo "$venv/bin/python"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "python twins: not run: python3 is not installed" >&2
    exit 1
fi
rm -rf "$venv"
log="$(mktemp)"
if ! python3 -m venv "$venv" >"$log" 2>&1; then
    echo "python twins: not run: python3 -m venv failed ($(tail -1 "$log"))" >&2
    rm -rf "$venv" "$log"
    exit 1
fi
# Short timeouts and one retry: an unreachable index fails in seconds, not minutes.
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check --timeout 15 --retries 1 \
        -r "$requirements" >"$log" 2>&1; then
    echo "python twins: not run: cannot install $requirements (no package index reachable at ${PIP_INDEX_URL:-https://pypi.org/simple}?)" >&2
    rm -rf "$venv" "$log"
    exit 1
fi
rm -f "$log"
cp "$requirements" "$stamp"
echo "$venv/bin/python"
