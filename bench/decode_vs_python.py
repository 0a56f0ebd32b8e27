#!/usr/bin/env python3
"""Pylontech LV decode throughput: bessd's decoder against a plain Python `struct` decoder of the
same frames, in one run.

  bench/decode_vs_python.py [--build build/release] [--candump FILE] [--seconds 3]

Both sides read the frames of one candump log (default: the rebuilt US5000 capture in
tests/data/can, V1.2 and V1.3 frame sets with keep-alives, an unknown id and a short frame) and
decode every frame into typed, scaled values (docs/protocols.md; an unknown id or a short
frame is an error value). C++: `can_decode_bench` (Google Benchmark, BESSD_BENCH_CANDUMP set to
the same file), BM_PylontechDecode, plus the full path BM_SlcanBytesToPackState (SLCAN bytes ->
parser -> decode -> PackState) for the CPU share at the frame rate of a saturated bus.
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# 8-byte standard frames, worst-case bit stuffing and the inter-frame space: about 130 bits per
# frame, so a saturated 500 kbit/s bus carries about 3850 frames/s. 4000 is used as a round
# upper bound.
SATURATED_FPS = 4000

U16x4 = struct.Struct("<HHHH")
U16x3 = struct.Struct("<HHH")
U16x2 = struct.Struct("<HH")
S16x3 = struct.Struct("<hhh")
CVL = struct.Struct("<Hhh")
U32x2 = struct.Struct("<II")
U16 = struct.Struct("<H")


def d351(d):
    if len(d) < 6:
        return None
    cvl, ccl, dcl = CVL.unpack_from(d)
    dvl = U16.unpack_from(d, 6)[0] * 0.1 if len(d) >= 8 else None
    return ("limits", cvl * 0.1, max(ccl, 0) * 0.1, abs(dcl) * 0.1, dvl)


def d355(d):
    if len(d) < 4:
        return None
    soc, soh = U16x2.unpack_from(d)
    hires = U16.unpack_from(d, 4)[0] if len(d) >= 6 else 0
    return ("soc", soc, soh, hires * 0.01 if hires else float(soc))


def d356(d):
    if len(d) < 6:
        return None
    v, i, t = S16x3.unpack_from(d)
    return ("measure", v * 0.01, i * 0.1, t * 0.1)


def d359(d):
    if len(d) < 7:
        return None
    p1, p2, a1, a2, modules = d[0], d[1], d[2], d[3], d[4]
    return ("flags", bool(p1 & 0x02), bool(p1 & 0x04), bool(p1 & 0x08), bool(p1 & 0x10),
            bool(p1 & 0x80), bool(p2 & 0x01), bool(p2 & 0x08), (p1 & 0x61) | (p2 & 0xF6),
            bool(a1 & 0x02), bool(a1 & 0x04), bool(a1 & 0x08), bool(a1 & 0x10), bool(a1 & 0x80),
            bool(a2 & 0x01), bool(a2 & 0x08), modules)


def d35a(d):
    if len(d) < 8:
        return None
    return ("alarms", tuple(((d[b] >> s) & 3) == 1 for b in range(8) for s in (0, 2, 4, 6)))


def d35c(d):
    if len(d) < 1:
        return None
    b = d[0]
    return ("request", bool(b & 0x80), bool(b & 0x40), bool(b & 0x20), bool(b & 0x10),
            bool(b & 0x08))


def d35e(d):
    return ("name", bytes(d).rstrip(b" \0").decode("ascii", "replace"))


def d35f(d):
    if len(d) < 6:
        return None
    kind, = U16.unpack_from(d)
    return ("info", kind, d[2], d[3], U16.unpack_from(d, 4)[0])


def d372(d):
    if len(d) < 8:
        return None
    return ("modules",) + U16x4.unpack_from(d)


def d373(d):
    if len(d) < 8:
        return None
    vmin, vmax, tmin, tmax = U16x4.unpack_from(d)
    return ("cells", vmin / 1000.0, vmax / 1000.0, tmin - 273, tmax - 273)


def d378(d):
    if len(d) < 8:
        return None
    e_in, e_out = U32x2.unpack_from(d)
    return ("energy", e_in * 0.1, e_out * 0.1)


def d379(d):
    if len(d) < 2:
        return None
    return ("capacity", U16.unpack_from(d)[0])


def d305(d):
    return ("keepalive",)


DECODERS = {0x351: d351, 0x355: d355, 0x356: d356, 0x359: d359, 0x35A: d35a, 0x35C: d35c,
            0x35E: d35e, 0x35F: d35f, 0x372: d372, 0x373: d373, 0x378: d378, 0x379: d379,
            0x305: d305}


def decode(can_id, data):
    f = DECODERS.get(can_id)
    return f(data) if f else None


def read_candump(path):
    frames = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            ident, _, payload = line.split()[2].partition("#")
            frames.append((int(ident, 16), bytes.fromhex(payload)))
    return frames


def python_fps(frames, seconds):
    n = 0
    start = time.perf_counter()
    while True:
        for can_id, data in frames:
            decode(can_id, data)
        n += len(frames)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def bench_fps(build, candump, seconds):
    exe = os.path.join(build, "bench/can_decode_bench")
    if not os.access(exe, os.X_OK):
        sys.exit(f"decode_vs_python: {exe} missing: cmake --build {build} --target can_decode_bench")
    out = subprocess.run(
        [exe, "--benchmark_filter=BM_PylontechDecode$|BM_SlcanBytesToPackState$",
         f"--benchmark_min_time={seconds}", "--benchmark_format=json"],
        env=dict(os.environ, BESSD_BENCH_CANDUMP=candump), check=True, capture_output=True,
        text=True).stdout
    return {b["name"]: b["items_per_second"] for b in json.loads(out)["benchmarks"]}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--candump", default=os.path.join(ROOT, "tests/data/can/pylontech_us5000.log"))
    p.add_argument("--seconds", type=float, default=3.0)
    a = p.parse_args()
    frames = read_candump(a.candump)
    py = python_fps(frames, a.seconds)
    cpp = bench_fps(a.build, a.candump, a.seconds)
    decode_fps = cpp["BM_PylontechDecode"]
    full_fps = cpp["BM_SlcanBytesToPackState"]
    print(f"frames: {len(frames)} from {os.path.relpath(a.candump, ROOT)}")
    print(f"python struct decode: {py / 1e6:.2f} M frames/s (Python {sys.version.split()[0]})")
    print(f"bessd decode: {decode_fps / 1e6:.2f} M frames/s")
    print(f"ratio bessd/python: {decode_fps / py:.1f} (target >= 10)")
    print(f"bessd SLCAN bytes -> PackState: {full_fps / 1e6:.2f} M frames/s; at {SATURATED_FPS} "
          f"frames/s (saturated 500 kbit/s) {100.0 * SATURATED_FPS / full_fps:.3f} % of one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
