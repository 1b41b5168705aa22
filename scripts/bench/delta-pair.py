#!/usr/bin/env python3
"""Writes the old/new pair of the delta bench (scripts/bench/delta.sh), the same bytes for the same seed.

    delta-pair.py OLD NEW [--mib 64] [--seed 11]

OLD: MIB MiB of pseudo-random bytes (not compressible, like a filesystem image of packed files).
NEW: OLD with, in this order, a block of 1 MiB moved from 1/8 of the file to 3/4, an insertion of
256 KiB of fresh bytes at the middle, and one small change (1 to 16 bytes) every 64 KiB on average
at positions drawn from the seed: the shape of an update of a system partition.
"""
import argparse
import random

parser = argparse.ArgumentParser()
parser.add_argument("old")
parser.add_argument("new")
parser.add_argument("--mib", type=int, default=64)
parser.add_argument("--seed", type=int, default=11)
args = parser.parse_args()

rng = random.Random(args.seed)
size = args.mib << 20
old = bytearray(rng.randbytes(size))
new = bytearray(old)

block = 1 << 20
src = size // 8
moved = new[src:src + block]
del new[src:src + block]
dst = size * 3 // 4
new[dst:dst] = moved

mid = len(new) // 2
new[mid:mid] = rng.randbytes(256 << 10)

for _ in range(size // (64 << 10)):
    at = rng.randrange(len(new) - 16)
    n = rng.randint(1, 16)
    new[at:at + n] = rng.randbytes(n)

with open(args.old, "wb") as f:
    f.write(old)
with open(args.new, "wb") as f:
    f.write(new)
