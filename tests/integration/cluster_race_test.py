#!/usr/bin/python3
"""Issue 19, two nodes get the first join of one room at the same instant: redis-server and
three rrtc nodes; for each of 30 new rooms, two signaling-only participants (python3-websockets)
have their WebSockets open on two different nodes (the pairs rotate over the three node pairs)
and send their `join` in the same event-loop turn. Both must be joined into ONE room: each is
told of the other (in `joined.participants` or by `participant_joined`), Redis holds one
placement for the room, and exactly one node's placed-room set lists it.

Usage: cluster_race_test.py --rrtc <rrtc binary>   (exit 77 without redis-server)"""
import asyncio
import collections
import sys
import time

from cluster_nodes import Cluster, SignalingClient, require_redis
from rrtc_server import DEADLINE, check

ROOMS = 30


def knows(client, reply, other):
    return (any(p["id"] == other for p in reply["participants"]) or
            other in client.ids_joined())


async def race(cluster, index):
    room = f"race-{index}"
    first, second = cluster.nodes[index % 3], cluster.nodes[(index + 1) % 3]
    a = SignalingClient("a", first.port, room)
    b = SignalingClient("b", second.port, room)
    try:
        await asyncio.gather(a.connect(), b.connect())
        await asyncio.gather(a.send_join(), b.send_join())
        replies = await asyncio.gather(a.first_reply(), b.first_reply())
        for client, reply in zip((a, b), replies):
            check(reply["type"] == "joined", f"{room}: {client.name} via port {client.port}: "
                                             f"{reply}")
        a.reader = asyncio.ensure_future(a.read())
        b.reader = asyncio.ensure_future(b.read())
        deadline = time.monotonic() + DEADLINE
        while not (knows(a, replies[0], "b") and knows(b, replies[1], "a")):
            check(time.monotonic() < deadline,
                  f"{room}: a and b are not in one room: replies {replies}, "
                  f"a got {a.messages}, b got {b.messages}")
            await asyncio.sleep(0.05)
        node_id = cluster.redis.placement(room)
        owners = [n.node_id for n in cluster.nodes
                  if cluster.redis.command("SISMEMBER", f"rrtc:node_rooms:{n.node_id}", room)]
        check(owners == [node_id], f"{room}: placed on {node_id!r}, listed by {owners}")
        return node_id
    finally:
        await a.close()
        await b.close()


async def scenario(cluster):
    cluster.wait_each_sees([n.node_id for n in cluster.nodes])
    placed = [await race(cluster, index) for index in range(ROOMS)]
    print(f"{ROOMS} raced rooms placed once each:",
          dict(sorted(collections.Counter(placed).items())), flush=True)


def main():
    check(len(sys.argv) == 3 and sys.argv[1] == "--rrtc",
          "usage: cluster_race_test.py --rrtc <rrtc binary>")
    require_redis()
    with Cluster(sys.argv[2], extra_config="workers = 1\n") as cluster:
        asyncio.run(scenario(cluster))
    print("cluster race test passed")


if __name__ == "__main__":
    main()
