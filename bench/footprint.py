#!/usr/bin/env python3
"""bessd's memory and CPU on the demo site while the simulator saturates the CAN link.

  bench/footprint.py [--build build/release] [--duration 60] [--warmup 10] [--load-fps 4000]
                     [--mqtt off,on,stalled,uplink] [--bessd FILE [--emulator QEMU]]

The demo site (config/demo.json: Victron ESS profile, self-consumption, control every 1 s,
inverter polled every 1 s, telemetry stored every 1 s) with the simulator's BMS broadcasting
its 1 s cycle and repeating those frames so that --load-fps frames/s reach the SLCAN adapter:
about 4000 frames/s of 8-byte standard frames fill a 500 kbit/s bus. Every one of them is a
frame bessd parses, decodes and folds into its pack state.

Figures, from /proc/PID/stat and /proc/PID/status over the measurement window after the
warm-up: CPU as a share of one core, RSS (largest sample and at the end, with its anonymous /
file split), VmHWM, threads; and the frames bessd applied per second (its own counter in
/metrics) against the frames the simulator wrote, to show the link really was saturated.

--mqtt runs the measurement once per mode, one after the other, each with a fresh site: `off`
(no mqtt section), `on` (a mosquitto on loopback, state at least every 1 s, Home Assistant
discovery; the messages bessd published are counted by a subscriber), `stalled` (a broker that
accepts the connection and never answers), `uplink` (no mqtt section; the fleet uplink to a
mosquitto on loopback sending every telemetry row, a batch every 10 s: ten times the rows of
the default). Control steps per second are printed too: the control loop runs every 1 s
whatever the broker does.

--bessd runs another bessd than the build's against the build's simulator: a foreign
architecture's package binary under --emulator (qemu-aarch64-static, qemu-arm-static; see
docs/operations.md "Boards and architectures"). Under qemu-user the process's RSS and CPU are
the emulator's too (its translated-code cache, its own heap); --detail separates the mappings.
"""

import argparse
import os
import sys
import time

import subprocess

from system.mqtt_broker import broker
from system.proc_stats import cpu_seconds, status_kb
from system.site import ROOT, Site, SiteError


def smaps_rollup_kb(pid):
    """Pss (shared pages divided among their users) and private pages, KiB."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1])
    return out


def rss_by_mapping(pid):
    """Resident KiB per mapped file (or [heap], [stack], [anon]) from /proc/PID/smaps."""
    out = {}
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            first = line.split(maxsplit=5)
            if "-" in first[0] and ":" not in first[0]:
                name = first[5].strip() if len(first) > 5 else "[anon]"
                name = os.path.basename(name) if name.startswith("/") else name
            elif first[0] == "Rss:":
                out[name] = out.get(name, 0) + int(first[1])
    return sorted(out.items(), key=lambda kv: -kv[1])


def measure(a, mqtt_mode):
    # The demo configuration as shipped, except paths and ports (Site) and the control mode
    # the system tests use, which is undone here.
    patch = {
        "bms": {"stale_ms": 3000, "timeout_ms": 5000},
        "inverter": {"poll_period_ms": 1000},
        "control": {"period_ms": 1000, "mode": "self_consumption", "manual_setpoint_w": None},
        "limits": {"hysteresis_hold_s": 10},
    }
    with broker("on" if mqtt_mode == "uplink" else mqtt_mode) as b:
        if mqtt_mode == "uplink":
            patch["uplink"] = {"host": "127.0.0.1", "port": b.port, "site_id": "bench",
                               "topic_prefix": "fleet", "telemetry_every_s": 0,
                               "send_every_s": 10, "start_jitter_s": 0}
        elif b.mqtt_section():
            patch["mqtt"] = b.mqtt_section()
        with Site(a.build, profile="victron_ess", bms_period_ms=1000, step_ms=100,
                  sim_args=["--can-load-fps", str(a.load_fps), "--start-hour", "18"],
                  patch=patch, bessd_bin=a.bessd, emulator=a.emulator) as site:
            site.start_bessd()
            pid = site.bessd.pid
            time.sleep(a.warmup)
            counter = None
            if mqtt_mode in ("on", "uplink"):
                topics = "fleet/#" if mqtt_mode == "uplink" else "bessd/#"
                counter = subprocess.Popen(
                    ["/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", str(b.port), "-t",
                     topics, "-W", str(int(a.duration))], stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, text=True)
            cpu0, t0 = cpu_seconds(pid), time.monotonic()
            frames0 = site.metric("bessd_bms_frames_total")
            steps0 = site.metric("bessd_control_steps_total")
            sent0 = site.sim_status()["bms"]["frames_sent"]
            rss_max = 0
            end = t0 + a.duration
            while time.monotonic() < end:
                rss_max = max(rss_max, status_kb(pid)["VmRSS"])
                time.sleep(min(1.0, max(0.0, end - time.monotonic())))
            cpu1, t1 = cpu_seconds(pid), time.monotonic()
            frames1 = site.metric("bessd_bms_frames_total")
            steps1 = site.metric("bessd_control_steps_total")
            sim = site.sim_status()["bms"]
            st = status_kb(pid)
            roll = smaps_rollup_kb(pid)
            mappings = rss_by_mapping(pid) if a.detail else []
            messages = None
            if counter:
                out, _ = counter.communicate(timeout=a.duration + 10)
                messages = len([line for line in out.splitlines() if line])
            if site.bessd.poll() is not None:
                raise SiteError("bessd exited during the run:\n" + site.bessd_output())
    wall = t1 - t0
    rss_max = max(rss_max, st["VmRSS"])
    print(f"[mqtt {mqtt_mode}] window {wall:.0f} s after {a.warmup:.0f} s warm-up, simulator "
          f"load {a.load_fps} frames/s ({(sim['frames_sent'] - sent0) / wall:.0f} frames/s "
          f"written, {sim['lines_dropped']} dropped)")
    print(f"  bessd frames applied: {(frames1 - frames0) / wall:.0f} frames/s; control steps "
          f"{(steps1 - steps0) / wall:.2f} per s")
    if messages is not None:
        print(f"  MQTT messages bessd published on {topics}: {messages} "
              f"({messages / wall:.2f} per s)")
    print(f"  bessd CPU: {100.0 * (cpu1 - cpu0) / wall:.2f} % of one core "
          f"({cpu1 - cpu0:.2f} s in {wall:.0f} s)")
    print(f"  bessd RSS: max {rss_max / 1024:.1f} MiB, end {st['VmRSS'] / 1024:.1f} MiB "
          f"(anon {st.get('RssAnon', 0) / 1024:.1f}, file {st.get('RssFile', 0) / 1024:.1f}, "
          f"shmem {st.get('RssShmem', 0) / 1024:.1f}), VmHWM {st['VmHWM'] / 1024:.1f} MiB, "
          f"VmSize {st['VmSize'] / 1024:.1f} MiB, threads {st['Threads']}")
    private = roll.get("Private_Clean", 0) + roll.get("Private_Dirty", 0)
    print(f"  bessd PSS {roll.get('Pss', 0) / 1024:.1f} MiB, private (USS) "
          f"{private / 1024:.1f} MiB: RSS less the pages shared with other processes (libc, "
          f"libstdc++, ...)", flush=True)
    for name, kb in mappings:
        if kb >= 64:
            print(f"    rss {kb:6d} KiB  {name}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--warmup", type=float, default=10.0)
    p.add_argument("--load-fps", type=int, default=4000)
    p.add_argument("--detail", action="store_true", help="also print RSS per mapping")
    p.add_argument("--bessd", help="the bessd binary to measure (default: the build's)")
    p.add_argument("--emulator", help="run --bessd through this (qemu-user for another "
                   "architecture's binary)")
    p.add_argument("--mqtt", default="off",
                   help="comma-separated modes measured one after the other: off, on, stalled, "
                   "uplink")
    a = p.parse_args()
    modes = a.mqtt.split(",")
    for m in modes:
        if m not in ("off", "on", "stalled", "uplink"):
            p.error(f"--mqtt: unknown mode {m!r} (off, on, stalled, uplink)")
    try:
        for m in modes:
            measure(a, m)
    except SiteError as e:
        print(f"footprint: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
