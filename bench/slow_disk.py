#!/usr/bin/env python3
"""A slow disk under the safety state: does it delay a protective command or the API?

  bench/slow_disk.py [--build build/release] [--fsync-ms 2000] [--trials 3]

Each fsync in the safety state's folder is delayed by --fsync-ms (bench/slowfs.c, LD_PRELOAD),
like an SD card that stalls. Per trial, while a `PUT /v1/mode` waits to be stored:
  protect: the simulated BMS reports over-temperature; from that command to the first 0 W write
           the simulator's Modbus server receives (docs/operations.md "Safety state": a
           protective command never waits for the disk);
  status:  the round trip of a `GET /v1/status` sent meanwhile (the API keeps answering);
  write:   the round trip of the `PUT /v1/mode` itself and its status: it waits for the disk,
           and the over-temperature latch raised meanwhile is written into its file first, so
           on a disk this slow it misses its 2.5 s deadline (504, withheld).
Needs a C compiler (gcc) for the shim. One line per figure.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

from system.site import (ROOT, Site, SiteError, discharging, holds_zero, now_us, percentile,
                         wait_for_write, wait_until)


def summary(name, values_ms):
    v = sorted(values_ms)
    print(f"{name}: n={len(v)} p50 {percentile(v, 50):.1f} ms, max {v[-1]:.1f} ms", flush=True)


def build_shim(folder):
    out = os.path.join(folder, "slowfs.so")
    subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", out,
                    os.path.join(ROOT, "bench/slowfs.c"), "-ldl"], check=True)
    return out


def timed_api(site, method, target, body=None):
    t = time.monotonic()
    status, _ = site.api(method, target, body)
    return status, (time.monotonic() - t) * 1000.0


def resume(site):
    """Over-temperature cleared, acknowledged, discharging again (writes paced as the rate
    limit wants)."""
    for _ in range(20):
        since = now_us()
        site.api("POST", "/v1/faults/ack")
        if wait_for_write(site, since, discharging, 1.0):
            return
    raise SiteError("discharge did not resume:\n" + site.bessd_output())


def trial(site, slow, fsync_ms, setpoint_w):
    slow(fsync_ms)
    put = {}

    def write():
        put["status"], put["ms"] = timed_api(site, "PUT", "/v1/mode",
                                             {"mode": "manual", "setpoint_w": setpoint_w})
    th = threading.Thread(target=write)
    th.start()
    time.sleep(0.2)  # the write is now waiting for the disk
    _, status_ms = timed_api(site, "GET", "/v1/status")
    asked = now_us()
    site.sim_ok("over-temp on")
    zero = wait_for_write(site, asked, holds_zero, 30.0)
    th.join()
    slow(0)
    site.sim_ok("over-temp off")
    # 504: the latch raised meanwhile is written into the mode's file first (docs/operations.md
    # "Safety state"), which then misses the mode's 2.5 s deadline and is withheld.
    if zero is None or put.get("status") not in (200, 504):
        raise SiteError(f"no 0 W write or PUT {put}:\n" + site.bessd_output())
    resume(site)
    return (zero - asked) / 1000.0, status_ms, put["ms"], put["status"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build/release")
    ap.add_argument("--fsync-ms", type=int, default=2000)
    ap.add_argument("--trials", type=int, default=3)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="bessd-slowdisk-")
    shim = build_shim(work)
    ctl = os.path.join(work, "slowfs.ctl")

    def slow(ms):
        with open(ctl, "w") as f:
            f.write(f"slow-state {ms}\n")
    slow(0)
    state_dir = os.path.join(work, "slow-state")
    os.mkdir(state_dir)
    patch = {"storage": {"safety_state_path": os.path.join(state_dir, "safety-state.json")}}
    with Site(args.build, patch=patch) as site:
        os.environ.update(LD_PRELOAD=shim, SLOWFS_CTL=ctl)
        try:
            site.start_bessd()
        finally:
            os.environ.pop("LD_PRELOAD")
        if not wait_for_write(site, 0, discharging, 10.0):
            raise SiteError("bessd did not start discharging:\n" + site.bessd_output())
        protect, status, write, answers = [], [], [], []
        for i in range(args.trials):
            p, s, w, a = trial(site, slow, args.fsync_ms, -1400 - i)
            protect.append(p)
            status.append(s)
            write.append(w)
            answers.append(a)
        print(f"fsync delayed by {args.fsync_ms} ms in the safety state's folder")
        summary("over-temperature to 0 W while a mode write waits", protect)
        summary("GET /v1/status while a mode write waits", status)
        summary("PUT /v1/mode round trip", write)
        print("PUT /v1/mode answers: " + " ".join(str(a) for a in answers))


if __name__ == "__main__":
    sys.exit(main())
