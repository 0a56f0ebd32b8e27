"""MQTT brokers for the benchmarks (docs/mqtt.md): a real mosquitto on loopback, or a stalled
one that accepts TCP connections and never answers, as a hung broker or a dead NAT path does.

  with broker("on") as b: patch = {"mqtt": b.mqtt_section()}
"""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mosquitto:
    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="bessd-broker-")
        conf = os.path.join(self.dir, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                    "persistence false\nuser root\n")
        self.log = open(os.path.join(self.dir, "mosquitto.out"), "w")
        self.proc = subprocess.Popen(["/usr/sbin/mosquitto", "-c", conf], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not listen within 5 s")

    def mqtt_section(self):
        return {"host": "127.0.0.1", "port": self.port, "site_id": "bench", "state_period_s": 1}

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class StalledBroker:
    """Accepts connections and reads what comes, never answering: no CONNACK ever arrives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.held = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)

    def mqtt_section(self):
        return {"host": "127.0.0.1", "port": self.port, "site_id": "bench", "state_period_s": 1,
                "keepalive_s": 5}

    def close(self):
        self.sock.close()
        for c in self.held:
            c.close()


class NoBroker:
    def mqtt_section(self):
        return None

    def close(self):
        pass


class broker:
    """`mode`: off (no mqtt section), on (mosquitto), stalled (accepts, never answers)."""

    def __init__(self, mode):
        self.b = {"off": NoBroker, "on": Mosquitto, "stalled": StalledBroker}[mode]()

    def __enter__(self):
        return self.b

    def __exit__(self, *exc):
        self.b.close()
