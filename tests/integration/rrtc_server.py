"""The real rrtc binary for a test: started on a free 127.0.0.1 port gathering on 127.0.0.1 only,
its /metrics read, stopped at the end. Shared by the aiortc integration tests and the load
generator's smoke test (no aiortc import here)."""
import asyncio
import os
import re
import socket
import subprocess
import tempfile
import time
import urllib.request

DEADLINE = 45  # seconds, for each wait


def udp_sockets(pid):
    """UDP sockets the process holds: its socket fds whose inode is in /proc/<pid>/net/udp{,6}."""
    inodes = set()
    for name in ("udp", "udp6"):
        try:
            with open(f"/proc/{pid}/net/{name}") as table:
                for line in list(table)[1:]:
                    inodes.add(line.split()[9])
        except FileNotFoundError:
            pass
    held = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        match = re.fullmatch(r"socket:\[(\d+)\]", target)
        if match and match.group(1) in inodes:
            held += 1
    return held


def process_resources(pid):
    """CPU seconds (user + system), RSS (KiB), open fds, threads and UDP sockets, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    status = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            status[key] = value.split()
    return {"cpu_s": (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"),
            "rss_kib": int(status["VmRSS"][0]), "threads": int(status["Threads"][0]),
            "fds": len(os.listdir(f"/proc/{pid}/fd")), "udp_sockets": udp_sockets(pid)}


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def metrics(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        text = reply.read().decode()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, process):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        check(process.poll() is None, "server exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not come up")


class Server:
    """The real rrtc binary on a free 127.0.0.1 port, gathering on 127.0.0.1 only."""

    def __init__(self, binary, extra_config="", env=None):
        self.binary = binary
        self.extra_config = extra_config
        self.env = env
        self.port = free_port()
        self.tmp = tempfile.TemporaryDirectory()
        self.process = None

    def __enter__(self):
        config = os.path.join(self.tmp.name, "rrtc.toml")
        with open(config, "w") as f:
            f.write(f'signaling_port = {self.port}\nlisten_address = "127.0.0.1"\n'
                    f'interfaces = ["127.0.0.1"]\n{self.extra_config}')
        environment = dict(os.environ, **(self.env or {}))
        self.process = subprocess.Popen([self.binary, "--config", config], stdin=subprocess.PIPE,
                                        text=True, env=environment)
        wait_healthy(self.port, self.process)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        code = self.process.wait(timeout=DEADLINE)
        self.tmp.cleanup()
        check(code == 0, f"server did not stop cleanly (exit {code})")

    async def metrics(self):
        return await asyncio.get_running_loop().run_in_executor(None, metrics, self.port)

    async def wait_peers_released(self):
        """Waits until rrtc holds no PeerConnection (the clients closed theirs)."""
        deadline = time.monotonic() + DEADLINE
        while (await self.metrics())["rrtc_media_peers"] != 0:
            check(time.monotonic() < deadline, "rrtc kept the peers after the clients left")
            await asyncio.sleep(0.1)
