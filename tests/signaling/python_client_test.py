#!/usr/bin/python3
"""Drives the signaling server with an independent WebSocket client (python3-websockets), checking
the exact field sets of PROTOCOL.md's messages. Usage: python_client_test.py <signaling_test_server>"""
import asyncio
import json
import subprocess
import sys
import urllib.request

import websockets


def check(condition, what):
    if not condition:
        raise AssertionError(what)


async def recv(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=10))


async def scenario(port):
    base = f"ws://127.0.0.1:{port}"
    async with websockets.connect(base) as a, websockets.connect(base + "/ws") as b:
        await a.send(json.dumps({"type": "join", "room": "py", "name": "Ann"}))
        joined = await recv(a)
        check(set(joined) == {"type", "your_id", "room", "participants", "ice_servers"}, joined)
        check(joined["type"] == "joined" and joined["room"] == "py" and joined["participants"] == [], joined)
        check(len(joined["your_id"]) == 32 and int(joined["your_id"], 16) >= 0, joined)
        a_id = joined["your_id"]

        await b.send(json.dumps({"type": "join", "room": "py", "participant": "bob", "name": "Bob"}))
        joined_b = await recv(b)
        check(joined_b["your_id"] == "bob", joined_b)
        (other,) = joined_b["participants"]
        check(other == {"id": a_id, "name": "Ann", "muted": False, "video_on": True,
                        "screen_sharing": False}, other)
        pj = await recv(a)
        check(pj == {"type": "participant_joined", "id": "bob", "name": "Bob", "muted": False,
                     "video_on": True, "screen_sharing": False}, pj)

        await a.send(json.dumps({"type": "state_update", "muted": True}))
        su = await recv(b)
        check(su == {"type": "state_update", "participant_id": a_id, "muted": True, "video_on": True,
                     "screen_sharing": False}, su)
        await b.send(json.dumps({"type": "start_screen_share"}))
        su = await recv(a)
        check(su["participant_id"] == "bob" and su["screen_sharing"] is True, su)

        await b.send("{oops")
        err = await recv(b)
        check(set(err) == {"type", "code", "message"} and err["code"] == 400, err)
        await b.send(json.dumps({"type": "offer", "sdp": "v=0\r\n"}))
        err = await recv(b)
        check(err["code"] == 500 and err["message"] == "media transport not available on this server", err)

        await a.send(json.dumps({"type": "leave"}))
        left = await recv(b)
        check(left == {"type": "participant_left", "participant_id": a_id}, left)
        try:
            await asyncio.wait_for(a.recv(), timeout=10)
            check(False, "socket still open after leave")
        except websockets.ConnectionClosed as closed:
            check(closed.code == 1000, f"close code {closed.code}")

    async with websockets.connect(base) as c, websockets.connect(base) as d, \
            websockets.connect(base) as e:
        for ws in (c, d):
            await ws.send(json.dumps({"type": "join", "room": "full"}))
            check((await recv(ws))["type"] == "joined", "first two join")
        await e.send(json.dumps({"type": "join", "room": "full"}))
        check((await recv(e))["code"] == 403, "the third join finds the room full")

    health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).read())
    check(health["rooms"] == 0 and health["participants"] == 0, health)


def main():
    server = subprocess.Popen([sys.argv[1], "--participants", "2"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline().split()
        check(line and line[0] == "port", f"server said {line}")
        port = int(line[1])
        asyncio.run(scenario(port))
    finally:
        server.stdin.close()
        code = server.wait(timeout=10)
    check(code == 0, f"server exit code {code}")
    print("python client test passed")


if __name__ == "__main__":
    main()
