#!/usr/bin/env python3
"""The fleet uplink's central side under load (docs/fleet.md "Measured").

  bench/fleet_load.py [--build build/release] [--sites 1000] [--messages-per-s 1667]
                      [--rows 6] [--seconds 60]

A mosquitto on loopback as the central broker; bench/fleet_publisher standing in for --sites
gateways, each sending the uplink's telemetry batches (QoS 1, one in flight per site) so that
--messages-per-s arrive in all, and a central consumer storing each row once per (site_id, run, seq).
The default is the message rate of 100 000 sites at the default settings (a batch a minute, 6
rows at telemetry_every_s 10) carried by 1 000 connections.

Figures: the broker's CPU (share of one core, /proc/PID/stat) and resident memory over the run,
messages and bytes per second, acknowledgement latency, and rows that never reached the consumer
or reached it twice.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from system.mqtt_broker import free_port  # noqa: E402
from system.proc_stats import cpu_seconds, status_kb  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def more_files():
    # A connection per site on both ends: the default 1 024 descriptors are too few.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 65536) if hard != resource.RLIM_INFINITY else 65536
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--sites", type=int, default=1000)
    p.add_argument("--messages-per-s", type=float, default=1667.0)
    p.add_argument("--rows", type=int, default=6)
    p.add_argument("--seconds", type=float, default=60.0)
    a = p.parse_args()
    publisher = os.path.join(a.build, "bench", "fleet_publisher")
    if not os.access(publisher, os.X_OK):
        print(f"fleet_load: {publisher} not built", file=sys.stderr)
        return 1
    more_files()
    work = tempfile.mkdtemp(prefix="bessd-fleet-")
    port = free_port()
    conf = os.path.join(work, "mosquitto.conf")
    with open(conf, "w") as f:
        # The consumer must not lose messages to the broker's default queue of 1 000.
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                "user root\nmax_queued_messages 0\nmax_inflight_messages 100\n")
    log = open(os.path.join(work, "mosquitto.out"), "w")
    broker = subprocess.Popen(["/usr/sbin/mosquitto", "-c", conf], stdout=log,
                              stderr=subprocess.STDOUT, preexec_fn=more_files)
    try:
        time.sleep(0.5)
        if broker.poll() is not None:
            print("fleet_load: mosquitto did not start", file=sys.stderr)
            return 1
        cpu0, t0 = cpu_seconds(broker.pid), time.monotonic()
        run = subprocess.Popen(
            [publisher, "--port", str(port), "--sites", str(a.sites), "--messages-per-s",
             str(a.messages_per_s), "--rows", str(a.rows), "--seconds", str(a.seconds)],
            stdout=subprocess.PIPE, text=True, preexec_fn=more_files)
        rss_max = 0
        while run.poll() is None:
            rss_max = max(rss_max, status_kb(broker.pid).get("VmRSS", 0))
            time.sleep(0.5)
        cpu1, t1 = cpu_seconds(broker.pid), time.monotonic()
        st = status_kb(broker.pid)
        out = run.stdout.read()
        if run.returncode != 0:
            print(f"fleet_load: fleet_publisher failed ({run.returncode})", file=sys.stderr)
            return 1
        r = json.loads(out)
    finally:
        broker.terminate()
        broker.wait(10)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    wall = t1 - t0
    print(f"[fleet] {r['sites']} site connections ({r['connected']} connected), "
          f"{r['seconds']:.0f} s of sending, {a.rows} rows a message")
    print(f"  messages: {r['messages_sent']} sent, {r['messages_acknowledged']} acknowledged, "
          f"{r['messages_per_s']:.0f} per s, {r['payload_bytes_per_message']:.0f} bytes each "
          f"({r['payload_bytes_per_s'] / 1e6:.2f} MB/s); {r['messages_skipped']} skipped "
          "(previous one unacknowledged or not connected)")
    print(f"  acknowledgement: p50 {r['ack_ms_p50']:.2f} ms, p99 {r['ack_ms_p99']:.2f} ms, "
          f"max {r['ack_ms_max']:.1f} ms")
    print(f"  consumer: {r['rows_stored_once']} of {r['rows_sent']} rows stored once, "
          f"{r['rows_never_received']} never received, {r['duplicate_rows']} duplicates")
    print(f"  broker (mosquitto): CPU {100.0 * (cpu1 - cpu0) / wall:.1f} % of one core over "
          f"{wall:.0f} s (connects and drain included); RSS max {rss_max / 1024:.1f} MiB, "
          f"VmHWM {st.get('VmHWM', 0) / 1024:.1f} MiB", flush=True)
    return 0 if r["rows_never_received"] == 0 and r["connect_failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
