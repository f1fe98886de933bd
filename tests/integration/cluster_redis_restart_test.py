#!/usr/bin/python3
"""Issue 19, Redis goes away and comes back: redis-server (no persistence) and three rrtc nodes;
alice and bob (aiortc, publishing) in one room through two different nodes. Redis is stopped:
every node's /healthz says "degraded"; the room keeps forwarding both ways every second while
Redis is down; a join of a new room fails with `error` 503 "cluster unavailable: ..." on every
node while a join into the room on its own node still works. Redis is started again, empty:
the nodes reconnect (/healthz "ok", registered again), a new room can be joined again, and a
join into the running room through the third node lands in that room (the node re-asserted
its placement) and receives alice's and bob's media.

Usage: cluster_redis_restart_test.py --rrtc <rrtc binary>   (exit 77 without redis-server)"""
import asyncio
import sys
import time

from aiortc_room import wait_for
from cluster_client import ClusterClient
from cluster_nodes import Cluster, SignalingClient, require_redis
from rrtc_server import check

ROOM = "steady"
DOWN_SECONDS = 6


def status(node):
    return node.healthz()["status"]


async def scenario(cluster):
    node1 = cluster.nodes[0]
    alice = ClusterClient("alice", node1.port, ROOM)
    clients = [alice]
    signaling = []
    try:
        await alice.join()
        placed = cluster.redis.placement(ROOM)
        room_node = cluster.node(placed)
        bob_node = next(n for n in cluster.nodes if n is not node1 and n is not room_node)
        # Through a node that does not host the room (node1 again when the room is elsewhere).
        third = next(n for n in cluster.nodes if n is not room_node and n is not bob_node)
        bob = ClusterClient("bob", bob_node.port, ROOM)
        clients.append(bob)
        await bob.join()
        print(f"room on {placed}; alice via {node1.node_id}, bob via {bob_node.node_id}",
              flush=True)
        await alice.publish()
        await bob.publish()
        await wait_for(lambda: alice.received("bob", "camera") >= 10 and
                       bob.received("alice", "camera") >= 10, "media both ways")

        cluster.redis.stop()
        for node in cluster.nodes:
            await wait_for(lambda: status(node) == "degraded", f"{node.node_id} degraded",
                           timeout=10)

        # Joins that need Redis: 503 at once, with the reason.
        for index, node in enumerate(cluster.nodes):
            probe = SignalingClient(f"p{index}", node.port, f"new-while-down-{index}")
            signaling.append(probe)
            started = time.monotonic()
            reply = await probe.join()
            print(f"join of a new room through {node.node_id} while redis is down: {reply} "
                  f"in {time.monotonic() - started:.3f} s", flush=True)
            check(reply["type"] == "error" and reply["code"] == 503 and
                  reply["message"].startswith("cluster unavailable: "), reply)
        # A join into the room where it runs needs no Redis.
        local = SignalingClient("carol", room_node.port, ROOM)
        signaling.append(local)
        reply = await local.join()
        check(reply["type"] == "joined" and
              sorted(p["id"] for p in reply["participants"]) == ["alice", "bob"], reply)

        # The room forwards throughout: every second, both directions gained frames.
        counts = (alice.received("bob", "camera"), bob.received("alice", "camera"))
        for second in range(DOWN_SECONDS):
            await asyncio.sleep(1)
            now = (alice.received("bob", "camera"), bob.received("alice", "camera"))
            check(now[0] > counts[0] and now[1] > counts[1],
                  f"forwarding stopped {second + 1} s into the Redis outage: {counts} -> {now}")
            counts = now
        print(f"frames while redis was down: alice got {counts[0]}, bob got {counts[1]}",
              flush=True)

        cluster.redis.start()
        for node in cluster.nodes:
            await wait_for(lambda: status(node) == "ok", f"{node.node_id} ok again", timeout=30)
        cluster.wait_registered([n.node_id for n in cluster.nodes])

        again = SignalingClient("again", node1.port, "after-restart")
        signaling.append(again)
        reply = await again.join()
        check(reply["type"] == "joined", f"join after the restart: {reply}")
        check(cluster.redis.placement("after-restart") is not None, "new room not placed")

        # The running room kept its node: a join through the third node lands in it, and the
        # room's node offers it alice's and bob's tracks.
        check(cluster.redis.placement(ROOM) == placed,
              f"{ROOM} placement after the restart: {cluster.redis.placement(ROOM)!r}")
        dave = ClusterClient("dave", third.port, ROOM)
        clients.append(dave)
        await dave.join()
        check(sorted(p["id"] for p in dave.joined["participants"]) == ["alice", "bob", "carol"],
              dave.joined)
        await wait_for(lambda: dave.received("alice", "camera") >= 5 and
                       dave.received("bob", "camera") >= 5, "dave receives alice and bob")
        for client in clients:
            check(not client.errors, f"{client.name} got errors: {client.errors}")
    finally:
        for probe in signaling:
            await probe.close()
        for client in clients:
            await client.close()


def main():
    check(len(sys.argv) == 3 and sys.argv[1] == "--rrtc",
          "usage: cluster_redis_restart_test.py --rrtc <rrtc binary>")
    require_redis()
    with Cluster(sys.argv[2], extra_config="workers = 1\n") as cluster:
        asyncio.run(scenario(cluster))
    print("cluster redis restart test passed")


if __name__ == "__main__":
    main()
