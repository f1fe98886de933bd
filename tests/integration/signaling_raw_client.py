"""For the signaling abuse tests: the real rrtc binary configured through the environment with
its stderr kept (to count log lines) and its file descriptors counted, and a minimal WebSocket
client (RFC 6455) over asyncio streams that writes raw frames, because the abuse needs frames
(trickled payloads, bad UTF-8) that client libraries will not send. Standard library only."""
import asyncio
import base64
import json
import os
import struct
import subprocess
import sys
import tempfile

from rrtc_server import check, free_port, metrics, wait_healthy


class Rrtc:
    """The real binary on a free port, configured through the environment, stderr kept."""

    def __init__(self, binary, env):
        self.binary, self.env = binary, env
        self.port = free_port()
        self.tmp = tempfile.TemporaryDirectory()
        self.log_path = os.path.join(self.tmp.name, "stderr.log")

    def __enter__(self):
        config = os.path.join(self.tmp.name, "rrtc.toml")
        with open(config, "w") as f:
            f.write(f'signaling_port = {self.port}\nlisten_address = "127.0.0.1"\n'
                    f'interfaces = ["127.0.0.1"]\n')
        self.log_file = open(self.log_path, "w")
        self.process = subprocess.Popen([self.binary, "--config", config], stdin=subprocess.PIPE,
                                        stderr=self.log_file, env=dict(os.environ, **self.env))
        wait_healthy(self.port, self.process)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        code = self.process.wait(timeout=60)
        self.log_file.close()
        if code != 0:
            sys.stderr.write(self.log())
        self.tmp.cleanup()
        check(code == 0, f"server did not stop cleanly (exit {code})")

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def fds(self):
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def metric(self, series):
        return metrics(self.port).get(series, -1)


class Ws:
    """A WebSocket client over asyncio streams, frame by frame."""

    @classmethod
    async def connect(cls, port, source=None, headers="", path="/ws"):
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, local_addr=(source, 0) if source else None, limit=1 << 22)
        ws = cls(reader, writer)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                      f"Sec-WebSocket-Version: 13\r\n{headers}\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        ws.status = int(head.split(b" ")[1])
        ws.body = b""
        if ws.status != 101:
            ws.body = await asyncio.wait_for(reader.read(), 10)  # then EOF
            writer.close()
        return ws

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    def frame(self, opcode, payload, fin=True, length=None):
        length = len(payload) if length is None else length
        head = bytes([(0x80 if fin else 0) | opcode])
        if length < 126:
            head += bytes([0x80 | length])
        elif length < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", length)
        mask = os.urandom(4)
        self.mask = mask
        return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

    def send(self, payload, opcode=1):
        if isinstance(payload, str):
            payload = payload.encode()
        self.writer.write(self.frame(opcode, payload))

    def send_json(self, message):
        self.send(json.dumps(message))

    async def recv(self, timeout=10):
        """The next data or close frame as (opcode, payload); pings are answered. None on EOF."""
        while True:
            try:
                head = await asyncio.wait_for(self.reader.readexactly(2), timeout)
                length = head[1] & 0x7F
                if length == 126:
                    length = struct.unpack("!H", await self.reader.readexactly(2))[0]
                elif length == 127:
                    length = struct.unpack("!Q", await self.reader.readexactly(8))[0]
                payload = await self.reader.readexactly(length)
            except (asyncio.IncompleteReadError, ConnectionError):
                return None
            opcode = head[0] & 0x0F
            if opcode == 0x9:
                self.writer.write(self.frame(0xA, payload))
                continue
            if opcode == 0xA:
                continue
            return opcode, payload

    async def recv_json(self, timeout=10):
        frame = await self.recv(timeout)
        check(frame is not None and frame[0] == 1, f"expected a text message, got {frame}")
        return json.loads(frame[1])

    async def recv_close(self, timeout=10):
        """The close code of the next close frame (data frames before it are skipped)."""
        while True:
            frame = await self.recv(timeout)
            if frame is None:
                return None
            if frame[0] == 0x8:
                return struct.unpack("!H", frame[1][:2])[0] if len(frame[1]) >= 2 else 1005
            
    async def eof(self, timeout=10):
        try:
            while await asyncio.wait_for(self.reader.read(65536), timeout):
                pass
        except ConnectionError:
            pass
        return True

    def close(self):
        self.writer.close()
