#!/usr/bin/env python3
"""Round trip of an API write on the simulated site: PUT /v1/mode over the Unix socket, from
the request to the answer. A write is answered once the safety state is stored and its audit
record is committed (docs/api.md "GET /v1/audit"), so this is what an operator waits for.

  bench/write_latency.py [--build build/dev] [--writes 40]

Writes are paced at 0.6 s, under the default write rate limit (2/s, burst 10), alternating
between two manual setpoints so that each one changes the stored state. One line per figure.
"""

import argparse
import sys
import time

from system.site import Site, SiteError, percentile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/dev")
    ap.add_argument("--writes", type=int, default=40)
    args = ap.parse_args()
    times_ms = []
    with Site(args.build) as site:
        site.start_bessd()
        time.sleep(1.0)
        for i in range(args.writes):
            body = {"mode": "manual", "setpoint_w": -500 - (i % 2)}
            start = time.monotonic()
            status, answer = site.api("PUT", "/v1/mode", body)
            times_ms.append((time.monotonic() - start) * 1000.0)
            if status != 200:
                raise SiteError(f"PUT /v1/mode answered {status}: {answer}")
            time.sleep(0.6)
    v = sorted(times_ms)
    print(f"PUT /v1/mode round trip: n={len(v)} p50 {percentile(v, 50):.2f} ms, "
          f"p99 {percentile(v, 99):.2f} ms, max {v[-1]:.2f} ms", flush=True)


if __name__ == "__main__":
    sys.exit(main())
