#!/usr/bin/env bash
# Sets up, then runs the whole test suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export ESPRIG_ESPTOOL="$PWD/.venv/bin/esptool"
export ESPRIG_VENV="$PWD/.venv"
export ESPRIG_STUB_DIR="$(.venv/bin/python3 -c 'import esptool, os; print(os.path.dirname(esptool.__file__))')/targets/stub_flasher"
swift build --build-tests
swift test --skip-build
