#!/usr/bin/env python3
"""Write speed of esprig and esptool against the same timed simulated board.

For each data set (1 MiB random, 1 MiB firmware-like) and baud rate (115200, 921600), both
tools write the data to a fresh simulated ESP8266 served by `esprig sim --tcp` with the UART
and flash timing models on. Prints wall time, the wire limit (zlib level-9 size x 10 / baud,
or the flash erase+program time where that is longer), efficiency = limit / wall, and each
tool's CPU time. Then re-writes the unchanged image with each tool.

Usage: Benchmarks/flash_speed.py [--esprig PATH] [--esptool PATH] [--chip esp8266|esp32|esp32c3|esp32s3|...] [--quick] [--baud N]
Figures only; nothing here asserts a timing.
"""
import argparse
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDRESS = 0x100000
# Simulator flash model (Sources/EsprigSimulator/NORFlash.swift, Winbond W25Q32 typical):
PAGE_PROGRAM_S = 0.0007
SECTOR_ERASE_S = 0.045
BLOCK_ERASE_S = 0.150


def firmware_like(size, seed=8266):
    rng = random.Random(seed)
    words = [rng.randrange(1 << 32) for _ in range(512)]
    out = bytearray()
    while len(out) < size:
        w = words[rng.randrange(len(words))] if rng.random() < 0.7 else rng.randrange(1 << 32)
        out += w.to_bytes(4, "little")
    return bytes(out[:size])


def flash_time(size, address):
    """Erase (64 KiB blocks where aligned, else sectors) plus page programming."""
    t, pos, end = 0.0, address, address + size
    while pos < end:
        if pos % 0x10000 == 0 and pos + 0x10000 <= end:
            t += BLOCK_ERASE_S
            pos += 0x10000
        else:
            t += SECTOR_ERASE_S
            pos += 0x1000
    return t + ((size + 255) // 256) * PAGE_PROGRAM_S


class Simulator:
    def __init__(self, esprig, chip, options, save=None):
        extra = ["--save", save] if save else []
        self.proc = subprocess.Popen(
            [esprig, "sim", f"sim://{chip}?{options}", "--tcp", "0"] + extra,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"socket://[\d.]+:\d+", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"simulator did not start: {line!r} {self.proc.stderr.read()}")
        self.url = m.group(0)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def timed(cmd, env=None):
    """Runs cmd; returns (wall seconds, child CPU seconds, exit status, output tail)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, timeout=900)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.returncode, p.stdout[-400:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--esprig", default=os.path.join(ROOT, ".build/release/esprig"))
    ap.add_argument("--esptool", default=os.path.join(ROOT, ".venv/bin/esptool"))
    ap.add_argument("--chip", default="esp8266",
                    choices=["esp8266", "esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5", "esp32c6", "esp32h2", "esp32p4"])
    ap.add_argument("--quick", action="store_true", help="256 KiB instead of 1 MiB")
    ap.add_argument("--baud", type=int, action="append", help="only this rate (repeatable; default 115200 and 921600)")
    args = ap.parse_args()
    size = (256 if args.quick else 1024) * 1024
    datasets = {"random": random.Random(1).randbytes(size), "firmware": firmware_like(size)}
    tmp = tempfile.mkdtemp(prefix="esprig-bench-")
    tools = {
        "esprig": lambda url, baud, path: [args.esprig, "-p", url, "-b", str(baud), "--before", "no-reset",
                                           "--after", "no-reset-stub", "write-flash", hex(ADDRESS), path],
        "esptool": lambda url, baud, path: [args.esptool, "--chip", args.chip, "-p", url, "-b", str(baud),
                                            "--before", "no-reset", "--after", "no-reset-stub", "write-flash",
                                            hex(ADDRESS), path],
    }
    print(f"chip {args.chip}, {size // 1024} KiB per data set")
    print(f"{'data':9} {'baud':>7} {'tool':8} {'wall s':>8} {'limit s':>8} {'eff':>5} {'cpu s':>6}  ratio")
    rows = []
    for name, data in datasets.items():
        path = os.path.join(tmp, f"{name}.bin")
        open(path, "wb").write(data)
        for baud in args.baud or (115200, 921600):
            wire = len(zlib.compress(data, 9)) * 10 / baud
            limit = max(wire, flash_time(len(data), ADDRESS))
            walls = {}
            for tool, make in tools.items():
                sim = Simulator(args.esprig, args.chip, "timing=uart,flash")
                try:
                    wall, cpu, rc, tail = timed(make(sim.url, baud, path))
                finally:
                    sim.close()
                if rc != 0:
                    print(f"{tool} failed ({rc}): {tail}", file=sys.stderr)
                walls[tool] = wall
                ratio = f"{walls['esprig'] / wall:.2f}" if tool == "esptool" else ""
                print(f"{name:9} {baud:>7} {tool:8} {wall:8.2f} {limit:8.2f} {limit / wall:5.2f} {cpu:6.2f}  {ratio}", flush=True)
                rows.append((name, baud, tool, wall, limit))
    # Unchanged image: each tool writes once; the board is power-cycled (a new simulator loaded
    # with the flash the first one saved, so no stub is left running); the second write is timed.
    print()
    print("re-writing an unchanged image after a power cycle (firmware-like, 921600 baud):")
    path = os.path.join(tmp, "firmware.bin")
    second = {}
    for tool, make in tools.items():
        image = os.path.join(tmp, f"after-{tool}.bin")
        sim = Simulator(args.esprig, args.chip, "timing=uart,flash", save=image)
        try:
            timed(make(sim.url, 921600, path))
        finally:
            sim.close()
        sim = Simulator(args.esprig, args.chip, f"timing=uart,flash&image={image}")
        try:
            wall, cpu, rc, tail = timed(make(sim.url, 921600, path))
        finally:
            sim.close()
        second[tool] = wall
        print(f"  {tool:8} {wall:8.2f} s (cpu {cpu:.2f} s, exit {rc})", flush=True)
    print(f"  ratio esprig/esptool: {second['esprig'] / second['esptool']:.3f}")


if __name__ == "__main__":
    main()
