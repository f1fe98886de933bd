"""Checklist rows S1, S3 and S4 of issue 15 and trusted_proxies, through the real rrtc binary.

While abusive clients hit the server from other loopback addresses, two well-behaved clients in
room "calm" (a separate process, so our own floods cannot delay them) exchange a state_update
every 50 ms each; they must see every message, and the longest gap between two arrivals is
printed. Deadlines are configured short (2 s) through environment variables, and the seconds
until each slow client is closed are printed ("[measured] ...") for the issue's note.

Only the standard library: the raw WebSocket client is in signaling_raw_client.py.

Usage: signaling_abuse_test.py --rrtc path/to/rrtc
"""
import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rrtc_server import check, metrics  # noqa: E402
from signaling_raw_client import Rrtc, Ws  # noqa: E402

DEADLINE_S = 2  # join_timeout and message_timeout of the server under test
MAX_ERRORS = 5
IDLE_SOCKETS = 2000


def measured(what, seconds):
    print(f"[measured] {what}: {seconds:.2f} s", flush=True)


# ---- the calm room, in its own process ----

async def chat(port):
    a = await Ws.connect(port)
    b = await Ws.connect(port)
    a.send_json({"type": "join", "room": "calm", "participant": "a"})
    check((await a.recv_json())["type"] == "joined", "a joined")
    b.send_json({"type": "join", "room": "calm", "participant": "b"})
    check((await b.recv_json())["type"] == "joined", "b joined")
    check((await a.recv_json())["type"] == "participant_joined", "a saw b")
    print("ready", flush=True)
    stop = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # EOF = stop
    sent = {"a": 0, "b": 0}
    arrivals = {"a": [], "b": []}

    async def talk(ws, me):
        muted = False
        while not stop.done():
            muted = not muted
            ws.send_json({"type": "state_update", "muted": muted})
            sent[me] += 1
            await asyncio.sleep(0.05)

    async def listen(ws, me):
        while True:
            frame = await ws.recv(timeout=30)
            if frame is None or frame[0] != 1:
                return
            if json.loads(frame[1])["type"] == "state_update":
                arrivals[me].append(time.monotonic())

    listeners = [asyncio.ensure_future(listen(a, "a")), asyncio.ensure_future(listen(b, "b"))]
    await asyncio.gather(talk(a, "a"), talk(b, "b"))
    deadline = time.monotonic() + 5
    while (len(arrivals["b"]) < sent["a"] or len(arrivals["a"]) < sent["b"]) and \
            time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for task in listeners:
        task.cancel()
    gaps = [y - x for times in arrivals.values() for x, y in zip(times, times[1:])]
    print(json.dumps({"sent_a": sent["a"], "received_b": len(arrivals["b"]),
                      "sent_b": sent["b"], "received_a": len(arrivals["a"]),
                      "max_gap_ms": round(max(gaps) * 1000, 1) if gaps else None}), flush=True)


# ---- the abuse ----

async def s1_bad_messages(port):
    ws = await Ws.connect(port, source="127.0.0.2")
    check(ws.status == 101, "upgrade")
    bad = [b"not json at all", b'{"type":"join","room":', b"[" * 1000 + b"]" * 1000,
           b'{"type":"join","room":42}', b'{"type":"join","room":"\\ud800"}']
    check(len(bad) == MAX_ERRORS, "one message per allowed error")
    for payload in bad:
        ws.send(payload)
        reply = await ws.recv_json()
        check(reply["type"] == "error" and reply["code"] == 400, f"{payload[:40]!r}: {reply}")
    ws.send_json({"type": "no_such_type"})  # error number MAX_ERRORS + 1: sent, then closed
    reply = await ws.recv_json()
    check(reply["code"] == 400, f"last error: {reply}")
    check(await ws.recv_close() == 1008, "closed with 1008 after the errors")
    # Invalid UTF-8 in a text frame: RFC 6455 section 8.1 says fail the connection (1007).
    ws = await Ws.connect(port, source="127.0.0.2")
    ws.send(b'{"type":"join","room":"\xff\xfe"}')
    check(await ws.recv_close() == 1007, "bad UTF-8 closes with 1007")
    print("S1: 5 malformed messages answered 400 with the connection kept; the 6th closed (1008);"
          " invalid UTF-8 in a text frame closed (1007)", flush=True)


async def s3_large_and_trickled(port):
    ws = await Ws.connect(port, source="127.0.0.2")
    ws.send(b"x" * 70000)
    reply = await ws.recv_json()
    check(reply["code"] == 413, f"413: {reply}")
    check(await ws.recv_close() == 1009, "closed with 1009 after 413")

    ws = await Ws.connect(port, source="127.0.0.2")  # joins first: its join deadline is over
    ws.send_json({"type": "join", "room": "trickle"})
    check((await ws.recv_json())["type"] == "joined", "trickler joined")
    payload = (b'{"type":"state_update","name":"' + b"x" * 60000)[:60000]
    frame = ws.frame(1, payload)
    header = len(frame) - len(payload)
    ws.writer.write(frame[:header])
    start = time.monotonic()
    sent = 0
    reply = None
    while time.monotonic() - start < 15:
        ws.writer.write(frame[header + sent:header + sent + 1])
        sent += 1
        try:
            got = await ws.recv(timeout=0.1)
        except asyncio.TimeoutError:
            continue
        reply = json.loads(got[1]) if got and got[0] == 1 else got
        break
    seconds = time.monotonic() - start
    measured("S3: 60 KB message trickled a byte per 100 ms closed after "
             f"(message_timeout {DEADLINE_S} s, {sent} bytes sent)", seconds)
    check(isinstance(reply, dict) and reply["code"] == 408, f"408: {reply}")
    check(await ws.recv_close() == 1008, "closed with 1008 after 408")
    check(DEADLINE_S - 0.2 < seconds < DEADLINE_S + 1.5, f"closed at the deadline ({seconds})")

    ws = await Ws.connect(port, source="127.0.0.2")
    start = time.monotonic()
    reply = await ws.recv_json(timeout=15)
    seconds = time.monotonic() - start
    measured(f"upgraded WebSocket that never joins closed after (join_timeout {DEADLINE_S} s)",
             seconds)
    check(reply["code"] == 408, f"join deadline: {reply}")
    check(await ws.recv_close() == 1008, "closed with 1008 after the join deadline")
    check(DEADLINE_S - 0.2 < seconds < DEADLINE_S + 1.5, f"join deadline ({seconds})")


async def s4_join_flood(port):
    start = time.monotonic()
    clients = await asyncio.gather(*[Ws.connect(port, source="127.0.0.3") for _ in range(100)])
    statuses = [c.status for c in clients]
    refused = [c for c in clients if c.status == 429]
    measured("S4: 100 simultaneous connections from one address, all answered within",
             time.monotonic() - start)
    check(statuses.count(101) == 32 and len(refused) == 68, f"32 admitted: {statuses}")
    check(all(json.loads(c.body)["code"] == 429 for c in refused), "429 bodies are error JSON")
    admitted = [c for c in clients if c.status == 101]
    for i, c in enumerate(admitted):
        c.send_json({"type": "join", "room": "flood", "participant": f"f{i}"})
    for c in admitted:
        check((await c.recv_json())["type"] == "joined", "admitted ones join")
    for c in admitted:
        c.close()


async def s4_idle_sockets(server, baseline):
    sources = [f"127.0.1.{i}" for i in range(1, 1 + IDLE_SOCKETS // 25)]
    start = time.monotonic()
    conns = []
    for k in range(IDLE_SOCKETS):
        conns.append(await asyncio.open_connection("127.0.0.1", server.port,
                                                   local_addr=(sources[k // 25], 0)))
    opened = time.monotonic()
    peak = server.fds()
    measured(f"S4: {IDLE_SOCKETS} idle sockets opened in", opened - start)

    async def lifetime(reader):
        data = await reader.read(1)
        return data, time.monotonic()

    results = await asyncio.wait_for(asyncio.gather(*[lifetime(r) for r, _ in conns]), 60)
    closed = [t for _, t in results]
    check(all(data == b"" for data, _ in results), "idle sockets are cut, not answered")
    measured(f"S4: last of {IDLE_SOCKETS} idle sockets closed, after the last was opened",
             max(closed) - opened)
    measured("S4: first idle socket closed after the first was opened", min(closed) - start)
    for _, w in conns:
        w.close()
    deadline = time.monotonic() + 15
    while server.fds() > baseline and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    print(f"S4: server fds baseline {baseline}, peak {peak}, after {server.fds()}", flush=True)
    check(peak >= baseline + IDLE_SOCKETS // 2, "the idle sockets were really held")
    check(server.fds() <= baseline, "fds back to baseline")


async def s4_slow_handshakes(port):
    async def slow(source, first):
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        writer.write(first)
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < 15:
            try:
                writer.write(f"X-Slow-{n}: 1\r\n".encode())
                n += 1
                data = await asyncio.wait_for(reader.read(1024), 0.1)
                return data, time.monotonic() - start
            except asyncio.TimeoutError:
                continue
            except ConnectionError:
                return b"", time.monotonic() - start
        return None, 15

    http, ws = await asyncio.gather(
        slow("127.0.0.4", b"GET /healthz HTTP/1.1\r\nHost: x\r\n"),
        slow("127.0.0.5", b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                          b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"))
    measured(f"S4: slow HTTP headers (a line per 100 ms) closed after (message_timeout "
             f"{DEADLINE_S} s)", http[1])
    measured("S4: slow WebSocket handshake closed after", ws[1])
    for data, seconds in (http, ws):
        check(data == b"", f"cut without an answer: {data!r}")
        check(DEADLINE_S - 0.2 < seconds < DEADLINE_S + 1.5, f"at the deadline ({seconds})")


async def abuse(server, baseline):
    await s1_bad_messages(server.port)
    await s3_large_and_trickled(server.port)
    await s4_join_flood(server.port)
    await s4_slow_handshakes(server.port)
    await s4_idle_sockets(server, baseline)


def run_abuse(binary):
    env = {"JOIN_TIMEOUT_SECONDS": str(DEADLINE_S), "MESSAGE_TIMEOUT_SECONDS": str(DEADLINE_S),
           "MAX_PROTOCOL_ERRORS": str(MAX_ERRORS), "MAX_CONNECTIONS": "5000"}
    with Rrtc(binary, env) as server:
        calm = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--chat",
                                 str(server.port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        check(calm.stdout.readline().strip() == "ready", "the calm room is up")
        baseline = server.fds()  # the calm room's two sessions included
        try:
            asyncio.run(abuse(server, baseline))
        finally:
            out, _ = calm.communicate("", timeout=60)
        result = json.loads(out.strip().splitlines()[-1])
        print(f"calm room during the abuse: {result}", flush=True)
        check(result["received_b"] == result["sent_a"] and
              result["received_a"] == result["sent_b"], "the calm room saw every message")
        check(result["max_gap_ms"] < 250, "no stall over 200 ms beyond the 50 ms send interval")
        m = metrics(server.port)
        expected = {
            'rrtc_signaling_connections_refused_total{reason="per_ip"}': 68,
            'rrtc_signaling_connections_closed_total{reason="protocol_errors"}': 1,
            'rrtc_signaling_connections_closed_total{reason="too_large"}': 1,
            'rrtc_signaling_connections_closed_total{reason="join_timeout"}': 1,
            'rrtc_signaling_connections_closed_total{reason="invalid_utf8"}': 1,
            'rrtc_signaling_connections_closed_total{reason="idle_timeout"}': IDLE_SOCKETS,
        }
        for series, value in expected.items():
            check(m.get(series) == value, f"{series} = {m.get(series)}, expected {value}")
        # message_timeout: the trickled message, the slow HTTP request, the slow handshake.
        series = 'rrtc_signaling_connections_closed_total{reason="message_timeout"}'
        check(m.get(series) == 3, f"{series} = {m.get(series)}")
        log = server.log()
        for phrase, most in (("refusing a connection from", 1),
                             ("no request within", 1 + 60 // 10)):
            lines = log.count(phrase)
            print(f"log lines with {phrase!r}: {lines}", flush=True)
            check(1 <= lines <= most, f"rate-limited log for {phrase!r}: {lines} lines")


async def hold(port, headers_list):
    clients = [await Ws.connect(port, headers=h) for h in headers_list]
    statuses = [c.status for c in clients]
    for c in clients:
        c.close()
    return statuses


def run_trusted_proxies(binary):
    with Rrtc(binary, {"TRUSTED_PROXIES": "127.0.0.1"}) as server:
        distinct = [f"X-Forwarded-For: 198.51.100.{i}\r\n" for i in range(40)]
        same = ["X-Forwarded-For: 203.0.113.7\r\n"] * 33
        statuses = asyncio.run(hold(server.port, distinct + same))
        check(statuses[:40] == [101] * 40, f"40 distinct clients behind the proxy: {statuses[:40]}")
        check(statuses[40:] == [101] * 32 + [429], f"the 33rd from one client: {statuses[40:]}")
        print("trusted_proxies=127.0.0.1: 40 distinct X-Forwarded-For admitted; the 33rd "
              "connection naming one client got 429", flush=True)
    with Rrtc(binary, {}) as server:
        distinct = [f"X-Forwarded-For: 198.51.100.{i}\r\n" for i in range(33)]
        statuses = asyncio.run(hold(server.port, distinct))
        check(statuses == [101] * 32 + [429], f"X-Forwarded-For ignored: {statuses}")
        print("no trusted_proxies: X-Forwarded-For ignored, the 33rd connection got 429",
              flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rrtc")
    parser.add_argument("--chat", type=int)
    args = parser.parse_args()
    if args.chat:
        asyncio.run(chat(args.chat))
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = IDLE_SOCKETS + 1000
    if hard != resource.RLIM_INFINITY and hard < want:
        print(f"skipped: RLIMIT_NOFILE hard limit {hard} < {want}")
        return 77
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))  # the server inherits it
    run_abuse(args.rrtc)
    run_trusted_proxies(args.rrtc)
    print("ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
