"""A simulated site for the whole-system benchmarks: bess-sim and bessd in a temporary directory.

The same arrangement as the system tests (tests/system/site.cpp): bess-sim serves the BMS on an
SLCAN pty and the inverter on Modbus TCP, bessd runs on a configuration derived from
config/demo.json and reports READY=1 on a notify socket owned by this process. Times come from
CLOCK_MONOTONIC, the clock bess-sim stamps its scenario replies and its control-write log with,
so a figure measured here is the time on the wire between two events in the simulator.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def now_us():
    """Microseconds of CLOCK_MONOTONIC: the simulator's steady_clock, the unit of `at_us`."""
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1_000


def strip_json_comments(text):
    """bessd's configuration allows // and /* */ comments; Python's json does not."""
    out = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def merge_patch(target, patch):
    """RFC 7386 merge patch, as the system tests apply theirs."""
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = merge_patch(target.get(key), value)
    return target


def bucket_percentile(before, after, p):
    """The bucket bound at or below which p % of the observations made between two
    reactions() readings fall: an upper bound of the percentile, in milliseconds."""
    bounds = sorted(after)
    n = after[float("inf")] - before.get(float("inf"), 0)
    if n <= 0:
        return None, 0
    rank = max(1, -(-n * p // 100))
    for b in bounds:
        if after[b] - before.get(b, 0) >= rank:
            return b * 1000.0, n
    return float("inf"), n


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=5.0):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


class SiteError(RuntimeError):
    pass


class Site:
    def __init__(self, build, profile="sunspec", bms_period_ms=100, sim_args=(), patch=None,
                 step_ms=50, nice=None, bessd_bin=None, emulator=None):
        self.build = os.path.abspath(build)
        # bessd_bin: another bessd than the build's, such as a foreign architecture's package
        # binary, run through `emulator` (qemu-user) when given; the simulator stays the build's.
        self.bessd_bin = (os.path.abspath(bessd_bin) if bessd_bin
                          else os.path.join(self.build, "src/bin/bessd/bessd"))
        self.emulator = [emulator] if emulator else []
        self.sim_bin = os.path.join(self.build, "src/bin/bess-sim/bess-sim")
        for b in (self.bessd_bin, self.sim_bin):
            if not os.access(b, os.X_OK):
                raise SiteError(f"{b} missing: cmake --build {build} --target bessd bess-sim")
        self.dir = tempfile.mkdtemp(prefix="bessd-bench-")
        self.profile = profile
        self.bessd = None
        self.bessd_log = None
        # nice=N runs bessd (as its systemd unit's Nice= would) and bess-sim (standing for
        # devices with CPUs of their own) at that niceness; None leaves both as they are.
        self.prefix = [] if nice is None else ["nice", "-n", str(nice)]
        self.control = os.path.join(self.dir, "sim.sock")
        ready = os.path.join(self.dir, "sim.ready")
        self.sim_log = open(os.path.join(self.dir, "sim.out"), "w")
        argv = [*self.prefix, self.sim_bin, "--profile", profile, "--modbus-port", "0",
                "--slcan-link", os.path.join(self.dir, "slcan"), "--control", self.control,
                "--fire-alarm-file", os.path.join(self.dir, "fire-alarm"), "--ready-file", ready,
                "--bms-period-ms", str(bms_period_ms), "--step-ms", str(step_ms), *sim_args]
        self.sim_proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.sim_log,
                                         stderr=subprocess.STDOUT)
        if not wait_until(lambda: os.path.exists(ready), 10.0):
            self.close()
            raise SiteError("bess-sim not ready within 10 s")
        port = None
        with open(ready) as f:
            for line in f:
                if line.startswith("modbus_port="):
                    port = int(line.split("=", 1)[1])
        with open(os.path.join(ROOT, "config/demo.json")) as f:
            config = json.loads(strip_json_comments(f.read()))
        d = self.dir
        config["bms"].update({"device": f"{d}/slcan", "stale_ms": 400, "timeout_ms": 800})
        config["inverter"].update({
            "profile": profile, "profile_dir": os.path.join(ROOT, "config/profiles"),
            "unit_id": 100 if profile == "victron_ess" else 1, "poll_period_ms": 200})
        config["inverter"]["tcp"]["port"] = port
        config["control"].update({"period_ms": 200, "mode": "manual", "manual_setpoint_w": -1500})
        config["control"]["fire_alarm"].update({"path": f"{d}/fire-alarm", "poll_ms": 50})
        config["limits"]["hysteresis_hold_s"] = 0
        config["storage"]["path"] = f"{d}/bessd.db"
        config["api"]["unix_socket"]["path"] = f"{d}/api.sock"
        self.config = merge_patch(config, patch or {})
        self.config_path = os.path.join(d, "bessd.json")
        with open(self.config_path, "w") as f:
            json.dump(self.config, f, indent=2)
        self.api_socket = self.config["api"]["unix_socket"]["path"]

    # --- bessd ---------------------------------------------------------------------------------
    def start_bessd(self, timeout_s=15.0):
        """Starts bessd; returns seconds from just before the spawn to READY=1 received."""
        notify_path = os.path.join(self.dir, f"notify{time.monotonic_ns()}.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        self.bessd_log = open(os.path.join(self.dir, "bessd.out"), "a")
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
        env.pop("JOURNAL_STREAM", None)
        try:
            started = time.monotonic()
            self.bessd = subprocess.Popen([*self.prefix, *self.emulator, self.bessd_bin, "--config",
                                           self.config_path], env=env,
                                          stdin=subprocess.DEVNULL, stdout=self.bessd_log,
                                          stderr=subprocess.STDOUT)
            deadline = started + timeout_s
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SiteError("bessd sent no READY=1 within %.0f s:\n%s"
                                    % (timeout_s, self.bessd_output()))
                notify.settimeout(remaining)
                try:
                    msg = notify.recv(4096).decode(errors="replace")
                except socket.timeout:
                    continue
                if "READY=1" in msg.split("\n"):
                    return time.monotonic() - started
        finally:
            # Nobody reads it from now on: closing it keeps STATUS= updates from filling a queue.
            notify.close()
            os.unlink(notify_path)

    def stop_bessd(self, timeout_s=5.0):
        if self.bessd and self.bessd.poll() is None:
            self.bessd.send_signal(signal.SIGTERM)
            try:
                self.bessd.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.bessd.kill()
                self.bessd.wait()
        code = self.bessd.returncode if self.bessd else None
        self.bessd = None
        return code

    def bessd_output(self):
        try:
            with open(os.path.join(self.dir, "bessd.out")) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    # --- simulator -------------------------------------------------------------------------------
    def sim(self, command):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5.0)
            s.connect(self.control)
            s.sendall(command.encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data.decode().strip()

    def sim_ok(self, command):
        reply = self.sim(command)
        if not reply.startswith("ok"):
            raise SiteError(f"bess-sim refused '{command}': {reply}")
        return int(reply.split()[1])

    def sim_status(self):
        return json.loads(self.sim("status"))

    def sim_writes(self):
        return json.loads(self.sim("writes"))

    # --- API -------------------------------------------------------------------------------------
    def api(self, method, target, body=None):
        conn = UnixHTTPConnection(self.api_socket)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, target, body=None if body is None else json.dumps(body),
                         headers=headers)
            r = conn.getresponse()
            payload = r.read()
            if target.startswith("/metrics"):
                return r.status, payload.decode()
            return r.status, json.loads(payload) if payload else None
        finally:
            conn.close()

    def metric(self, name):
        _, text = self.api("GET", "/metrics")
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        raise SiteError(f"metric {name} not in /metrics")

    def reactions(self):
        """bessd's own reaction times so far (GET /metrics, bessd_safety_reaction_seconds):
        {upper bound in seconds: observations at or below it}, +Inf as float('inf')."""
        _, text = self.api("GET", "/metrics")
        buckets = {}
        prefix = 'bessd_safety_reaction_seconds_bucket{le="'
        for line in text.splitlines():
            if line.startswith(prefix):
                le, value = line[len(prefix):].split('"} ')
                buckets[float("inf") if le == "+Inf" else float(le)] = int(float(value))
        return buckets

    def close(self):
        self.stop_bessd()
        if self.sim_proc and self.sim_proc.poll() is None:
            self.sim_proc.send_signal(signal.SIGTERM)
            try:
                self.sim_proc.wait(5)
            except subprocess.TimeoutExpired:
                self.sim_proc.kill()
        self.sim_log.close()
        if self.bessd_log:
            self.bessd_log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wait_until(predicate, timeout_s, poll_s=0.005):
    deadline = time.monotonic() + timeout_s
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll_s)


def holds_zero(w):
    return w["lo_w"] >= -1.0 and w["hi_w"] <= 1.0


def discharging(w):
    return w["hi_w"] < -100.0 and w["lo_w"] < -100.0


def first_write_after(writes, since_us, predicate):
    """Time (at_us) of the first logged write at or after `since_us`. Microseconds, because a
    command's registers are written within one millisecond: at millisecond precision the end of
    the previous command can pass for a reaction to what came after it."""
    for w in writes:
        if w["at_us"] >= since_us and predicate(w):
            return w["at_us"]
    return None


def wait_for_write(site, since_us, predicate, timeout_s):
    found = []

    def probe():
        t = first_write_after(site.sim_writes(), since_us, predicate)
        if t is not None:
            found.append(t)
        return bool(found)

    return found[0] if wait_until(probe, timeout_s) else None
