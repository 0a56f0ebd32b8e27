#!/usr/bin/env python3
"""Operator and safety latency while unauthenticated TCP clients flood the API (issue 17).

  bench/api_flood.py [--build build/release] [--requests 200] [--alarms 20] [--flooders 64]
                     [--busy]

Runs the simulated site (bench/system/site.py: bess-sim + bessd, manual -1500 W) with the TCP
listener on loopback, and measures, first idle and then while --flooders clients without a token
repeat requests over TCP (each reconnects when closed):
  operator: POST /v1/faults/ack over the Unix socket, a new connection each time (as bessctl),
            from send to the whole response: p50, p99, and how many were not 200;
  alarm:    BMS protection flag on the wire -> the first 0 W command the inverter receives
            (bench/reaction_latency.py's alarm trial).
--busy adds one spinning process per core for both phases (the issue's "both cores busy").
--nice -10 runs bessd as bessd.service does (Nice=-10) and bess-sim likewise (it stands for
devices with CPUs of their own); needs root.
One line per figure; the flood line says how many answers the flooders got and of which status.
"""

import argparse
import collections
import http.client
import multiprocessing
import os
import socket
import sys
import tempfile
import time

from reaction_latency import alarm_delays
from system.site import (ROOT, Site, SiteError, bucket_percentile, discharging, percentile,
                         wait_for_write)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flooder(port, stop, counts):
    """Repeats GET /v1/status without a token; reconnects whenever the server closes."""
    request = b"GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    local = collections.Counter()
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2.0) as s:
                while not stop.is_set():
                    s.sendall(request)
                    data = s.recv(4096)
                    if not data:
                        break
                    local[data[9:12].decode(errors="replace")] += 1
        except OSError:
            local["reset"] += 1
    for k, v in local.items():
        counts.put((k, v))


def spinner(stop):
    while not stop.is_set():
        pass


def operator_latencies(site, n):
    ms, bad = [], 0
    for _ in range(n):
        t0 = time.perf_counter()
        try:
            status, _ = site.api("POST", "/v1/faults/ack", {})
        except (OSError, http.client.HTTPException):
            status = 0
        ms.append((time.perf_counter() - t0) * 1000.0)
        bad += status != 200
    return sorted(ms), bad


def line(name, v, extra=""):
    print(f"{name}: n={len(v)} p50 {percentile(v, 50):.2f} ms, p90 {percentile(v, 90):.2f} ms, "
          f"p99 {percentile(v, 99):.2f} ms, "
          f"max {v[-1]:.2f} ms{extra}", flush=True)


def phase(site, label, a):
    ops, bad = operator_latencies(site, a.requests)
    line(f"[{label}] operator POST /v1/faults/ack over the Unix socket", ops,
         f", {bad} not 200")
    if a.alarms:
        before = site.reactions()
        line(f"[{label}] alarm frame -> 0 W command received", alarm_delays(site, a.alarms))
        own_reaction_line(label, before, site.reactions())
    return bad


def own_reaction_line(label, before, after):
    """bessd's own part (its bessd_safety_reaction_seconds histogram): a bucket bound, so an
    upper bound of each percentile."""
    p50, n = bucket_percentile(before, after, 50)
    p99, _ = bucket_percentile(before, after, 99)
    if n:
        print(f"[{label}]   of which bessd (safety input -> write acknowledged, /metrics): n={n} "
              f"p50 <= {p50:g} ms, p99 <= {p99:g} ms", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--alarms", type=int, default=20)
    p.add_argument("--flooders", type=int, default=64)
    p.add_argument("--busy", action="store_true")
    p.add_argument("--nice", type=int, default=None,
                   help="run bessd and bess-sim at this niceness (-10: bessd.service's Nice=)")
    a = p.parse_args()
    tokens = tempfile.mkdtemp(prefix="bessd-flood-")
    token_file = os.path.join(tokens, "token")
    with open(os.open(token_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write("bench control " + os.urandom(24).hex() + "\n")
    port = free_port()
    # The operator's acknowledgements measure the API's latency, one after another: open the
    # per-client write rate limit (docs/api.md) so that they are handled, not refused with 429.
    patch = {"api": {"tcp": {"enabled": True, "port": port, "token_file": token_file},
                     "write_rate": {"per_second": 1000, "burst": 10000}}}
    stop = multiprocessing.Event()
    spinners = []
    try:
        with Site(a.build, patch=patch, nice=a.nice) as site:
            site.start_bessd()
            if wait_for_write(site, 0, discharging, 15.0) is None:
                raise SiteError("bessd never discharged:\n" + site.bessd_output())
            if a.busy:
                spinners = [multiprocessing.Process(target=spinner, args=(stop,))
                            for _ in range(os.cpu_count() or 2)]
                for s in spinners:
                    s.start()
            phase(site, "idle", a)
            counts = multiprocessing.Queue()
            flood = [multiprocessing.Process(target=flooder, args=(port, stop, counts))
                     for _ in range(a.flooders)]
            for f in flood:
                f.start()
            time.sleep(0.5)  # let the flood reach its steady state
            bad = phase(site, f"{a.flooders} no-token TCP clients flooding", a)
            stop.set()
            for f in flood:
                f.join(10)
            total = collections.Counter()
            while not counts.empty():
                k, v = counts.get()
                total[k] += v
            print(f"flood answers: {dict(sorted(total.items()))}; load average "
                  f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
                  f"{' (+ spinners)' if a.busy else ''}", flush=True)
            return 1 if bad else 0
    except SiteError as e:
        print(f"api_flood: {e}", file=sys.stderr)
        return 1
    finally:
        stop.set()
        for s in spinners:
            s.join(5)


if __name__ == "__main__":
    sys.exit(main())
