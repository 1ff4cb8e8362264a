#!/usr/bin/env bash
# Build every example in release mode, then run them all and print one
# timing table (also written to target/run_all/results.{md,csv,json,svg}).
#
#   scripts/run_all.sh --quick     # classroom size: well under 2 minutes
#   scripts/run_all.sh             # the articles' sizes, 3 runs each
#   scripts/run_all.sh --python    # each Python twin (scripts/python) beside its Rust row
#   scripts/run_all.sh --help      # every flag (--only, --repeat, --latency-ms, --list...)
#
# Timings come from release builds only: debug builds are 10-50x slower.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --workspace
# --python: create the twins' venv once (target/python-venv). If it cannot be
# made, make_venv.sh says why in one line and the Python column says "not run".
for arg in "$@"; do
    if [[ "$arg" == --python ]]; then
        # run_all prints the reason once, as the Python column's "not run".
        if ! reason="$(scripts/python/make_venv.sh 2>&1 >/dev/null)"; then
            export RUN_ALL_PYTHON_NOT_RUN="$reason"
        fi
        break
    fi
done
exec "${CARGO_TARGET_DIR:-target}/release/run_all" "$@"
