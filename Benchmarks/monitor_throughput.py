#!/usr/bin/env python3
"""Serial monitor throughput: no byte lost at 2000000 baud, and esprig's CPU use.

A simulated ESP8266 is served by `esprig sim --pty` with the UART timing model on and a boot
script that switches the app to 2000000 baud and prints numbered lines back to back for
--seconds (default 30). `esprig monitor --no-reset --baud 2000000` reads the pty into a file
(stdout not a TTY, no colour). SIGUSR1 presses the simulated reset button.

Prints: payload bytes sent and received, lines missing or altered, SHA-256 of both, the
monitor's wall time and CPU time (user+system, from wait4) and CPU as a share of one core.
Figures only; the acceptance targets (no loss, <= 10 % of one core) are printed next to them.

Usage: Benchmarks/monitor_throughput.py [--esprig PATH] [--seconds N]
"""
import argparse
import hashlib
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAUD = 2_000_000
END = "END-OF-BENCHMARK"


def default_esprig():
    for config in ("release", "debug"):
        path = os.path.join(ROOT, ".build", config, "esprig")
        if os.path.exists(path):
            return path
    sys.exit("no esprig binary: run `swift build -c release` first (or pass --esprig)")


def v1_image():
    """A tiny valid ESP8266 v1 image, so the simulated ROM boots the app."""
    segments = [(0x40100000, 64), (0x3FFE8000, 16)]
    out = bytearray([0xE9, len(segments), 2, 0x40, 4, 0, 0x10, 0x40])
    checksum = 0xEF
    for address, length in segments:
        data = bytes((i * 7 + 3) & 0xFF for i in range(length))
        for b in data:
            checksum ^= b
        out += struct.pack("<II", address, length) + data
    while len(out) % 16 != 15:
        out.append(0)
    return bytes(out + bytes([checksum]))


def payload_lines(seconds):
    # 10 bits per byte on the wire: BAUD / 10 bytes per second.
    total = BAUD // 10 * seconds
    lines = []
    size = 0
    n = 0
    while size < total:
        line = "line %07d %s" % (n, hashlib.sha256(str(n).encode()).hexdigest()[: 48])
        lines.append(line)
        size += len(line) + 2
        n += 1
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--esprig", default=None)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    esprig = args.esprig or default_esprig()

    with tempfile.TemporaryDirectory(prefix="esprig-monitor-bench") as tmp:
        image = os.path.join(tmp, "flash.bin")
        with open(image, "wb") as f:
            f.write(v1_image())
        lines = payload_lines(args.seconds)
        script = os.path.join(tmp, "boot.txt")
        with open(script, "w") as f:
            # The empty first line ends the line the (unreadable) 74880 banner left open.
            f.write("@baud %d\n\n" % BAUD + "\n".join(lines) + "\n" + END + "\n")
        link = os.path.join(tmp, "ttyBENCH")
        sim = subprocess.Popen([esprig, "sim", "--pty", "--link", link, "--boot-script", script,
                                "sim://esp8266?timing=uart&image=" + image],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            sim.stdout.readline()  # "Serving simulated ... on PATH": the pty exists now
            out_path = os.path.join(tmp, "monitor.out")
            with open(out_path, "wb") as out:
                start = time.monotonic()
                monitor = subprocess.Popen([esprig, "monitor", "-p", link, "--no-reset", "--baud", str(BAUD),
                                            "--until", "^" + END + "$", "--timeout", str(args.seconds * 3 + 30)],
                                           stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                           env=dict(os.environ, NO_COLOR="1"))
                time.sleep(1.5)  # the monitor has opened the pty
                sim.send_signal(signal.SIGUSR1)
                _, status, usage = os.wait4(monitor.pid, 0)
                wall = time.monotonic() - start
                monitor.returncode = os.waitstatus_to_exitcode(status)
        finally:
            sim.send_signal(signal.SIGTERM)
            try:
                sim.wait(timeout=10)
            except subprocess.TimeoutExpired:
                sim.kill()
        with open(out_path, "rb") as f:
            received = f.read().decode("utf-8", "replace").split("\n")

    got = [l for l in received if l.startswith("line ")]
    sent_bytes = sum(len(l) + 2 for l in lines)
    got_bytes = sum(len(l) + 2 for l in got)
    sent_hash = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    got_hash = hashlib.sha256("\n".join(got).encode()).hexdigest()
    missing = len(set(lines) - set(got))
    cpu = usage.ru_utime + usage.ru_stime
    print("esprig monitor at %d baud, %d s of continuous output (%s)" % (BAUD, args.seconds, esprig))
    print("  monitor exit code      %d (0 = --until matched the last line)" % monitor.returncode)
    print("  payload bytes sent     %d in %d lines" % (sent_bytes, len(lines)))
    print("  payload bytes received %d in %d lines" % (got_bytes, len(got)))
    print("  lines missing/altered  %d" % missing)
    print("  sha256 sent            %s" % sent_hash)
    print("  sha256 received        %s  %s" % (got_hash, "identical" if got_hash == sent_hash else "DIFFERENT"))
    print("  monitor wall time      %.2f s" % wall)
    print("  monitor CPU time       %.2f s (user %.2f, system %.2f)" % (cpu, usage.ru_utime, usage.ru_stime))
    print("  CPU share of one core  %.1f %% (target <= 10 %%)" % (100 * cpu / wall))
    print("  no byte lost           %s" % ("yes" if got_hash == sent_hash and monitor.returncode == 0 else "NO"))


if __name__ == "__main__":
    main()
