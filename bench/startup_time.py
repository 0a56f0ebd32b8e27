#!/usr/bin/env python3
"""Start -> READY=1: from just before bessd is spawned to its READY=1 on the notify socket.

  bench/startup_time.py [--build build/release] [--trials 20]

bessd runs against the simulated site (BMS on an SLCAN pty, inverter on Modbus TCP), as under
systemd: READY=1 comes once the configuration is read and checked, the database is open and
migrated, compliance is evaluated and the API listens. The first start creates the database;
the others open an existing one (the usual case). Each start is followed by SIGTERM and a
clean exit. One line per figure.
"""

import argparse
import os
import sys

from system.site import ROOT, Site, SiteError, percentile


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--trials", type=int, default=20)
    a = p.parse_args()
    try:
        with Site(a.build) as site:
            first_ms = site.start_bessd() * 1000.0
            if site.stop_bessd() != 0:
                raise SiteError("bessd did not exit cleanly:\n" + site.bessd_output())
            times = []
            for _ in range(a.trials):
                times.append(site.start_bessd() * 1000.0)
                code = site.stop_bessd()
                if code != 0:
                    raise SiteError(f"bessd exited {code}:\n" + site.bessd_output())
    except SiteError as e:
        print(f"startup_time: {e}", file=sys.stderr)
        return 1
    times.sort()
    print(f"start -> READY=1, new database: {first_ms:.1f} ms")
    print(f"start -> READY=1, existing database: n={len(times)} p50 {percentile(times, 50):.1f} ms, "
          f"max {times[-1]:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
