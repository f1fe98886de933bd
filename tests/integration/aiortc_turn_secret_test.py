#!/usr/bin/python3
"""Ephemeral TURN credentials (issue 16) through a real coturn started on 127.0.0.1 with
`use-auth-secret` / `static-auth-secret` (the TURN REST API scheme), and the real rrtc binary
configured with the same `turn_secret`:

  joined-credentials  rrtc's `ice_servers` entry for that coturn has no username; each `joined`
                      carries username "<expiry>:<participant>" (expiry = now + TTL) and a
                      credential. aiortc (relay-only, as in aiortc_turn_test.py) uses exactly
                      those, and its audio and video reach rrtc through coturn.
  server-relay        rrtc's own `[turn]` relay without username or credential: rrtc mints
                      "<expiry>:rrtc" per Peer from turn_secret, relay-only; aiortc is host-only.
  wrong-secret        rrtc holds a different secret than coturn: coturn answers the client's
                      ALLOCATE with 401 and the client gathers no relay candidate.

Relaying is proven as aiortc_turn_test.py does: the relay-only side announced only `typ relay`
candidates, the nominated pair has a relay candidate on that side, coturn logged a successful
ALLOCATE and a permission for that exact TURN user and, when the allocation ended, relayed at least
the RTP bytes rrtc decrypted; and rrtc's /metrics show audio and video RTP decrypted.

Usage: aiortc_turn_secret_test.py --rrtc <rrtc binary> [--turnserver <path>]
Exit status 77 (CTest: skipped) when no turnserver is installed (Debian package coturn)."""
import asyncio
import json
import re
import secrets
import time

import aioice.ice
import aioice.stun
import aiortc.rtcicetransport
import websockets
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack

# The helpers of the long-term-credential TURN test (importing it also limits aioice to
# 127.0.0.1).
from aiortc_turn_test import (AUDIO, RelayOnlyConnection, candidate_type, check_coturn,
                              coturn_sessions, nominated_pair, offer_and_send, read, run_case,
                              run_cases, start_rrtc, stop)
from rrtc_server import check

DEADLINE = 30  # seconds, for each wait below
MEDIA_SECONDS = 2
TTL = 600  # turn_credential_ttl_seconds given to rrtc
SECRET = secrets.token_hex(24)
AUDIO_BYTES = "rrtc_media_rtp_bytes_received_total{kind=\"audio\"}"
VIDEO_BYTES = "rrtc_media_rtp_bytes_received_total{kind=\"video\"}"


def turn_url(turn_port):
    return f"turn:127.0.0.1:{turn_port}?transport=udp"


def secret_config(turn_port, secret):
    """rrtc's keys: the secret, the TTL, and a client TURN entry without username."""
    return (f'turn_secret = "{secret}"\nturn_credential_ttl_seconds = {TTL}\n'
            f'\n[[ice_servers]]\nurls = ["{turn_url(turn_port)}"]\n')


async def recv(ws, timeout=DEADLINE):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=timeout))


async def join(ws, room, turn_port):
    """Joins and returns (participant id, the TURN entry of joined.ice_servers), checking the
    credential's format: "<expiry>:<participant>" with expiry = now + TTL."""
    await ws.send(json.dumps({"type": "join", "room": room, "name": "aiortc"}))
    joined = await recv(ws)
    now = time.time()
    check(joined["type"] == "joined", joined)
    servers = joined["ice_servers"]
    check(len(servers) == 1, servers)
    entry = servers[0]
    me = joined["your_id"]
    match = re.fullmatch(r"(\d+):(.+)", entry.get("username", ""))
    check(match is not None and match.group(2) == me, f"username {entry} for {me}")
    check(abs(int(match.group(1)) - (now + TTL)) <= 5, f"expiry {match.group(1)}, now {now}")
    check(len(entry.get("credential", "")) == 28, entry)  # base64 of 20 bytes of HMAC-SHA1
    check(entry["urls"] == [turn_url(turn_port)], entry)
    return me, entry


async def joined_credentials_call(port, turn_port):
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
        me, entry = await join(ws, "turn-secret", turn_port)
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[RTCIceServer(
            urls=entry["urls"][0], username=entry["username"], credential=entry["credential"])]))
        server_candidates = []
        try:
            pc.addTrack(AudioStreamTrack())
            pc.addTrack(VideoStreamTrack())
            connect_seconds, values = await offer_and_send(port, ws, pc, server_candidates,
                                                           MEDIA_SECONDS)
            client_candidates = [line[2:] for line in pc.localDescription.sdp.splitlines()
                                 if line.startswith("a=candidate:")]
            pair = nominated_pair(pc)
            check(pair is not None, "aiortc nominated no pair")
            types = (pair.local_candidate.type, pair.remote_candidate.type)
            await ws.send(json.dumps({"type": "leave"}))
        finally:
            await pc.close()
    check(client_candidates and all(candidate_type(c) == "relay" for c in client_candidates),
          f"client candidates not all relay: {client_candidates}")
    check(types[0] == "relay", f"nominated pair {types}")
    return entry["username"], values, {"connect_seconds": round(connect_seconds, 2),
                                       "pair": types, "participant": me}


def client_relayed(log, user, media_bytes):
    """coturn relayed for the client's `user`: an allocation with a permission that, once ended,
    sent at least the RTP bytes rrtc decrypted to its peer (rrtc)."""
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
    session = max(done, key=lambda s: s["peer"]["sb"])
    check(session["peer"]["sb"] >= media_bytes,
          f"coturn relayed {session['peer']} for {user}, rrtc decrypted {media_bytes} bytes")
    return {"requests": sorted(session["ok"]), "peer": session["peer"]}


def case_joined_credentials(binary, tmp, turn_port, log):
    server, port = start_rrtc(binary, tmp, "joined-credentials", secret_config(turn_port, SECRET))
    original = aiortc.rtcicetransport.Connection
    aiortc.rtcicetransport.Connection = RelayOnlyConnection
    try:
        user, values, result = asyncio.run(joined_credentials_call(port, turn_port))
    finally:
        aiortc.rtcicetransport.Connection = original
        check(stop(server, "rrtc") == 0, "rrtc did not stop cleanly")
    check(values[AUDIO] >= 25 * MEDIA_SECONDS, values)  # 20 ms frames: about 50 per second
    check(values["rrtc_media_srtp_decrypt_failures_total"] == 0, values)
    result["coturn"] = client_relayed(log, user, values[AUDIO_BYTES] + values[VIDEO_BYTES])
    return result


def server_users(log_text):
    """The TURN users rrtc minted for itself ("<expiry>:rrtc") that coturn accepted."""
    return sorted(set(re.findall(r"user <(\d+:rrtc)>: incoming packet ALLOCATE processed, "
                                 r"success", log_text)))


def case_server_relay(binary, tmp, turn_port, log):
    extra = (f'turn_secret = "{SECRET}"\nturn_credential_ttl_seconds = {TTL}\n'
             f'\n[turn]\nurl = "{turn_url(turn_port)}"\nice_transport_policy = "relay"\n')
    before = time.time()
    server, port = start_rrtc(binary, tmp, "server-relay", extra)
    try:
        result, values = asyncio.run(run_case(port, RTCPeerConnection(RTCConfiguration(
            iceServers=[])), "server"))
    finally:
        check(stop(server, "rrtc") == 0, "rrtc did not stop cleanly")
    users = server_users(read(log))
    check(len(users) >= 1, f"no ALLOCATE by an <expiry>:rrtc user: {read(log)[-3000:]}")
    expiry = int(users[-1].split(":")[0])
    check(before + TTL - 5 <= expiry <= time.time() + TTL + 5, f"server user {users}")
    result["coturn"] = check_coturn(log, users[-1], values[AUDIO_BYTES] + values[VIDEO_BYTES])
    result["turn_user"] = users[-1]
    del result["metrics"]
    return result


async def wrong_secret_gather(port, turn_port):
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
        _, entry = await join(ws, "wrong-secret", turn_port)
        connection = aioice.ice.Connection(
            ice_controlling=True, turn_server=("127.0.0.1", turn_port),
            turn_username=entry["username"], turn_password=entry["credential"],
            transport_policy=aioice.ice.TransportPolicy.RELAY)
        refused = None
        try:
            await asyncio.wait_for(connection.gather_candidates(), timeout=DEADLINE)
        except aioice.stun.TransactionFailed as e:
            refused = e.response.attributes.get("ERROR-CODE")
        finally:
            # Read before close(), which forgets the local candidates.
            relays = [c for c in connection.local_candidates if c.type == "relay"]
            await connection.close()
        await ws.send(json.dumps({"type": "leave"}))
    check(refused is not None and refused[0] == 401, f"coturn answered {refused}")
    check(not relays, f"relay candidates with a wrong secret: {relays}")
    return entry["username"], refused


def case_wrong_secret(binary, tmp, turn_port, log):
    server, port = start_rrtc(binary, tmp, "wrong-secret",
                              secret_config(turn_port, secrets.token_hex(24)))
    try:
        user, refused = asyncio.run(wrong_secret_gather(port, turn_port))
    finally:
        check(stop(server, "rrtc") == 0, "rrtc did not stop cleanly")
    text = read(log)
    check(not coturn_sessions(text, user), f"coturn accepted {user}")
    check(re.search(rf"user <{re.escape(user)}>: incoming packet \w+ processed, error 401", text),
          f"coturn logged no 401 for {user}")
    return {"user": user, "error": list(refused)}


if __name__ == "__main__":
    run_cases("aiortc_turn_secret_test.py",
              (("joined-credentials", case_joined_credentials),
               ("server-relay", case_server_relay),
               ("wrong-secret", case_wrong_secret)),
              auth=["--use-auth-secret", f"--static-auth-secret={SECRET}"])
    print("aiortc TURN secret test passed")
