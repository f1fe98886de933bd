#!/usr/bin/python3
"""Issue 19, a room's node dies: redis-server and three rrtc nodes (heartbeat 1 s, node TTL 3 s);
a room with carol connected straight to the room's node and bob and dave (aiortc, publishing)
connected through the two other nodes, all decoding each other. The room's node gets SIGKILL:
within 10 s bob and dave get `participant_left` for carol and an `error` 503 "rejoin: ..."
(docs/cluster.md, Failures); they join again through their own nodes, the room is placed on a
live node, and they decode each other's audio and video again within 15 s of the kill.

Usage: cluster_node_kill_test.py --rrtc <rrtc binary>   (exit 77 without redis-server)"""
import asyncio
import sys
import time

from aiortc_room import wait_for
from cluster_client import ClusterClient
from cluster_nodes import Cluster, SignalingClient, require_redis
from rrtc_server import check

ROOM = "failover"
TOLD_WITHIN = 10  # seconds after the kill
MEDIA_WITHIN = 15


def exchanging(a, b, video, audio):
    return (a.received(b.name, "camera") >= video and a.received(b.name, "audio") >= audio and
            b.received(a.name, "camera") >= video and b.received(a.name, "audio") >= audio)


async def scenario(cluster):
    # A signaling-only probe places the room; then carol joins on the room's node itself and
    # bob and dave through the two others.
    probe = SignalingClient("probe", cluster.nodes[0].port, ROOM)
    reply = await probe.join()
    check(reply["type"] == "joined", reply)
    placed = cluster.redis.placement(ROOM)
    room_node = cluster.node(placed)
    others = [n for n in cluster.nodes if n is not room_node]
    carol = ClusterClient("carol", room_node.port, ROOM)
    bob = ClusterClient("bob", others[0].port, ROOM)
    dave = ClusterClient("dave", others[1].port, ROOM)
    clients = [carol, bob, dave]
    print(f"room on {placed}; bob via {others[0].node_id}, dave via {others[1].node_id}",
          flush=True)
    try:
        for client in clients:
            await client.join()
        for client in clients:
            await client.publish()
        await wait_for(lambda: all(exchanging(x, y, 10, 25) for x in clients for y in clients
                                   if x is not y), "media between all three before the kill")

        killed_at = time.monotonic()
        room_node.kill()
        for client in (bob, dave):
            await wait_for(lambda: client.errors, f"{client.name} told to rejoin",
                           timeout=TOLD_WITHIN + 5)
            left_at = client.first_time(lambda m: m["type"] == "participant_left" and
                                        m["participant_id"] == "carol")
            error_at = client.first_time(lambda m: m["type"] == "error")
            error = client.errors[0]
            print(f"{client.name}: participant_left(carol) after "
                  f"{None if left_at is None else round(left_at - killed_at, 2)} s, error after "
                  f"{error_at - killed_at:.2f} s: {error}", flush=True)
            check(left_at is not None and left_at <= error_at,
                  f"{client.name} got no participant_left for carol before the error")
            check(error_at - killed_at <= TOLD_WITHIN,
                  f"{client.name} told {error_at - killed_at:.1f} s after the kill")
            check(error["code"] == 503 and error["message"].startswith("rejoin: "), error)
            check(len(client.errors) == 1, client.errors)
        if probe.port != room_node.port:
            await wait_for(lambda: any(m["type"] == "error" for m in probe.messages),
                           "the relayed probe told to rejoin", timeout=TOLD_WITHIN + 5)

        # Rejoin through the same (live) nodes, with new PeerConnections.
        for client in (bob, dave):
            await client.close()
        bob2 = ClusterClient("bob", others[0].port, ROOM)
        dave2 = ClusterClient("dave", others[1].port, ROOM)
        clients = [carol, bob2, dave2]
        await bob2.join()
        await dave2.join()
        replaced = cluster.redis.placement(ROOM)
        check(replaced in [n.node_id for n in others], f"room placed again on {replaced!r}")
        check([p["id"] for p in dave2.joined["participants"]] == ["bob"], dave2.joined)
        await bob2.publish()
        await dave2.publish()
        await wait_for(lambda: exchanging(bob2, dave2, 5, 10), "media again after rejoining",
                       timeout=MEDIA_WITHIN + 10)
        media_after = max(max(c.first_frame_at.values()) for c in (bob2, dave2)) - killed_at
        print(f"room placed again on {replaced}; first media {media_after:.2f} s after the kill; "
              f"decoded: bob {dict(bob2.frames)}, dave {dict(dave2.frames)}", flush=True)
        check(media_after <= MEDIA_WITHIN, f"media again {media_after:.1f} s after the kill")
        # The dead node left the directory; its placements are gone (taken over or released).
        await wait_for(lambda: placed not in cluster.live_nodes(), "the dead node unlisted")
        check(cluster.redis.command("SISMEMBER", f"rrtc:node_rooms:{placed}", ROOM) == 0,
              f"{ROOM} still listed as placed on the dead node")
        for client in (bob2, dave2):
            check(not client.errors, f"{client.name} got errors after rejoining: {client.errors}")
    finally:
        await probe.close()
        for client in clients:
            await client.close()


def main():
    check(len(sys.argv) == 3 and sys.argv[1] == "--rrtc",
          "usage: cluster_node_kill_test.py --rrtc <rrtc binary>")
    require_redis()
    config = "workers = 1\ncluster_heartbeat_seconds = 1\ncluster_node_ttl_seconds = 3\n"
    with Cluster(sys.argv[2], extra_config=config) as cluster:
        asyncio.run(scenario(cluster))
    print("cluster node kill test passed")


if __name__ == "__main__":
    main()
