#!/usr/bin/env bash
# Installs what esprig's build and tests need: Debian packages (when run as root) and a
# project-local Python venv with Espressif's esptool, whose flasher stubs esprig loads at run
# time and whose CLI the tests use as the reference implementation.
set -euo pipefail
cd "$(dirname "$0")/.."

ESPTOOL_VERSION="${ESPTOOL_VERSION:-5.6.0}"
APT_PACKAGES=(zlib1g-dev libudev-dev python3-venv gcc-xtensa-lx106 binutils-xtensa-lx106 openssl mosquitto mosquitto-clients tmux)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "setup: please install: ${missing[*]} (e.g. sudo apt-get install ${missing[*]})" >&2
        exit 1
    fi
fi

if [[ ! -x .venv/bin/esptool ]] || ! .venv/bin/esptool version 2>/dev/null | grep -q "$ESPTOOL_VERSION"; then
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check "esptool==$ESPTOOL_VERSION"
fi

# A demo image for the README's first command: an ESP8266 app-sized file of firmware-like
# (compressible, not trivial) bytes, generated, not downloaded.
mkdir -p .sim
if [[ ! -f .sim/demo-app.bin ]]; then
    python3 - <<'PY'
import random
rng = random.Random(8266)
words = [rng.randrange(1 << 32) for _ in range(512)]
out = bytearray()
while len(out) < 300 * 1024:
    w = words[rng.randrange(len(words))] if rng.random() < 0.7 else rng.randrange(1 << 32)
    out += w.to_bytes(4, "little")
open(".sim/demo-app.bin", "wb").write(bytes(out[: 300 * 1024]))
PY
fi
echo "setup: ok (esptool $ESPTOOL_VERSION in .venv)"
