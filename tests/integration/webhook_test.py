"""Webhooks through the real rrtc binary (docs/webhooks.md, issue 16): a local HTTP receiver on
127.0.0.1 (written here on asyncio streams, so the test decides when it answers), real
WebSocket clients (python3-websockets).

1. A room's life (room_started, participant_joined x2, participant_left, room_finished) arrives
   in order, each request signed (HMAC-SHA256 of the body with api_secret) with a unique id equal
   to X-Rrtc-Event-Id; /metrics counts them delivered; on SIGTERM the events of the sessions
   being closed still go out within the shutdown grace.
2. A receiver that is down (port closed) then starts gets the retried events, in order.
3. A receiver that accepts and never answers: joins still complete promptly (latency measured)
   and the first event is retried after webhook_timeout_seconds; once it answers, everything
   arrives in order.
4. https:// to a receiver with a certificate the system trusts (SSL_CERT_FILE points OpenSSL at
   it) is delivered; the same receiver without that trust is refused and counted as failing.
With --aiortc, only: 5. a python3-aiortc publisher's tracks give track_published and
   track_unpublished events (audio and camera, their ids and codecs), in order.

Run: webhook_test.py --rrtc <binary> [--aiortc]. Without --aiortc: standard library and
python3-websockets only."""
import argparse
import asyncio
import hashlib
import hmac
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rrtc_server import Server, check, free_port, metrics  # noqa: E402

SECRET = "webhook-test-secret-0123456789abcdefghij"
DEADLINE = 20  # seconds, for each wait


class Receiver:
    """An HTTP/1.1 endpoint recording each request (headers, body) in arrival order. While
    `hang` is set it reads requests and never answers (the connection stays open)."""

    def __init__(self, port, tls=None):
        self.port = port
        self.tls = tls
        self.requests = []  # (headers dict with lower-case names, body bytes, answered)
        self.hang = False
        self.server = None
        self.held = []

    async def start(self):
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", self.port, ssl=self.tls)

    async def stop(self):
        self.server.close()
        for writer in self.held:
            writer.close()
        await self.server.wait_closed()

    async def serve(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                check(lines[0].startswith("POST "), f"request line {lines[0]!r}")
                headers = {}
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                headers["request-line"] = lines[0]
                body = await reader.readexactly(int(headers["content-length"]))
                hung = self.hang
                self.requests.append((headers, body, not hung))
                if hung:
                    self.held.append(writer)
                    await asyncio.Event().wait()  # never answers
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    def delivered(self):
        """Bodies of the answered requests, parsed."""
        return [json.loads(body) for _, body, answered in self.requests if answered]


class Rrtc:
    """rrtc_server.Server started and stopped off the event loop, so the receiver (on this loop)
    keeps answering while rrtc starts and while it flushes its events on SIGTERM."""

    def __init__(self, *args, **kwargs):
        self.server = Server(*args, **kwargs)
        self.stop_seconds = None

    async def __aenter__(self):
        await asyncio.get_running_loop().run_in_executor(None, self.server.__enter__)
        return self.server

    async def __aexit__(self, *exc):
        started = time.monotonic()
        await asyncio.get_running_loop().run_in_executor(None, self.server.__exit__, *exc)
        self.stop_seconds = time.monotonic() - started


async def wait_until(predicate, what, timeout=DEADLINE):
    deadline = time.monotonic() + timeout
    while not predicate():
        check(time.monotonic() < deadline, f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def current_metrics(port):
    return await asyncio.get_running_loop().run_in_executor(None, metrics, port)


async def join(port, room, participant):
    """Joins and returns (socket, seconds from sending `join` to receiving `joined`)."""
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws")
    started = time.monotonic()
    await ws.send(json.dumps({"type": "join", "room": room, "participant": participant,
                              "name": participant.upper()}))
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=DEADLINE))
        if message["type"] == "joined":
            return ws, time.monotonic() - started
        check(message["type"] != "error", f"join refused: {message}")


async def leave(ws):
    await ws.send(json.dumps({"type": "leave"}))
    await ws.close()


def check_signed(requests):
    """Every request: signature over the exact body, headers, id unique and as in the body."""
    ids = set()
    for headers, body, _ in requests:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        check(hmac.compare_digest(headers["x-rrtc-signature"], expected),
              f"bad signature {headers['x-rrtc-signature']} for {body!r}")
        check(headers["content-type"] == "application/json", headers)
        check(headers["user-agent"].startswith("rrtc/"), headers)
        event = json.loads(body)
        check(headers["x-rrtc-event-id"] == event["id"], (headers, event))
        check(len(event["id"]) == 32 and all(c in "0123456789abcdef" for c in event["id"]), event)
        check(abs(event["created_at"] - time.time()) < 60, event)
        ids.add(event["id"])
    return ids


def summary(events):
    return [(e["event"], e.get("participant", {}).get("id")) for e in events]


def config(url, extra=""):
    return (f'api_key = "key"\napi_secret = "{SECRET}"\nwebhook_urls = ["{url}"]\n'
            f"webhook_timeout_seconds = 1\n{extra}")


LIFE = [("room_started", None), ("participant_joined", "alice"), ("participant_joined", "bob"),
        ("participant_left", "alice"), ("participant_left", "bob"), ("room_finished", None)]


async def room_life(binary):
    receiver = Receiver(free_port())
    await receiver.start()
    rrtc = Rrtc(binary, config(f"http://127.0.0.1:{receiver.port}/hooks/rrtc?x=1"))
    async with rrtc as server:
        alice, _ = await join(server.port, "life", "alice")
        bob, _ = await join(server.port, "life", "bob")
        await leave(alice)
        await leave(bob)
        await wait_until(lambda: len(receiver.requests) >= len(LIFE), "the room's events")
        events = receiver.delivered()
        check(summary(events) == LIFE, summary(events))
        check(all(e["room"] == "life" for e in events), events)
        check(events[1]["participant"] == {"id": "alice", "name": "ALICE"}, events[1])
        check(events[3]["participant"] == {"id": "alice", "name": "ALICE"}, events[3])
        check("participant" not in events[0] and "participant" not in events[5], events)
        check(receiver.requests[0][0]["request-line"] == "POST /hooks/rrtc?x=1 HTTP/1.1",
              receiver.requests[0][0])
        check(len(check_signed(receiver.requests)) == len(LIFE), "ids not unique")
        values = await current_metrics(server.port)
        check(values['rrtc_webhook_events_total{result="delivered"}'] == len(LIFE), values)
        check(values["rrtc_webhook_attempts_failed_total"] == 0, values)
        check(values["rrtc_webhook_queue_depth"] == 0, values)
        # Shutdown with a participant still in: its participant_left and room_finished are
        # delivered during the grace, before the process exits.
        carol, _ = await join(server.port, "last", "carol")
        await wait_until(lambda: len(receiver.requests) >= len(LIFE) + 2, "carol's join")
    stopped_in = rrtc.stop_seconds
    events = receiver.delivered()[len(LIFE):]
    check(summary(events) == [("room_started", None), ("participant_joined", "carol"),
                              ("participant_left", "carol"), ("room_finished", None)],
          summary(events))
    check_signed(receiver.requests)
    await carol.close()
    await receiver.stop()
    print(f"room life: {len(LIFE)} events in order, signed; shutdown flushed 2 more, "
          f"process stopped in {stopped_in:.2f} s")


async def receiver_down_then_up(binary):
    port = free_port()  # nothing listens here yet
    async with Rrtc(binary, config(f"http://127.0.0.1:{port}/")) as server:
        alice, _ = await join(server.port, "down", "alice")
        bob, _ = await join(server.port, "down", "bob")
        await leave(alice)
        await leave(bob)

        async def failed():
            return (await current_metrics(server.port))["rrtc_webhook_attempts_failed_total"]

        deadline = time.monotonic() + DEADLINE
        while await failed() < 2:
            check(time.monotonic() < deadline, "no failed attempts counted")
            await asyncio.sleep(0.05)
        values = await current_metrics(server.port)
        check(values["rrtc_webhook_queue_depth"] == len(LIFE), values)
        check(values['rrtc_webhook_events_total{result="delivered"}'] == 0, values)
        receiver = Receiver(port)
        await receiver.start()
        started = time.monotonic()
        await wait_until(lambda: len(receiver.requests) >= len(LIFE), "the retried events")
        waited = time.monotonic() - started
        check(summary(receiver.delivered()) == LIFE, summary(receiver.delivered()))
        check(len(check_signed(receiver.requests)) == len(LIFE), "ids not unique")
        values = await current_metrics(server.port)
        check(values['rrtc_webhook_events_total{result="delivered"}'] == len(LIFE), values)
        check(values["rrtc_webhook_queue_depth"] == 0, values)
        failures = values["rrtc_webhook_attempts_failed_total"]
    await receiver.stop()
    print(f"receiver down then up: {failures:.0f} failed attempts, all {len(LIFE)} events "
          f"delivered in order {waited:.2f} s after it started")


async def receiver_hangs(binary):
    receiver = Receiver(free_port())
    receiver.hang = True
    await receiver.start()
    async with Rrtc(binary, config(f"http://127.0.0.1:{receiver.port}/")) as server:
        latencies = []
        sockets = []
        for i in range(10):
            ws, latency = await join(server.port, "hang", f"p{i}")
            sockets.append(ws)
            latencies.append(latency)
        check(max(latencies) < 1.0, f"joins slowed down: {latencies}")
        # The first request hangs; after webhook_timeout_seconds (1) it is sent again.
        await wait_until(lambda: len(receiver.requests) >= 2, "a retried request")
        first, second = (json.loads(r[1]) for r in receiver.requests[:2])
        check(first["id"] == second["id"] and first["event"] == "room_started", (first, second))
        receiver.hang = False
        expected = [("room_started", None)] + [("participant_joined", f"p{i}") for i in range(10)]
        await wait_until(lambda: len(receiver.delivered()) >= len(expected), "all events")
        check(summary(receiver.delivered()) == expected, summary(receiver.delivered()))
        values = await current_metrics(server.port)
        hung = sum(1 for r in receiver.requests if not r[2])
        check(values["rrtc_webhook_attempts_failed_total"] == hung, (values, hung))
        for ws in sockets:
            await ws.close()
    await receiver.stop()
    latencies.sort()
    print(f"receiver that never answers: 10 joins, latency median {latencies[5] * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms; {hung} attempt(s) timed out and were retried")


def make_certificate(folder):
    cert = os.path.join(folder, "cert.pem")
    key = os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key,
                    "-out", cert], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


async def https(binary):
    with tempfile.TemporaryDirectory() as folder:
        cert, context = make_certificate(folder)
        receiver = Receiver(free_port(), tls=context)
        await receiver.start()
        url = f"https://127.0.0.1:{receiver.port}/tls"
        # Trusted: the certificate is the CA store (SSL_CERT_FILE, read by OpenSSL).
        async with Rrtc(binary, config(url), env={"SSL_CERT_FILE": cert}) as server:
            alice, _ = await join(server.port, "tls", "alice")
            await wait_until(lambda: len(receiver.requests) >= 2, "events over TLS")
            check(summary(receiver.delivered()) == LIFE[:2], summary(receiver.delivered()))
            check_signed(receiver.requests)
            await alice.close()
        # Not trusted: an empty CA store. Nothing reaches the receiver; failures are counted.
        empty = os.path.join(folder, "empty.pem")
        open(empty, "w").close()
        receiver.requests.clear()
        async with Rrtc(binary, config(url),
                        env={"SSL_CERT_FILE": empty, "SSL_CERT_DIR": folder}) as server:
            alice, _ = await join(server.port, "tls", "alice")

            async def failed():
                return (await current_metrics(server.port))["rrtc_webhook_attempts_failed_total"]

            deadline = time.monotonic() + DEADLINE
            while await failed() < 1:
                check(time.monotonic() < deadline, "untrusted certificate not counted as failure")
                await asyncio.sleep(0.05)
            check(receiver.requests == [], "a request went to an untrusted receiver")
            await alice.close()
        await receiver.stop()
    print("https: delivered with a trusted certificate, refused (and counted) without")


async def tracks(binary):
    """A python3-aiortc publisher: track_published for its audio and camera after its offer,
    track_unpublished for both before its participant_left when it goes."""
    from aiortc_room import Client  # aiortc only in this mode
    receiver = Receiver(free_port())
    await receiver.start()
    async with Rrtc(binary, config(f"http://127.0.0.1:{receiver.port}/")) as server:
        alice = Client("alice", server.port, "media")
        await alice.join()
        await alice.publish()
        published = lambda: [e for e in receiver.delivered() if e["event"] == "track_published"]
        await wait_until(lambda: len(published()) == 2, "track_published for audio and camera")
        await alice.close()
        await wait_until(lambda: receiver.delivered()[-1]["event"] == "room_finished", "the end")
        events = receiver.delivered()
    await receiver.stop()
    kinds = [e["event"] for e in events]
    check(kinds == ["room_started", "participant_joined", "track_published", "track_published",
                    "track_unpublished", "track_unpublished", "participant_left",
                    "room_finished"], kinds)
    check_signed(receiver.requests)
    tracks = {e["track"]["type"]: e["track"] for e in events[2:4]}
    check(set(tracks) == {"audio", "camera"}, tracks)
    check(tracks["audio"]["track_id"] == "alice-audio" and tracks["audio"]["codec"].lower() ==
          "opus", tracks)
    check(tracks["camera"]["track_id"] == "alice-camera" and tracks["camera"]["codec"], tracks)
    check({e["track"]["track_id"] for e in events[4:6]} == {"alice-audio", "alice-camera"}, events)
    check(all(e["participant"] == {"id": "alice", "name": "alice"} for e in events[1:7]), events)
    print(f"tracks: {', '.join(t['track_id'] + ' (' + t['codec'] + ')' for t in tracks.values())}"
          " published and unpublished in order")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rrtc", required=True)
    parser.add_argument("--aiortc", action="store_true",
                        help="only the track events, with a python3-aiortc publisher")
    arguments = parser.parse_args()
    binary = arguments.rrtc
    if arguments.aiortc:
        await tracks(binary)
        print("webhook track test passed")
        return
    await room_life(binary)
    await receiver_down_then_up(binary)
    await receiver_hangs(binary)
    await https(binary)
    print("webhook test passed")


if __name__ == "__main__":
    asyncio.run(main())
