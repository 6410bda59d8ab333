#!/usr/bin/env bash
# Sets up, then runs the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export ESPRIG_ESPTOOL="$PWD/.venv/bin/esptool"
export ESPRIG_VENV="$PWD/.venv"
export ESPRIG_STUB_DIR="$(.venv/bin/python3 -c 'import esptool, os; print(os.path.dirname(esptool.__file__))')/targets/stub_flasher"
swift build --build-tests
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
swift test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# Suites run in parallel, so a suite's time is from the run's start to its last test's end.
echo "== suite times in seconds (slowest first)"
grep -aE '^[^ ]+ Suite ".*" (passed|failed) after' "$log" \
    | sed -E 's/^[^ ]+ Suite "(.*)" (passed|failed) after ([0-9.]+) seconds.*/\3  \1/' | sort -rn
exit "$status"
