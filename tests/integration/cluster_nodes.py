"""A cluster for a test (docs/cluster.md): a real redis-server (Debian's package) on a free
127.0.0.1 port with no persistence, and rrtc nodes sharing it, each on its own free 127.0.0.1
port, gathering on 127.0.0.1 only. Redis can be stopped and started again on the same port, a
node killed with SIGKILL; SignalingClient is a participant without media. The cluster tests
(cluster_*_test.py) use it; no aiortc import here.

Redis is spoken to with a few lines of RESP (Debian has no python3-redis in the test deps)."""
import asyncio
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websockets

from rrtc_server import DEADLINE, Server, check, free_port

SKIP = 77


def require_redis():
    """Exits 77 (CTest's skip) when redis-server is not installed."""
    if shutil.which("redis-server") is None:
        print("SKIP: redis-server is not installed (scripts/install-deps.sh installs it)")
        sys.exit(SKIP)


def _encode(*args):
    out = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(f"${len(data)}\r\n".encode() + data + b"\r\n")
    return b"".join(out)


class _Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def exact(self, size):
        while len(self.buffer) < size + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size + 2:]
        return data

    def reply(self):
        line = self.line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            return None if size < 0 else self.exact(size).decode()
        if kind == b"*":
            size = int(rest)
            return None if size < 0 else [self.reply() for _ in range(size)]
        raise ConnectionError(f"unexpected RESP reply {line!r}")


class RedisError(Exception):
    pass


class Redis:
    """redis-server on a free 127.0.0.1 port, no RDB / AOF, in a temporary directory."""

    def __init__(self):
        self.port = free_port()
        self.tmp = tempfile.TemporaryDirectory()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.tmp.name, "--daemonize", "no",
             "--loglevel", "warning"],
            stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + DEADLINE
        while True:
            check(self.process.poll() is None, "redis-server exited during start-up")
            try:
                if self.command("PING") == "PONG":
                    return self
            except (OSError, RedisError):
                pass
            check(time.monotonic() < deadline, "redis-server did not come up")
            time.sleep(0.05)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=DEADLINE)
        self.process = None

    def close(self):
        self.stop()
        self.tmp.cleanup()

    def command(self, *args):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(_encode(*args))
            return _Reader(sock).reply()

    def info(self, section):
        """INFO <section> as {key: value} (strings)."""
        values = {}
        for line in self.command("INFO", section).splitlines():
            if line and not line.startswith("#") and ":" in line:
                key, _, value = line.partition(":")
                values[key] = value
        return values

    def commandstats(self):
        """{command: calls} from INFO commandstats ("cmdstat_evalsha" -> "evalsha")."""
        calls = {}
        for key, value in self.info("commandstats").items():
            fields = dict(part.split("=", 1) for part in value.split(","))
            calls[key.removeprefix("cmdstat_")] = int(fields["calls"])
        return calls

    def placement(self, room, prefix="rrtc:"):
        """The node id room `room` is placed on, or None."""
        return self.command("GET", f"{prefix}room:{room}")


def healthz(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
        return json.loads(reply.read().decode())


class Node(Server):
    """One rrtc node of the cluster: Server with redis_url, node_id and its own
    node_signaling_url. `kill()` ends it with SIGKILL (no goodbye to Redis or the clients)."""

    def __init__(self, binary, redis, node_id, extra_config="", env=None):
        super().__init__(binary, env=env)
        self.node_id = node_id
        self.killed = False
        self.extra_config = (f'redis_url = "{redis.url}"\nnode_id = "{node_id}"\n'
                             f'node_signaling_url = "ws://127.0.0.1:{self.port}/ws"\n'
                             f'drain_timeout_seconds = 5\nempty_room_grace_seconds = 0\n'
                             f'{extra_config}')

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=DEADLINE)
        self.killed = True

    def __exit__(self, *exc):
        if self.killed:
            self.tmp.cleanup()
            return
        super().__exit__(*exc)

    def healthz(self):
        return healthz(self.port)


class Cluster:
    """redis-server and `count` rrtc nodes "node1".."nodeN", started in order and stopped in
    reverse; waits until every node is registered in Redis (rrtc:nodes and its live hash)."""

    def __init__(self, binary, count=3, extra_config=""):
        self.binary = binary
        self.count = count
        self.extra_config = extra_config
        self.redis = Redis()
        self.nodes = []

    def __enter__(self):
        self.redis.start()
        try:
            for index in range(self.count):
                node = Node(self.binary, self.redis, f"node{index + 1}", self.extra_config)
                node.__enter__()
                self.nodes.append(node)
            self.wait_registered([node.node_id for node in self.nodes])
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, *exc):
        errors = []
        for node in reversed(self.nodes):
            try:
                node.__exit__(*exc)
            except AssertionError as error:
                errors.append(f"{node.node_id}: {error}")
        self.nodes = []
        self.redis.close()
        if errors and exc[0] is None:
            raise AssertionError("; ".join(errors))

    def node(self, node_id):
        return next(node for node in self.nodes if node.node_id == node_id)

    def live_nodes(self):
        """Node ids with a live rrtc:node:<id> hash in Redis."""
        members = self.redis.command("SMEMBERS", "rrtc:nodes") or []
        return sorted(m for m in members if self.redis.command("EXISTS", f"rrtc:node:{m}") == 1)

    def wait_registered(self, ids):
        deadline = time.monotonic() + DEADLINE
        while self.live_nodes() != sorted(ids):
            check(time.monotonic() < deadline,
                  f"nodes registered in redis: {self.live_nodes()}, expected {sorted(ids)}")
            time.sleep(0.1)

    def wait_each_sees(self, ids, timeout=DEADLINE):
        """Waits until every running node's /healthz lists exactly `ids` as live nodes (the
        directory a node places rooms from is the one of its last heartbeat)."""
        deadline = time.monotonic() + timeout
        for node in self.nodes:
            if node.killed:
                continue
            while sorted(seen_nodes(node.healthz())) != sorted(ids):
                check(time.monotonic() < deadline,
                      f"{node.node_id} sees {seen_nodes(node.healthz())}, expected {sorted(ids)}")
                time.sleep(0.1)


def seen_nodes(health):
    """The node ids a node's /healthz lists (its cluster directory)."""
    cluster = health.get("cluster") or {}
    nodes = cluster.get("nodes", health.get("nodes", []))
    return [entry["id"] if isinstance(entry, dict) else entry for entry in nodes]


class SignalingClient:
    """A participant with a WebSocket only: joins, records what it gets, never offers."""

    def __init__(self, name, port, room):
        self.name = name
        self.port = port
        self.room = room
        self.ws = None
        self.messages = []
        self.reader = None

    async def connect(self):
        self.ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/ws", max_size=None)

    async def send_join(self):
        await self.ws.send(json.dumps({"type": "join", "room": self.room,
                                       "participant": self.name, "name": self.name}))

    async def first_reply(self):
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout=DEADLINE))

    async def join(self):
        """Joins; returns the first reply (`joined`, or an `error`). Keeps reading after
        `joined`."""
        if self.ws is None:
            await self.connect()
        await self.send_join()
        reply = await self.first_reply()
        if reply["type"] == "joined":
            self.reader = asyncio.ensure_future(self.read())
        return reply

    async def read(self):
        try:
            async for raw in self.ws:
                self.messages.append(json.loads(raw))
        except websockets.ConnectionClosed:
            pass

    def ids_joined(self):
        return {m["id"] for m in self.messages if m["type"] == "participant_joined"}

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
