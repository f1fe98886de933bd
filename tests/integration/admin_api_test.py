#!/usr/bin/python3
"""The admin API (docs/admin-api.md) of the real rrtc binary over real HTTP, with real WebSocket
clients (python3-websockets) in the rooms: every endpoint; a missing, forged, wrong-issuer or
expired token (401); the API off (404); an unknown room or participant (404); removal, mute and
closing seen by the participants; a token minted by the API admits a join; `rrtc token` makes a
join token and an admin token that work, and exits 2 without the secret.
Usage: admin_api_test.py --rrtc <binary>"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rrtc_server import Server, check, metrics  # noqa: E402

API_KEY = "APIk3y"
API_SECRET = "admin-api-secret-for-the-test"
JOIN_SECRET = "join-secret-for-the-test"
CONFIG = (f'api_key = "{API_KEY}"\napi_secret = "{API_SECRET}"\n'
          f'join_secret = "{JOIN_SECRET}"\n')


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(payload, secret):
    """An HS256 JWT made here, independently of rrtc's code."""
    signing_input = (b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." +
                     b64url(json.dumps(payload).encode()))
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def admin_token(iss=API_KEY, secret=API_SECRET, ttl=600):
    return hs256({"iss": iss, "exp": int(time.time()) + ttl}, secret)


def join_token(room, sub, ttl=600):
    return hs256({"room": room, "sub": sub, "exp": int(time.time()) + ttl}, JOIN_SECRET)


def http(port, method, path, token=None, body=None):
    """(status, headers, parsed JSON or text) of one request."""
    headers = {}
    data = None
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data,
                                     headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            status, head, raw = reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as error:
        status, head, raw = error.code, error.headers, error.read()
    text = raw.decode()
    if head.get("Content-Type") == "application/json":
        return status, head, json.loads(text)
    return status, head, text


async def api(port, method, path, token="default", body=None):
    if token == "default":
        token = admin_token()
    return await asyncio.get_running_loop().run_in_executor(
        None, http, port, method, path, token, body)


async def recv(ws, wanted):
    """The next message of type `wanted`, skipping others; fails after 10 s."""
    deadline = time.monotonic() + 10
    while True:
        remaining = deadline - time.monotonic()
        check(remaining > 0, f"no {wanted} within 10 s")
        message = json.loads(await asyncio.wait_for(ws.recv(), remaining))
        if message["type"] == wanted:
            return message


async def join(port, room, participant):
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws")
    await ws.send(json.dumps({"type": "join", "room": room, "participant": participant,
                              "token": join_token(room, participant)}))
    joined = await recv(ws, "joined")
    check(joined["your_id"] == participant, joined)
    return ws


async def closed_with(ws, code):
    try:
        await asyncio.wait_for(ws.wait_closed(), 10)
    except asyncio.TimeoutError:
        raise AssertionError("server did not close the WebSocket")
    check(ws.close_code == code, f"close code {ws.close_code}, expected {code}")


def expect_error(reply, status, message):
    got_status, head, body = reply
    check(got_status == status, f"status {got_status}, expected {status}: {body}")
    check(head.get("Content-Type") == "application/json", head.get("Content-Type"))
    check(body == {"error": {"code": status, "message": message}}, body)
    return head


async def authentication(port):
    cases = [
        (None, "an 'Authorization: Bearer <token>' header is required"),
        (admin_token(secret="forged"), "API token signature is invalid"),
        (admin_token(iss="someone-else"), "API token was issued for another API key"),
        (admin_token(ttl=-10), "API token has expired"),
        (join_token("r", "a"), "API token signature is invalid"),
    ]
    for token, message in cases:
        head = expect_error(await api(port, "GET", "/api/rooms", token), 401, message)
        check(head.get("WWW-Authenticate", "").startswith('Bearer realm="rrtc"'), head)
    print(f"401 for {len(cases)} bad tokens")


async def endpoints(port):
    a = await join(port, "main", "alice")
    b = await join(port, "main", "bob")
    c = await join(port, "main", "carol")
    await recv(a, "participant_joined")

    status, _, rooms = await api(port, "GET", "/api/rooms")
    check(status == 200 and [(r["name"], r["participants"]) for r in rooms["rooms"]]
          == [("main", 3)], rooms)
    check(abs(rooms["rooms"][0]["created_at"] - time.time()) < 30, rooms)
    status, _, room = await api(port, "GET", "/api/rooms/main")
    check(status == 200 and room["name"] == "main", room)
    check([p["id"] for p in room["participants"]] == ["alice", "bob", "carol"], room)
    check(room["participants"][1]["state"] == {"muted": False, "video_on": True,
                                               "screen_sharing": False}, room)
    check(all(p["tracks"] == [] for p in room["participants"]), room)
    expect_error(await api(port, "GET", "/api/rooms/nowhere"), 404, "no such room")
    expect_error(await api(port, "DELETE", "/api/rooms/nowhere"), 404, "no such room")
    expect_error(await api(port, "DELETE", "/api/rooms/main/participants/zed"), 404,
                 "no such participant in this room")
    expect_error(await api(port, "POST", "/api/rooms/main/participants/zed/mute",
                           body={"type": "audio"}), 404, "no such participant in this room")
    head = expect_error(await api(port, "PATCH", "/api/rooms/main"), 405,
                        "method not allowed on this path")
    check(head.get("Allow") == "GET, DELETE", head)

    # Mute from the server: everyone, bob included, gets the state_update.
    status, _, muted = await api(port, "POST", "/api/rooms/main/participants/bob/mute",
                                 body={"track_id": "bob-audio"})
    check(status == 200 and muted["state"]["muted"] is True, muted)
    for ws in (a, b, c):
        update = await recv(ws, "state_update")
        check(update == {"type": "state_update", "participant_id": "bob", "muted": True,
                         "video_on": True, "screen_sharing": False}, update)
    status, _, room = await api(port, "GET", "/api/rooms/main")
    check(room["participants"][1]["state"]["muted"] is True, room)
    # bob may unmute himself.
    await b.send(json.dumps({"type": "state_update", "muted": False}))
    check((await recv(a, "state_update"))["muted"] is False, "unmute not seen")

    # Removal: carol is told and closed (1008); the others see her leave.
    status, _, removed = await api(port, "DELETE", "/api/rooms/main/participants/carol")
    check(status == 200 and removed["removed"] is True, removed)
    error = await recv(c, "error")
    check(error == {"type": "error", "code": 403, "message": "removed by the server"}, error)
    await closed_with(c, 1008)
    for ws in (a, b):
        left = await recv(ws, "participant_left")
        check(left == {"type": "participant_left", "participant_id": "carol"}, left)

    # Closing the room: both remaining are told and closed; the room is gone.
    status, _, closed = await api(port, "DELETE", "/api/rooms/main")
    check(status == 200 and closed == {"room": "main", "closed": True, "participants": 2}, closed)
    for ws in (a, b):
        error = await recv(ws, "error")
        check(error["code"] == 403 and error["message"] == "room closed by the server", error)
        await closed_with(ws, 1008)
    status, _, rooms = await api(port, "GET", "/api/rooms")
    check(rooms == {"rooms": []}, rooms)
    print("list, show, mute, remove, close: seen by the participants")


async def minted_tokens(port):
    status, _, minted = await api(port, "POST", "/api/tokens",
                                  body={"room": "minted", "identity": "dave", "ttl_seconds": 300})
    check(status == 200 and abs(minted["expires_at"] - (time.time() + 300)) < 10, minted)
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws")
    await ws.send(json.dumps({"type": "join", "room": "minted", "token": minted["token"]}))
    joined = await recv(ws, "joined")
    check(joined["your_id"] == "dave" and joined["room"] == "minted", joined)
    await ws.close()
    expect_error(await api(port, "POST", "/api/tokens", body={"identity": "x"}), 400,
                 "'room' is required")
    print("a token minted by the API admits its join")


def rrtc_token(binary, config, *args):
    tmp = os.path.dirname(config)  # no stray .env from the caller's directory
    return subprocess.run([binary, "token", *args, "--config", config], cwd=tmp,
                          capture_output=True, text=True, timeout=30)


async def cli_tokens(binary, server):
    config = os.path.join(server.tmp.name, "rrtc.toml")
    api_run = rrtc_token(binary, config, "--api", "--ttl", "10m")
    check(api_run.returncode == 0, api_run.stderr)
    status, _, rooms = await api(server.port, "GET", "/api/rooms", api_run.stdout.strip())
    check(status == 200, rooms)
    join_run = rrtc_token(binary, config, "--room", "cli", "--identity", "erin", "--ttl", "1h")
    check(join_run.returncode == 0, join_run.stderr)
    ws = await websockets.connect(f"ws://127.0.0.1:{server.port}/ws")
    await ws.send(json.dumps({"type": "join", "room": "cli", "token": join_run.stdout.strip()}))
    check((await recv(ws, "joined"))["your_id"] == "erin", "CLI join token refused")
    await ws.close()
    print("rrtc token: the admin token and the join token work")


def cli_without_secrets(binary, server):
    config = os.path.join(server.tmp.name, "rrtc.toml")
    for args, text in ((["--room", "r"], "join_secret is not set"),
                       (["--api"], "the admin API is off")):
        run = rrtc_token(binary, config, *args)
        check(run.returncode == 2 and run.stdout == "" and text in run.stderr,
              (run.returncode, run.stdout, run.stderr))


async def main(binary):
    with Server(binary, extra_config=CONFIG) as server:
        await authentication(server.port)
        await endpoints(server.port)
        await minted_tokens(server.port)
        await cli_tokens(binary, server)
        counts = metrics(server.port)
        # Every request above, by its status.
        for status, count in (("200", 9), ("401", 5), ("404", 4), ("405", 1), ("400", 1),
                              ("504", 0)):
            value = counts.get(f'rrtc_admin_requests_total{{status="{status}"}}', -1)
            check(value == count, f"rrtc_admin_requests_total{{status={status}}} = {value}")
    with Server(binary) as off:
        status, _, body = await api(off.port, "GET", "/api/rooms")
        check(status == 404 and body == "not found\n", (status, body))
        cli_without_secrets(binary, off)
    print("API off: 404; rrtc token without secrets: exit 2")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rrtc", required=True)
    asyncio.run(main(os.path.abspath(parser.parse_args().rrtc)))
    print("ok")
