#!/usr/bin/python3
"""Issue 19, new rooms spread by load: redis-server and three rrtc nodes; signaling-only
participants (python3-websockets, no media) join new rooms through the nodes in turn.
Six one-participant rooms land two on each node. Then a room of four participants makes its
node the busiest (load = participants from the heartbeat + rooms placed, docs/cluster.md):
the next four new rooms all go to the two other nodes, two each.

Before each next join the test waits until the heartbeat of the node that took the previous
room reports its participant, so every placement sees exact loads and the outcome is the
same on every run.

Usage: cluster_spread_test.py --rrtc <rrtc binary>   (exit 77 without redis-server)"""
import asyncio
import collections
import sys
import time

from cluster_nodes import Cluster, SignalingClient, require_redis
from rrtc_server import DEADLINE, check


def reported_participants(cluster, node_id):
    value = cluster.redis.command("HGET", f"rrtc:node:{node_id}", "participants")
    return None if value is None else int(value)


async def wait_reported(cluster, expected):
    """Waits until every node's heartbeat reports `expected[node_id]` participants."""
    deadline = time.monotonic() + DEADLINE
    while True:
        seen = {n.node_id: reported_participants(cluster, n.node_id) for n in cluster.nodes}
        if seen == expected:
            return
        check(time.monotonic() < deadline, f"heartbeats report {seen}, expected {expected}")
        await asyncio.sleep(0.1)


async def join_new_rooms(cluster, names, clients, hosted):
    """Joins one participant to each new room in `names`, through the nodes in turn; returns
    where each landed. `hosted` (node id -> participants) is updated and waited for."""
    placed = {}
    for index, room in enumerate(names):
        via = cluster.nodes[index % len(cluster.nodes)]
        client = SignalingClient(f"p-{room}", via.port, room)
        clients.append(client)
        reply = await client.join()
        check(reply["type"] == "joined", f"join {room} via {via.node_id}: {reply}")
        node_id = cluster.redis.placement(room)
        check(node_id in hosted, f"{room} placed on {node_id!r}")
        placed[room] = node_id
        hosted[node_id] += 1
        await wait_reported(cluster, hosted)
    return placed


async def scenario(cluster):
    ids = [n.node_id for n in cluster.nodes]
    cluster.wait_each_sees(ids)
    clients = []
    try:
        hosted = {node_id: 0 for node_id in ids}
        placed = await join_new_rooms(cluster, [f"even-{i}" for i in range(6)], clients, hosted)
        per_node = collections.Counter(placed.values())
        print("six new rooms:", dict(sorted(per_node.items())), flush=True)
        check(sorted(per_node.values()) == [2, 2, 2] and len(per_node) == 3, placed)
        for node_id in ids:
            check(cluster.redis.command("SCARD", f"rrtc:node_rooms:{node_id}") == 2,
                  f"{node_id}'s placed rooms")

        # Everyone leaves: the placements are released and the heartbeats report 0.
        for client in clients:
            await client.close()
        clients.clear()
        for room in placed:
            deadline = time.monotonic() + DEADLINE
            while cluster.redis.placement(room) is not None:
                check(time.monotonic() < deadline, f"{room} still placed after it ended")
                await asyncio.sleep(0.1)
        hosted = {node_id: 0 for node_id in ids}
        await wait_reported(cluster, hosted)

        # A room of four makes one node the busiest.
        first = SignalingClient("big-0", cluster.nodes[0].port, "big")
        clients.append(first)
        check((await first.join())["type"] == "joined", "big-0")
        busy = cluster.redis.placement("big")
        for index in range(1, 4):
            via = cluster.nodes[index % 3]
            client = SignalingClient(f"big-{index}", via.port, "big")
            clients.append(client)
            reply = await client.join()
            check(reply["type"] == "joined" and len(reply["participants"]) == index, reply)
        hosted[busy] = 4
        await wait_reported(cluster, hosted)

        placed = await join_new_rooms(cluster, [f"after-big-{i}" for i in range(4)], clients,
                                      hosted)
        per_node = collections.Counter(placed.values())
        print(f"room of four on {busy}; four new rooms:", dict(sorted(per_node.items())),
              flush=True)
        check(busy not in per_node, f"a new room went to the busiest node {busy}: {placed}")
        check(sorted(per_node.values()) == [2, 2], placed)
    finally:
        for client in clients:
            await client.close()


def main():
    check(len(sys.argv) == 3 and sys.argv[1] == "--rrtc",
          "usage: cluster_spread_test.py --rrtc <rrtc binary>")
    require_redis()
    with Cluster(sys.argv[2], extra_config="workers = 1\ncluster_heartbeat_seconds = 1\n"
                                           "cluster_node_ttl_seconds = 3\n") as cluster:
        asyncio.run(scenario(cluster))
    print("cluster spread test passed")


if __name__ == "__main__":
    main()
