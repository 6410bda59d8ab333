#!/usr/bin/env python3
"""Speed of EsprigXtensa's LX106 interpreter, in million instructions per second.

Builds Benchmarks/XtensaBench/workload.c with Debian's xtensa-lx106-elf-gcc (-O2), builds the
runner in release mode (swift build -c release --product esprig-xtensa-bench), runs the workload
three times and prints each run and the best rate. The workload's result is checked against the
same C code built for the host, so a fast but wrong core does not print a figure.

Usage: Benchmarks/xtensa_speed.py
Figures only; nothing here asserts a timing.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "Benchmarks", "XtensaBench")
START = os.path.join(ROOT, "Tests", "EsprigXtensaTests", "Programs", "start.S")
HOST_SHIM = """
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
void out_char(int c) { putchar(c); }
void bench_exit(uint32_t code) { exit((int)code); }
"""


def main():
    with tempfile.TemporaryDirectory(prefix="xtensa-speed") as tmp:
        elf = os.path.join(tmp, "workload.elf")
        subprocess.run(["xtensa-lx106-elf-gcc", "-O2", "-ffreestanding", "-nostdlib", "-mlongcalls",
                        "-T", os.path.join(BENCH, "bench.ld"), "-o", elf, START,
                        os.path.join(BENCH, "workload.c")], check=True)
        shim = os.path.join(tmp, "shim.c")
        with open(shim, "w") as f:
            f.write(HOST_SHIM)
        host = os.path.join(tmp, "workload-host")
        subprocess.run(["cc", "-O2", "-w", "-o", host, shim, os.path.join(BENCH, "workload.c")], check=True)
        expected = subprocess.run([host], check=True, capture_output=True, text=True).stdout

        subprocess.run(["swift", "build", "-c", "release", "--product", "esprig-xtensa-bench"], cwd=ROOT, check=True)
        runner = os.path.join(ROOT, ".build", "release", "esprig-xtensa-bench")
        rates = []
        for attempt in range(3):
            out = subprocess.run([runner, elf], check=True, capture_output=True, text=True).stdout
            printed = re.search(r"^output: (.*)$", out, re.M).group(1) + "\n"
            if printed != expected:
                sys.exit(f"the core computed {printed!r}, the host {expected!r}: not timing a wrong result")
            count = int(re.search(r"^instructions: (\d+)", out, re.M).group(1))
            seconds = float(re.search(r"^seconds: ([\d.]+)", out, re.M).group(1))
            rates.append(count / seconds / 1e6)
            print(f"run {attempt + 1}: {count} instructions in {seconds:.3f} s = {rates[-1]:.1f} MIPS")
        print(f"best: {max(rates):.1f} million LX106 instructions per second (target: 20)")


if __name__ == "__main__":
    main()
