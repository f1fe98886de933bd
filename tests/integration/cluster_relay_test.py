#!/usr/bin/python3
"""Issue 19, relayed media: a real redis-server and three rrtc nodes on 127.0.0.1; two aiortc
participants of one room connect their WebSockets to two different nodes (at least one of them
not the room's node, so its signaling is relayed over Redis) and each decodes the other's audio
and video. Media goes straight to the room's node: it holds both PeerConnections and the other
nodes none, and every ICE candidate the clients get is one of the room node's UDP ports. A
relayed client's messages reach the room both ways (state_update out and back, leave), and the
placement is released when the room ends.

Usage: cluster_relay_test.py --rrtc <rrtc binary>   (exit 77 without redis-server)"""
import asyncio
import os
import re
import sys

from cluster_client import ClusterClient
from cluster_nodes import Cluster, require_redis
from aiortc_room import wait_for
from rrtc_server import check, metrics

ROOM = "relay"


def candidate_ports(client):
    """UDP ports of the server's candidates a client got (answer SDP and trickled ones)."""
    ports = set()
    for _, message in client.received_messages:
        if message["type"] == "answer" or message["type"] == "offer":
            ports.update(int(p) for p in re.findall(r"a=candidate:\S+ \d+ udp \d+ \S+ (\d+)",
                                                     message["sdp"], re.I))
        elif message["type"] == "candidate" and message["candidate"]:
            match = re.search(r"candidate:\S+ \d+ udp \d+ \S+ (\d+)", message["candidate"], re.I)
            if match:
                ports.add(int(match.group(1)))
    return ports


def bound_udp_ports(pid):
    """Local UDP ports of the sockets process `pid` holds (from /proc/<pid>/net/udp)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        match = re.fullmatch(r"socket:\[(\d+)\]", target)
        if match:
            inodes.add(match.group(1))
    ports = set()
    with open(f"/proc/{pid}/net/udp") as table:
        for line in list(table)[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].split(":")[1], 16))
    return ports


async def scenario(cluster):
    node1 = cluster.nodes[0]
    alice = ClusterClient("alice", node1.port, ROOM)
    clients = [alice]
    try:
        await alice.join()
        placed = cluster.redis.placement(ROOM)
        check(placed in [n.node_id for n in cluster.nodes], f"room placed on {placed!r}")
        # Bob through a node other than alice's and, when there is one, other than the room's.
        others = [n for n in cluster.nodes if n is not node1]
        bob_node = next((n for n in others if n.node_id != placed), others[0])
        bob = ClusterClient("bob", bob_node.port, ROOM)
        clients.append(bob)
        await bob.join()
        print(f"room on {placed}; alice via {node1.node_id}, bob via {bob_node.node_id}",
              flush=True)
        check([p["id"] for p in bob.joined["participants"]] == ["alice"], bob.joined)
        check(cluster.redis.placement(ROOM) == placed, "the placement moved")
        await wait_for(lambda: any(m["id"] == "bob" for m in alice.messages_of("participant_joined")),
                       "alice told that bob joined")

        await alice.publish()
        await bob.publish()

        def both_receive(video, audio):
            return all(c.received(p, "camera") >= video and c.received(p, "audio") >= audio
                       for c, p in ((alice, "bob"), (bob, "alice")))

        try:
            await wait_for(lambda: both_receive(10, 25), "audio and video both ways")
        except AssertionError:
            for c in clients:
                print(c.name, "decoded", dict(c.frames), "errors", c.errors,
                      "messages", [m["type"] for _, m in c.received_messages], flush=True)
            raise
        print("decoded:", {c.name: dict(c.frames) for c in clients}, flush=True)

        # Media straight to the room's node.
        room_node = cluster.node(placed)
        for node in cluster.nodes:
            peers = metrics(node.port)["rrtc_media_peers"]
            check(peers == (2 if node is room_node else 0),
                  f"{node.node_id} holds {peers} PeerConnections (room on {placed})")
        room_ports = bound_udp_ports(room_node.process.pid)
        for client in clients:
            ports = candidate_ports(client)
            check(ports and ports <= room_ports,
                  f"{client.name}'s server candidates {sorted(ports)} are not all the room "
                  f"node's UDP ports {sorted(room_ports)}")

        # A relayed client's own message reaches the room, and the room's notice comes back.
        await bob.send({"type": "state_update", "muted": True})
        await wait_for(lambda: any(m.get("participant_id") == "bob" and m["muted"]
                                   for m in alice.messages_of("state_update")),
                       "alice told that bob muted")
        await alice.send({"type": "state_update", "video_on": False})
        await wait_for(lambda: any(m.get("participant_id") == "alice" and not m["video_on"]
                                   for m in bob.messages_of("state_update")),
                       "bob told that alice's video is off")
        for client in clients:
            check(not client.errors, f"{client.name} got errors: {client.errors}")

        # Bob leaves through his node: alice is told, the room's node releases bob's peer.
        await bob.send({"type": "leave"})
        await wait_for(lambda: any(m["participant_id"] == "bob"
                                   for m in alice.messages_of("participant_left")),
                       "alice told that bob left")
        await bob.close()
        clients.remove(bob)
        await wait_for(lambda: metrics(room_node.port)["rrtc_media_peers"] == 1,
                       "the room's node released bob's PeerConnection")
        await alice.send({"type": "leave"})
        await alice.close()
        clients.remove(alice)
        await wait_for(lambda: cluster.redis.placement(ROOM) is None,
                       "the placement released when the room ended")
    finally:
        for client in clients:
            await client.close()


def main():
    check(len(sys.argv) == 3 and sys.argv[1] == "--rrtc",
          "usage: cluster_relay_test.py --rrtc <rrtc binary>")
    require_redis()
    with Cluster(sys.argv[2], extra_config="workers = 1\n") as cluster:
        asyncio.run(scenario(cluster))
    print("cluster relay test passed")


if __name__ == "__main__":
    main()
