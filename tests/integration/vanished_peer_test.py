#!/usr/bin/python3
"""Issue 15, S8: a participant vanishes without leaving; rrtc removes it and tells the others.
Two ways to vanish, one per run (--case):

- `drop` (the consent case): in a network namespace of its own (netns.py), nftables drops every
  UDP packet to and from vic's port while vic's WebSocket stays open and answers pings. Only
  consent freshness (RFC 7675) can tell: rrtc must remove vic 30 s or more after its last packet
  (no consent answer and no datagram for 30 s) and, libnice telling at the end of a 10 s check
  window, within CONSENT_MAX s; ann gets `participant_left`, rrtc counts one consent expiry,
  frees the PeerConnection, and vic gets `error` 500.
- `kill`: vic is a separate aiortc process, SIGKILLed. Its kernel closes the WebSocket, so
  signaling notices at once (within KILL_MAX s) and ann gets `participant_left`; rrtc frees the
  PeerConnection. No root needed.
Both print the seconds measured. ann publishes and receives throughout and must stay in the room
without an error.

Usage: vanished_peer_test.py --rrtc <rrtc binary> --case drop|kill
       (exit 77: skipped, with the reason printed; `drop` needs root)
Internal: vanished_peer_test.py --victim <port> <room>  (the process `kill` SIGKILLs)"""
import asyncio
import os
import signal
import subprocess
import sys
import time

import netns
from aiortc_loss_test import local_port
from aiortc_room import Client, wait_for
from lossy_receiver_test import Watched, consent_counters
from rrtc_server import DEADLINE, Server, check

# RFC 7675: never before 30 s without an answer or a datagram; vic's last packet may precede
# `vanished` by one packet interval (video: ~20 ms), hence the half second.
CONSENT_MIN = 29.5
CONSENT_MAX = 50.0  # 30 s + a 10 s libnice window + up to 4 s to its first check, + margin
KILL_MAX = 5.0


async def wait_left(ann, who, timeout):
    await wait_for(lambda: ann.left(who) is not None, f"participant_left for {who}", timeout)
    return ann.left(who)


async def wait_peers(server, count):
    deadline = time.monotonic() + DEADLINE
    while (await server.metrics())["rrtc_media_peers"] != count:
        check(time.monotonic() < deadline, f"rrtc_media_peers never reached {count}")
        await asyncio.sleep(0.1)


async def drop_case(server):
    ann = Watched("ann", server.port, "vanish")
    vic = Watched("vic", server.port, "vanish")
    try:
        for client in (ann, vic):
            await client.join()
            await client.publish()
        await wait_for(lambda: ann.received("vic", "camera") >= 5 and
                       vic.received("ann", "camera") >= 5, "video both ways")
        port = local_port(vic, "ann-camera")
        before = consent_counters(await server.metrics())
        nft = netns.Nftables()
        nft.add_counter("dropped")
        # What vic sends first: rrtc's evidence of vic (datagrams, consent answers) stops when
        # this rule takes effect, right after `vanished`.
        vanished = time.monotonic()
        nft.add_rule("udp", "sport", str(port), "counter", "name", "dropped", "drop")
        nft.add_rule("udp", "dport", str(port), "counter", "name", "dropped", "drop")
        print(f"vic's UDP port {port} cut off; its WebSocket stays open", flush=True)
        left = await wait_left(ann, "vic", CONSENT_MAX + 10)
        seconds = left - vanished
        values = await server.metrics()
        after = consent_counters(values)
        print(f"vic removed by consent {seconds:.1f} s after it vanished "
              f"({nft.packets('dropped')} packets dropped; consent {before} -> {after})",
              flush=True)
        check(CONSENT_MIN <= seconds <= CONSENT_MAX,
              f"removed after {seconds:.1f} s, expected {CONSENT_MIN}-{CONSENT_MAX} s")
        check(after["expired"] == before["expired"] + 1,
              f"consent expiries {before['expired']} -> {after['expired']}, expected one more")
        await wait_for(lambda: any(e.get("code") == 500 for e in vic.errors), "vic's error 500")
        await wait_peers(server, 1)
        check(not ann.errors, f"ann got errors: {ann.errors}")
        check(ann.left("ann") is None, "ann was removed")
    finally:
        for client in (ann, vic):
            await client.close()
    await wait_peers(server, 0)


async def kill_case(server):
    ann = Watched("ann", server.port, "vanish")
    victim = None
    try:
        await ann.join()
        await ann.publish()
        victim = subprocess.Popen([sys.executable, __file__, "--victim", str(server.port),
                                   "vanish"], stdout=subprocess.DEVNULL)
        await wait_for(lambda: ann.received("vic", "camera") >= 5, "vic's video at ann")
        victim.send_signal(signal.SIGKILL)
        vanished = time.monotonic()
        victim.wait(timeout=DEADLINE)
        left = await wait_left(ann, "vic", DEADLINE)
        seconds = left - vanished
        print(f"vic (SIGKILLed) removed {seconds:.2f} s after it died: its WebSocket closed",
              flush=True)
        check(seconds <= KILL_MAX, f"removed after {seconds:.1f} s, expected <= {KILL_MAX} s")
        await wait_peers(server, 1)
        check(not ann.errors, f"ann got errors: {ann.errors}")
    finally:
        if victim is not None and victim.poll() is None:
            victim.kill()
            victim.wait()
        await ann.close()
    await wait_peers(server, 0)


async def victim(port, room):
    vic = Client("vic", port, room)
    await vic.join()
    await vic.publish()
    while True:  # until SIGKILL
        await asyncio.sleep(1)


def run(case):
    with Server(sys.argv[2], "workers = 1\n") as server:
        asyncio.run(drop_case(server) if case == "drop" else kill_case(server))
    print(f"vanished peer test ({case}) passed")


def usage():
    check(False, "usage: vanished_peer_test.py --rrtc <rrtc> --case drop|kill")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--victim":
        asyncio.run(victim(int(sys.argv[2]), sys.argv[3]))
    if len(sys.argv) < 5 or sys.argv[1] != "--rrtc" or sys.argv[3] != "--case":
        usage()
    if sys.argv[4] == "kill":
        run("kill")
        sys.exit(0)
    if sys.argv[4] != "drop":
        usage()
    sys.exit(netns.run_inside("rrtc-vanish", lambda namespace: run("drop")))
