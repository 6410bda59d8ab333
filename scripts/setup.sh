#!/usr/bin/env bash
# Installs what esprig's build and tests need: Debian packages (when run as root) and a
# project-local Python venv with Espressif's esptool, whose flasher stubs esprig loads at run
# time and whose CLI the tests use as the reference implementation.
set -euo pipefail
cd "$(dirname "$0")/.."

ESPTOOL_VERSION="${ESPTOOL_VERSION:-5.6.0}"
# postgresql: the tests start their own server from its binaries (initdb, postgres; never the system service).
# umockdev: the port tests run libudev's real enumeration on a hand-written sysfs tree (CI has no USB).
# qemu-system-misc: QEMU's lx106 CPU is an instruction-trace oracle for the simulated core.
APT_PACKAGES=(zlib1g-dev libudev-dev python3-venv gcc-xtensa-lx106 binutils-xtensa-lx106 openssl mosquitto mosquitto-clients tmux postgresql umockdev qemu-system-misc)

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

echo "setup: ok (esptool $ESPTOOL_VERSION in .venv)"
