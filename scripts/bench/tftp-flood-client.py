#!/usr/bin/env python3
"""A TFTP request flood for scripts/bench/tftp-flood.sh: N read requests from N source ports.

Usage: tftp-flood-client.py HOST PORT FILE [--requests 2000] [--options blksize=1468,...]
       [--sources 1] [--quiet-seconds 1.5] [--silent]

Every request comes from its own UDP socket (its own port; with --sources K, the sockets bind
127.0.0.1 .. 127.0.0.K in turn). All requests go out at once; then every DATA is acknowledged,
an OACK with ACK 0, so the transfers the server admits run to their end, and the refusals
(ERROR 0 "server busy") are counted. With --silent nothing is answered: the admitted transfers
retransmit until the server gives up on them. Ends when nothing has arrived for --quiet-seconds,
and prints one line of counts.
"""
import argparse
import selectors
import socket
import struct
import time

parser = argparse.ArgumentParser()
parser.add_argument("host")
parser.add_argument("port", type=int)
parser.add_argument("file")
parser.add_argument("--requests", type=int, default=2000)
parser.add_argument("--options", default="")
parser.add_argument("--sources", type=int, default=1)
parser.add_argument("--quiet-seconds", type=float, default=1.5)
parser.add_argument("--silent", action="store_true")
args = parser.parse_args()

request = struct.pack("!H", 1) + args.file.encode() + b"\0octet\0"
for pair in filter(None, args.options.split(",")):
    name, value = pair.split("=", 1)
    request += name.encode() + b"\0" + value.encode() + b"\0"

selector = selectors.DefaultSelector()
sockets = []
for i in range(args.requests):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((f"127.0.0.{1 + i % args.sources}", 0))
    s.setblocking(False)
    selector.register(s, selectors.EVENT_READ)
    sockets.append(s)
for s in sockets:
    s.sendto(request, (args.host, args.port))

counts = {"data": 0, "oack": 0, "error": 0, "done": 0}
last = time.monotonic()
while time.monotonic() - last < args.quiet_seconds:
    for key, _ in selector.select(timeout=0.1):
        s = key.fileobj
        try:
            packet, peer = s.recvfrom(70000)
        except (BlockingIOError, ConnectionRefusedError):
            continue
        last = time.monotonic()
        opcode = struct.unpack("!H", packet[:2])[0] if len(packet) >= 2 else 0
        if opcode == 3:
            counts["data"] += 1
            if not args.silent:
                s.sendto(struct.pack("!HH", 4, struct.unpack("!H", packet[2:4])[0]), peer)
        elif opcode == 6:
            counts["oack"] += 1
            if not args.silent:
                s.sendto(struct.pack("!HH", 4, 0), peer)
        elif opcode == 5:
            counts["error"] += 1
for s in sockets:
    s.close()
print(f"flood: {args.requests} requests, {counts['oack']} OACKs, {counts['data']} DATA, {counts['error']} ERRORs")
