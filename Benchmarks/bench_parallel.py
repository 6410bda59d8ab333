#!/usr/bin/env python3
"""`esprig bench` on 8 timed simulated boards at once against the same bench on one board.

Each board is an in-process simulated ESP8266 (`sim://esp8266?timing=uart,flash&mac=...`) with
the UART and flash timing models on, so a write takes as long as on real hardware at the
profile's baud, and the demo's boot output is replayed for the monitor step. Runs the demo profile (built once, outside the timing) with a CA made for the
run: first `--ports` with one board, then with 8 boards and `--parallel 8`, each on a fresh
ledger and fresh boards. Prints both wall times, the ratio (target <= 1.3) and the CPU time
(user + system) of each run.

Usage: Benchmarks/bench_parallel.py [--esprig PATH] [--boards N] [--runs N] [--baud B]
Figures only; nothing here asserts a timing.
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def project(tmp, esprig):
    """A copy of Profiles/ and the demo firmware, a bench profile and its CA."""
    shutil.copytree(os.path.join(ROOT, "Profiles"), os.path.join(tmp, "Profiles"))
    firmware = os.path.join(tmp, "Firmware", "esp8266-demo")
    shutil.copytree(os.path.join(ROOT, "Firmware", "esp8266-demo"), firmware,
                    ignore=shutil.ignore_patterns("build", ".esprig-build-stamp", "*.esprig-orig"))
    with open(os.path.join(tmp, "Profiles", "benchmark.toml"), "w") as f:
        f.write('extends = "demo"\n\n[certs]\nca = "ca.crt"\nca_key = "ca.key"\n')
    profile = ["--profile", "benchmark", "--profiles-dir", os.path.join(tmp, "Profiles")]
    subprocess.run([esprig, "certs", "init"] + profile, check=True, stdout=subprocess.DEVNULL, cwd=tmp)
    # The firmware is built once here, outside the timing; both runs find it up to date.
    subprocess.run([esprig, "build"] + profile, check=True, stdout=subprocess.DEVNULL, cwd=tmp)


def tool_env():
    """esprig finds esptool's flasher stub through `esptool` on PATH (the project's venv first)."""
    env = dict(os.environ)
    env["PATH"] = os.path.join(ROOT, ".venv", "bin") + os.pathsep + env.get("PATH", "/usr/bin:/bin")
    return env


def run_bench(esprig, tmp, boards, tag, baud):
    work = os.path.join(tmp, tag)
    os.makedirs(work)
    ports = ",".join(
        f"sim://esp8266?timing=uart,flash&mac=18:fe:34:00:{boards:02x}:{n:02x}&state={work}/board{n}.bin"
        for n in range(1, boards + 1))
    args = [esprig, "bench", "--profile", "benchmark", "--profiles-dir", os.path.join(tmp, "Profiles"),
            "--ledger", os.path.join(work, "ledger.sqlite"), "--ports", ports, "--parallel", str(boards), "--no-progress"] + (["--baud", str(baud)] if baud else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    result = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp, env=tool_env())
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"bench on {boards} board(s) failed ({result.returncode}):\n{result.stdout}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--esprig", default=os.path.join(ROOT, ".build-release", "release", "esprig"))
    parser.add_argument("--boards", type=int, default=8)
    parser.add_argument("--runs", type=int, default=1, help="repeat each measurement, report the best")
    parser.add_argument("--baud", type=int, help="the transfer baud (default: the profile's, 460800)")
    args = parser.parse_args()
    esprig = os.path.abspath(args.esprig)
    if not os.access(esprig, os.X_OK):
        sys.exit(f"no esprig at {esprig}: swift build -c release --scratch-path .build-release --product esprig")

    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as tmp:
        project(tmp, esprig)
        one = min((run_bench(esprig, tmp, 1, f"one-{i}", args.baud) for i in range(args.runs)), key=lambda r: r[0])
        many = min((run_bench(esprig, tmp, args.boards, f"many-{i}", args.baud) for i in range(args.runs)), key=lambda r: r[0])

    ratio = many[0] / one[0]
    print(f"1 board:            wall {one[0]:7.2f} s   CPU {one[1]:6.2f} s")
    print(f"{args.boards} boards (parallel): wall {many[0]:7.2f} s   CPU {many[1]:6.2f} s")
    print(f"ratio {args.boards} boards / 1 board: {ratio:.2f} (target <= 1.3)")
    print(f"CPU per board: {one[1]:.2f} s alone, {many[1] / args.boards:.2f} s in parallel; machine has {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
