#!/usr/bin/env python3
"""Drives U-Boot's console for scripts/bench/uboot.sh: boots the qemu_arm64 build under
qemu-system-aarch64 inside a network namespace (its tap already there), interrupts autoboot, then
runs the fetches given on stdin, one per line:

    LABEL SERVERIP BLKSIZE WINDOWSIZE FILE CRC32HEX

and prints one JSON line per fetch: label, server, blksize, windowsize, the rate U-Boot printed
(MiB/s, its own timer), the wall time from typing the command to "Bytes transferred", the bytes,
whether U-Boot's crc32 matched, and the T (timeout) marks U-Boot printed. Every wait is bounded;
a board that does not reach its prompt within --boot-timeout fails with the console's tail.
"""
import argparse, json, os, re, select, subprocess, sys, time

parser = argparse.ArgumentParser()
parser.add_argument("--netns", required=True)
parser.add_argument("--tap", required=True)
parser.add_argument("--uboot", default="/usr/lib/u-boot/qemu_arm64/u-boot.bin")
parser.add_argument("--ipaddr", default="192.0.2.2")
parser.add_argument("--boot-timeout", type=float, default=90)
parser.add_argument("--fetch-timeout", type=float, default=180)
args = parser.parse_args()

qemu = subprocess.Popen(
    ["ip", "netns", "exec", args.netns, "qemu-system-aarch64", "-machine", "virt", "-cpu", "cortex-a57", "-m", "512",
     "-nographic", "-bios", args.uboot, "-netdev", f"tap,id=n0,ifname={args.tap},script=no,downscript=no",
     "-device", "virtio-net-device,netdev=n0"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
console = b""


def fail(message):
    qemu.kill()
    sys.exit(f"uboot-console: {message}; console tail: {console[-2000:].decode(errors='replace')}")


def read_until(pattern, timeout):
    """Reads the console until the regex `pattern` (bytes) matches after the current point; the text up to its end, or None."""
    global console
    start, end = len(console), time.monotonic() + timeout
    while True:
        found = re.search(pattern, console[start:], re.M)
        if found:
            return console[start:start + found.end()]
        left = end - time.monotonic()
        if left <= 0 or qemu.poll() is not None:
            return None
        ready, _, _ = select.select([qemu.stdout], [], [], min(left, 0.5))
        if ready:
            data = os.read(qemu.stdout.fileno(), 65536)
            if not data:
                return None
            console += data


def type_line(text):
    qemu.stdin.write(text.encode() + b"\r")
    qemu.stdin.flush()


marks = 0


def run(command, timeout):
    global marks
    marks += 1
    mark = f"rsim-done-{marks}"
    type_line(f"{command}; echo {mark}")
    out = read_until(rb"^" + mark.encode() + rb"\r?\n=> ", timeout)
    if out is None:
        fail(f"'{command}' did not finish within {timeout} s")
    return out.decode(errors="replace")


deadline = time.monotonic() + args.boot_timeout
while read_until(rb"=> ", 1) is None:
    if time.monotonic() > deadline:
        fail(f"U-Boot did not reach its prompt within {args.boot_timeout} s")
    type_line("")
run(f"setenv ipaddr {args.ipaddr}; setenv netmask 255.255.255.0", 30)

for line in sys.stdin:
    if not line.strip():
        continue
    label, server, blksize, window, name, crc = line.split()
    t0 = time.monotonic()
    out = run(f"setenv serverip {server}; setenv tftpblocksize {blksize}; setenv tftpwindowsize {window}; tftpboot $loadaddr {name}",
              args.fetch_timeout)
    wall = time.monotonic() - t0
    size = re.search(r"Bytes transferred = (\d+)", out)
    rate = re.search(r"\s([0-9.]+) (KiB|MiB)/s", out)
    mibps = (float(rate.group(1)) / (1024 if rate.group(2) == "KiB" else 1)) if rate else None
    check = run("crc32 $loadaddr $filesize", 60) if size else ""
    got = re.search(r"==> ([0-9a-f]{8})", check)
    print(json.dumps({"label": label, "server": server, "blksize": int(blksize), "windowsize": int(window),
                      "mib_per_s": mibps, "wall_s": round(wall, 3), "bytes": int(size.group(1)) if size else None,
                      "crc_ok": bool(got and got.group(1) == crc.lower()), "timeouts": len(re.findall(r"\bT ", out))}), flush=True)

qemu.kill()
qemu.wait()
