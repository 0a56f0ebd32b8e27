#!/usr/bin/env python3
"""Whole-system reaction times on the simulated site, measured on the wire.

  bench/reaction_latency.py [--build build/release] [--trials 100] [--only alarm|silence]
                            [--mqtt off|on|stalled]

alarm:   the simulator raises the BMS protection flag (internal error: both directions); the
         start is the time it wrote the first BMS burst carrying the flag to the SLCAN pty
         (status bms.alarm_frame_us), the end the time its Modbus server received the first
         control write holding the battery at 0 W. The fault latches: each trial clears the
         flag, acknowledges over the API and waits for discharge to resume.
silence: the BMS stops broadcasting; from its last frame to the first 0 W write. bessd acts
         when the data turns stale (bms.stale_ms), so the figure is stale_ms plus the reaction;
         the reaction alone is printed too.

Both run bessd in manual mode (-1500 W, discharging) at the system tests' timings (BMS burst
every 100 ms, control period 200 ms, inverter on Modbus TCP loopback). One line per figure.
--mqtt on adds a mosquitto on loopback (state every 1 s), --mqtt stalled a broker that accepts
the connection and never answers: the reaction must not depend on either.
"""

import argparse
import os
import sys
import time

from system.mqtt_broker import broker
from system.site import (ROOT, Site, SiteError, discharging, first_write_after, holds_zero, now_us,
                         percentile, wait_for_write, wait_until)


def summary(name, values_ms, digits=2):
    v = sorted(values_ms)
    f = f"{{:.{digits}f}}"
    print(f"{name}: n={len(v)} p50 {f.format(percentile(v, 50))} ms, "
          f"p99 {f.format(percentile(v, 99))} ms, max {f.format(v[-1])} ms", flush=True)


def resume_discharge(site, since_us):
    """Acknowledge the latched fault until the inverter is told to discharge again."""
    last_ack = [0.0]

    def acked_and_running():
        # As an operator would: writes are rate-limited per client (docs/api.md).
        if time.monotonic() - last_ack[0] >= 0.5:
            site.api("POST", "/v1/faults/ack")
            last_ack[0] = time.monotonic()
        return first_write_after(site.sim_writes(), since_us, discharging) is not None
    if not wait_until(acked_and_running, 10.0, poll_s=0.02):
        raise SiteError("discharge did not resume:\n" + site.bessd_output())


def alarm_delays(site, n):
    """Milliseconds from each of n BMS protection-flag bursts on the wire to the 0 W command
    bessd writes, sorted; discharge is resumed between trials."""
    delays = []
    for trial in range(n):
        before = site.sim_status()["bms"]["alarm_frame_us"]
        site.sim_ok("protection on")
        frame = []

        def alarm_sent():
            t = site.sim_status()["bms"]["alarm_frame_us"]
            if t != before:
                frame.append(t)
            return bool(frame)
        if not wait_until(alarm_sent, 2.0):
            raise SiteError(f"trial {trial}: the simulator sent no alarm burst")
        safe = wait_for_write(site, frame[0], holds_zero, 2.0)
        if safe is None:
            raise SiteError(f"trial {trial}: no 0 W command:\n" + site.bessd_output())
        delays.append((safe - frame[0]) / 1000.0)
        site.sim_ok("protection off")
        resume_discharge(site, now_us())
    return sorted(delays)


def alarm_trials(build, trials, frame_set, mqtt):
    with Site(build, sim_args=["--bms-protocol", frame_set], patch=mqtt) as site:
        site.start_bessd()
        if wait_for_write(site, 0, discharging, 15.0) is None:
            raise SiteError("bessd never discharged:\n" + site.bessd_output())
        summary(f"alarm frame (protection flag, Pylontech {frame_set}) -> 0 W command received",
                alarm_delays(site, trials))


def silence_trials(build, trials, mqtt):
    stale_ms, timeout_ms = 400, 800
    patch = {"bms": {"stale_ms": stale_ms, "timeout_ms": timeout_ms}, **mqtt}
    with Site(build, patch=patch) as site:
        site.start_bessd()
        if wait_for_write(site, 0, discharging, 15.0) is None:
            raise SiteError("bessd never discharged:\n" + site.bessd_output())
        delays = []
        for trial in range(trials):
            site.sim_ok("bms-silence on")
            last_frame = site.sim_status()["bms"]["last_frame_us"]
            safe = wait_for_write(site, last_frame, holds_zero, 3.0)
            if safe is None:
                raise SiteError(f"trial {trial}: no 0 W command:\n" + site.bessd_output())
            delays.append((safe - last_frame) / 1000.0)
            site.sim_ok("bms-silence off")
            resume_discharge(site, now_us())
        summary(f"BMS silence (last frame) -> 0 W command received, stale_ms {stale_ms}",
                delays)
        summary("  of which reaction after stale_ms", [d - stale_ms for d in delays])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--trials", type=int, default=100)
    p.add_argument("--only", choices=["alarm", "silence"])
    p.add_argument("--frame-set", choices=["v1.2", "v1.3"], default="v1.2")
    p.add_argument("--mqtt", choices=["off", "on", "stalled"], default="off")
    a = p.parse_args()
    try:
        with broker(a.mqtt) as b:
            mqtt = {"mqtt": b.mqtt_section()} if b.mqtt_section() else {}
            if a.only in (None, "alarm"):
                alarm_trials(a.build, a.trials, a.frame_set, mqtt)
            if a.only in (None, "silence"):
                silence_trials(a.build, a.trials, mqtt)
    except SiteError as e:
        print(f"reaction_latency: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
