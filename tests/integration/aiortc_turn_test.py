#!/usr/bin/python3
"""aiortc (python3-aiortc 1.4.0) sends audio and video to the real rrtc binary through a real
coturn (started here on 127.0.0.1 with long-term credentials), in two ways:

  client-relay  aiortc is relay-only: it announces and uses only its relay candidate on coturn;
                rrtc has host candidates only.
  server-relay  rrtc is relay-only (`[turn]` with `ice_transport_policy = "relay"`: libnice's
                force-relay); aiortc has host candidates only.

Each case proves the relay carried the media: every candidate of the relay-only side is
`typ relay`, aiortc's nominated pair has a relay candidate on that side, coturn logged a
successful ALLOCATE and a permission (CREATE_PERMISSION, or CHANNEL_BIND, which installs one) for
that side's TURN user and, when the allocation ended, relayed at least as many bytes to or from
its peer as rrtc decrypted; and rrtc's /metrics show audio and video RTP decrypted.

Usage: aiortc_turn_test.py --rrtc <rrtc binary> [--turnserver <path>]
Exit status 77 (CTest: skipped) when no turnserver is installed (Debian package coturn)."""
import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

import aioice.ice
import aiortc.rtcicetransport
import websockets
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp

from rrtc_server import check, free_port, metrics, wait_healthy

# Every address is 127.0.0.1: aioice gathers on it only and asks no public STUN server.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


class RelayOnlyConnection(aioice.ice.Connection):
    """aioice 0.8.0's TransportPolicy.RELAY only leaves host candidates out of the SDP: its
    connectivity checks still go out of the host sockets too, and the controlling side then
    nominates a direct pair. Closing the host sockets once gathered leaves the relay alone."""

    def __init__(self, **kwargs):
        super().__init__(transport_policy=aioice.ice.TransportPolicy.RELAY, **kwargs)

    async def gather_candidates(self):
        await super().gather_candidates()
        for protocol in [p for p in self._protocols if p.local_candidate.type != "relay"]:
            self._protocols.remove(protocol)
            await protocol.close()
        # Each closed socket queued a "connection lost" marker that recv() would raise on; no
        # data can have arrived before the checks, so start from an empty queue.
        self._queue = asyncio.Queue()

SKIP = 77
DEADLINE = 30  # seconds, for each wait below
MEDIA_SECONDS = 3
REALM = "rrtc.test"
USERS = {"client": secrets.token_hex(8), "server": secrets.token_hex(8)}
AUDIO = "rrtc_media_rtp_packets_received_total{kind=\"audio\"}"
VIDEO = "rrtc_media_rtp_packets_received_total{kind=\"video\"}"


def free_udp_range(count):
    """`count` consecutive UDP ports, all free now, for coturn's relay allocations."""
    for _ in range(100):
        base = 20000 + secrets.randbelow(40000 - count)
        sockets = []
        try:
            for port in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base, base + count - 1
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise AssertionError("no free UDP port range")


def stun_binding_answered(port):
    """True when a STUN Binding request (RFC 5389 section 6) to 127.0.0.1:port gets a success."""
    transaction = secrets.token_bytes(12)
    request = struct.pack("!HHI", 0x0001, 0, 0x2112A442) + transaction
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        s.sendto(request, ("127.0.0.1", port))
        try:
            reply, _ = s.recvfrom(2048)
        except OSError:
            return False
    return len(reply) >= 20 and reply[0:2] == b"\x01\x01" and reply[8:20] == transaction


def start_coturn(turnserver, tmp, auth=None):
    """coturn on 127.0.0.1 with `auth` (its authentication options; default: long-term
    credentials for USERS); returns (process, port, log path) once it answers STUN."""
    if auth is None:
        auth = ["--lt-cred-mech"] + [f"--user={user}:{password}" for user, password in USERS.items()]
    port = free_port()
    relay_min, relay_max = free_udp_range(64)
    log = os.path.join(tmp, "turnserver.log")
    args = [turnserver, "-n",  # no configuration file
            "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
            f"--listening-port={port}", f"--min-port={relay_min}", f"--max-port={relay_max}",
            *auth, f"--realm={REALM}", "--fingerprint",
            "--no-tls", "--no-dtls", "--no-cli", "--no-multicast-peers",
            "--allow-loopback-peers",  # rrtc and aiortc are both on 127.0.0.1
            f"--userdb={os.path.join(tmp, 'turndb')}",
            f"--pidfile={os.path.join(tmp, 'turnserver.pid')}",
            f"--log-file={log}", "--simple-log",
            "-V"]  # session lines (requests, usage) are logged at this level only
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + DEADLINE
    while not stun_binding_answered(port):
        check(process.poll() is None, f"turnserver exited: {read(log)[-2000:]}")
        check(time.monotonic() < deadline, "turnserver did not answer STUN")
    return process, port, log


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def coturn_sessions(log_text, user):
    """coturn's log, per TURN session (allocation) of `user`: the requests it answered with
    success, and the traffic with the allocation's peers it reports when the session ends
    (packets and bytes received from them, sent to them)."""
    sessions = {}
    for line in log_text.splitlines():
        match = re.search(r"session (\d+): realm <[^>]*> user <([^>]*)>: incoming packet "
                          r"(\w+) processed, success", line)
        if match and match.group(2) == user:
            sessions.setdefault(match.group(1), {"ok": set(), "peer": None})["ok"].add(
                match.group(3))
        match = re.search(r"session (\d+): peer usage: realm=<[^>]*>, username=<([^>]*)>, "
                          r"rp=(\d+), rb=(\d+), sp=(\d+), sb=(\d+)", line)
        if match and match.group(2) == user:
            session = sessions.setdefault(match.group(1), {"ok": set(), "peer": None})
            session["peer"] = {k: int(match.group(i)) for i, k in
                               enumerate(("rp", "rb", "sp", "sb"), start=3)}
    return sessions


def candidate_type(line):
    fields = line.split()
    return fields[fields.index("typ") + 1]


def nominated_pair(pc):
    """aioice's nominated pair for the BUNDLE transport (component 1)."""
    ice = pc.getTransceivers()[0].sender.transport.transport
    return ice._connection._nominated.get(1)


async def recv(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=DEADLINE))


async def offer_and_send(port, ws, pc, server_candidates, media_seconds=None):
    """On a joined `ws`: offers, trickles until connected, then waits until audio and video RTP
    have shown up in /metrics for `media_seconds` (MEDIA_SECONDS); returns (seconds to connect,
    the metrics). Appends the server's trickled candidate lines to `server_candidates`."""
    media_seconds = MEDIA_SECONDS if media_seconds is None else media_seconds
    await pc.setLocalDescription(await pc.createOffer())
    tracks = [{"mid": t.mid, "type": "audio" if t.kind == "audio" else "camera"}
              for t in pc.getTransceivers()]
    await ws.send(json.dumps({"type": "offer", "sdp": pc.localDescription.sdp, "tracks": tracks}))
    started = time.monotonic()
    answered = False
    while pc.connectionState != "connected":
        check(time.monotonic() < started + DEADLINE, f"not connected: {pc.connectionState}")
        check(pc.connectionState != "failed", "aiortc: connection failed")
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=0.2))
        except asyncio.TimeoutError:
            continue
        check(message["type"] in ("answer", "candidate"), message)
        if message["type"] == "answer":
            check(not answered, "two answers")
            answered = True
            await pc.setRemoteDescription(RTCSessionDescription(message["sdp"], "answer"))
        elif message["candidate"]:
            check(answered, "candidate before the answer")
            line = message["candidate"]
            server_candidates.append(line)
            candidate = candidate_from_sdp(line.split(":", 1)[1])
            candidate.sdpMid = message["sdpMid"]
            candidate.sdpMLineIndex = message["sdpMLineIndex"]
            await pc.addIceCandidate(candidate)
    connect_seconds = time.monotonic() - started

    media_started = time.monotonic()
    while True:
        await asyncio.sleep(0.25)
        values = await asyncio.get_running_loop().run_in_executor(None, metrics, port)
        elapsed = time.monotonic() - media_started
        if values.get(AUDIO, 0) > 0 and values.get(VIDEO, 0) > 0 and elapsed > media_seconds:
            return connect_seconds, values
        check(elapsed < DEADLINE, f"no RTP decrypted: {values}")


async def send_media(port, pc, server_candidates):
    """Joins, then offer_and_send(); leaves."""
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
        await ws.send(json.dumps({"type": "join", "room": "turn", "name": "aiortc"}))
        joined = await recv(ws)
        check(joined["type"] == "joined", joined)
        connect_seconds, values = await offer_and_send(port, ws, pc, server_candidates)
        await ws.send(json.dumps({"type": "leave"}))
    return connect_seconds, values


def check_metrics(values):
    check(values["rrtc_media_peers_connected_total"] >= 1, values)
    check(values["rrtc_media_srtp_decrypt_failures_total"] == 0, values)
    check(values[VIDEO] > 0 and values["rrtc_media_rtp_bytes_received_total{kind=\"video\"}"] > 0,
          values)
    check(values[AUDIO] >= 25 * MEDIA_SECONDS, values)  # 20 ms frames: about 50 per second


def start_rrtc(binary, tmp, name, extra):
    port = free_port()
    config = os.path.join(tmp, f"{name}.toml")
    with open(config, "w") as f:
        f.write(f'signaling_port = {port}\nlisten_address = "127.0.0.1"\n'
                f'interfaces = ["127.0.0.1"]\nworkers = 1\n{extra}')
    server = subprocess.Popen([binary, "--config", config], stdin=subprocess.PIPE, text=True)
    wait_healthy(port, server)
    return server, port


def stop(process, what):
    process.terminate()
    try:
        code = process.wait(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"{what} did not stop")
    return code


async def run_case(port, pc, relay_side):
    """Runs one connection and checks the relay from aiortc's side; returns what it measured."""
    server_candidates = []
    try:
        pc.addTrack(AudioStreamTrack())
        pc.addTrack(VideoStreamTrack())
        connect_seconds, values = await send_media(port, pc, server_candidates)
        client_candidates = [line[2:] for line in pc.localDescription.sdp.splitlines()
                             if line.startswith("a=candidate:")]
        pair = nominated_pair(pc)
        check(pair is not None, "aiortc nominated no pair")
        types = (pair.local_candidate.type, pair.remote_candidate.type)
    finally:
        await pc.close()
    relayed = client_candidates if relay_side == "client" else server_candidates
    check(relayed and all(candidate_type(c) == "relay" for c in relayed),
          f"{relay_side} candidates not all relay: {relayed}")
    check(types[0 if relay_side == "client" else 1] == "relay", f"nominated pair {types}")
    return {"connect_seconds": round(connect_seconds, 2), "pair": types,
            "client_candidates": [candidate_type(c) for c in client_candidates],
            "server_candidates": sorted({candidate_type(c) for c in server_candidates}),
            "metrics": {k: v for k, v in values.items() if k.startswith("rrtc_media_")}}, values


def check_coturn(log, user, media_bytes):
    """coturn relayed for `user`: an allocation with a permission and, the allocation having
    ended, at least the RTP bytes rrtc decrypted exchanged with its peer. Returns what the log
    says of that allocation."""
    deadline = time.monotonic() + DEADLINE
    while True:
        sessions = coturn_sessions(read(log), user)
        done = [s for s in sessions.values()
                if "ALLOCATE" in s["ok"] and s["ok"] & {"CREATE_PERMISSION", "CHANNEL_BIND"}
                and s["peer"] is not None]
        if done:
            break
        check(time.monotonic() < deadline, f"coturn log for {user}: {sessions}")
        time.sleep(0.2)
    session = max(done, key=lambda s: s["peer"]["rb"] + s["peer"]["sb"])
    # aiortc's allocation sent its SRTP to the peer (rrtc); rrtc's received it from the peer
    # (aiortc). SRTP and channel framing only add bytes to the RTP rrtc counted.
    relayed = session["peer"]["sb"] if user == "client" else session["peer"]["rb"]
    check(relayed >= media_bytes,
          f"coturn relayed {session['peer']} for {user}, rrtc decrypted {media_bytes} bytes")
    return {"requests": sorted(session["ok"]), "peer": session["peer"]}


def case_client_relay(binary, tmp, turn_port, log):
    server, port = start_rrtc(binary, tmp, "client-relay", "")
    # aiortc creates its ICE connections when the offer is made.
    original = aiortc.rtcicetransport.Connection
    aiortc.rtcicetransport.Connection = RelayOnlyConnection
    try:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[RTCIceServer(
            urls=f"turn:127.0.0.1:{turn_port}?transport=udp",
            username="client", credential=USERS["client"])]))
        result, values = asyncio.run(run_case(port, pc, "client"))
    finally:
        aiortc.rtcicetransport.Connection = original
        check(stop(server, "rrtc") == 0, "rrtc did not stop cleanly")
    # aiortc's TURN session ends with pc.close(): coturn then logs its usage.
    media = values["rrtc_media_rtp_bytes_received_total{kind=\"audio\"}"] + \
        values["rrtc_media_rtp_bytes_received_total{kind=\"video\"}"]
    result["coturn"] = check_coturn(log, "client", media)
    return result


def case_server_relay(binary, tmp, turn_port, log):
    extra = (f'\n[turn]\nurl = "turn:127.0.0.1:{turn_port}?transport=udp"\n'
             f'username = "server"\ncredential = "{USERS["server"]}"\n'
             'ice_transport_policy = "relay"\n')
    server, port = start_rrtc(binary, tmp, "server-relay", extra)
    try:
        result, values = asyncio.run(run_case(port, RTCPeerConnection(RTCConfiguration(
            iceServers=[])), "server"))
    finally:
        # rrtc frees its TURN allocation when the peer closes; stopping it ends the session.
        check(stop(server, "rrtc") == 0, "rrtc did not stop cleanly")
    media = values["rrtc_media_rtp_bytes_received_total{kind=\"audio\"}"] + \
        values["rrtc_media_rtp_bytes_received_total{kind=\"video\"}"]
    result["coturn"] = check_coturn(log, "server", media)
    return result


def run_cases(script, cases, auth=None):
    """The main of a TURN test: parses `--rrtc <binary> [--turnserver <path>]`, starts coturn
    with `auth` (start_coturn), runs each (name, case) in order, printing its result, and stops
    coturn. Exit status 77 (CTest: skipped) without a turnserver."""
    args = sys.argv[1:]
    check(len(args) in (2, 4) and args[0] == "--rrtc" and (len(args) == 2 or
                                                           args[2] == "--turnserver"),
          f"usage: {script} --rrtc <rrtc binary> [--turnserver <path>]")
    binary = args[1]
    turnserver = args[3] if len(args) == 4 else (shutil.which("turnserver") or
                                                 "/usr/bin/turnserver")
    if not turnserver or not os.access(turnserver, os.X_OK):
        print("SKIP: turnserver not found (Debian package coturn)")
        sys.exit(SKIP)
    with tempfile.TemporaryDirectory() as tmp:
        coturn, turn_port, log = start_coturn(turnserver, tmp, auth)
        try:
            started = time.monotonic()
            for name, case in cases:
                case_started = time.monotonic()
                result = case(binary, tmp, turn_port, log)
                result["seconds"] = round(time.monotonic() - case_started, 2)
                print(name, json.dumps(result), flush=True)
            print(f"{len(cases)} cases in {time.monotonic() - started:.1f} s")
        except BaseException:
            print(read(log)[-6000:], file=sys.stderr)
            raise
        finally:
            stop(coturn, "turnserver")


if __name__ == "__main__":
    run_cases("aiortc_turn_test.py",
              (("client-relay", case_client_relay), ("server-relay", case_server_relay)))
    print("aiortc TURN test passed")
